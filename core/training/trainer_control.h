#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

namespace sage {

/// The only state another thread may change under a running trainer. The trainer reads these
/// between steps and inside long rollouts, so a stop is seen within one slate's generation.
struct TrainerControl {
    std::atomic<bool> stopRequested{false};
    std::atomic<bool> pauseRequested{false};
};

/// Blocks while a pause is requested, noting "paused" and "resumed"; returns false when a stop is
/// requested (before or during the pause). Both trainers call it between steps.
inline bool holdWhilePaused(TrainerControl& control,
                            const std::function<void(const std::string&)>& note) {
    if (control.pauseRequested.load() && !control.stopRequested.load()) {
        note("paused");
        while (control.pauseRequested.load() && !control.stopRequested.load())
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (!control.stopRequested.load()) note("resumed");
    }
    return !control.stopRequested.load();
}

}  // namespace sage

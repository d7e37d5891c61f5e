#pragma once
#include <atomic>

namespace sage {

/// The only state another thread may change under a running trainer. The trainer reads these
/// between steps and inside long rollouts, so a stop is seen within one slate's generation.
struct TrainerControl {
    std::atomic<bool> stopRequested{false};
    std::atomic<bool> pauseRequested{false};
};

}  // namespace sage

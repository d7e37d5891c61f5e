#pragma once
#include <cstdint>
#include <memory>

#include "config/run_config.h"
#include "training/trainer_control.h"
#include "training/training_sink.h"

namespace sage {

/// Fine-tunes a slate policy with the configured objective. LibTorch stays behind the pimpl so
/// that Qt headers (read by moc) never include torch.
class Trainer {
public:
    Trainer(const RunConfig& config, TrainingSink& sink, TrainerControl& control);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    int64_t totalSteps() const;
    /// Steps completed so far.
    int64_t completedSteps() const;
    bool done() const;
    /// One RL iteration: rollout, rewards, advantages, μ epochs of minibatch updates, logging.
    /// Returns false when the rollout was cut short by a stop request.
    bool step();

    enum class Outcome { Finished, Stopped };
    /// Steps until done or stopped; while paused it sleeps, still honouring stop.
    Outcome run();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace sage

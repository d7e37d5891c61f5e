#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "training/trainer_control.h"
#include "training/training_sink.h"

namespace sage {

class DistributedContext;

/// Fine-tunes a slate policy with the configured objective. LibTorch stays behind the pimpl so
/// that Qt headers (read by moc) never include torch.
class Trainer {
public:
    /// With a `distributed` group, this trainer is one data-parallel rank: it rolls out its share of
    /// each batch, sums gradients with the other ranks before every update and reports the whole
    /// batch's metrics; ranks stop together, at step boundaries. Without one it is the whole run.
    Trainer(const RunConfig& config, TrainingSink& sink, TrainerControl& control,
            DistributedContext* distributed = nullptr);
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

    /// Every parameter of the policy, flattened in order (tests compare runs with it).
    std::vector<float> parameterValues() const;

    /// run() writes resume checkpoints into `folder` (created when missing): every
    /// training.checkpoint_every_steps steps and when it stops or finishes, each reported to the
    /// sink (onCheckpoint) once complete. Empty (the default): none.
    void setCheckpointFolder(const std::string& folder);
    /// What saveCheckpoint appends to the path while it writes; such a file is never complete.
    static constexpr const char* kPartialSuffix = ".partial";
    /// Writes the whole state after completedSteps() (policy, optimizer, reference policy, random
    /// states, step) to `path`, through a temporary file renamed into place, so the path never
    /// names half a file. Throws std::runtime_error naming the path on failure (a full disk).
    void saveCheckpoint(const std::string& path);
    /// Continues from a checkpoint written by saveCheckpoint with the same configuration: the
    /// next step is the one after it, and the steps that follow are those the original run would
    /// have taken. Throws std::runtime_error naming the path when it cannot be read or does not fit.
    void restoreCheckpoint(const std::string& path);

    enum class Outcome { Finished, Stopped };
    /// Steps until done or stopped; while paused it sleeps, still honouring stop.
    Outcome run();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace sage

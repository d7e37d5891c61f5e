#pragma once
#include <memory>

#include "config/run_config.h"
#include "training/trainer.h"
#include "training/trainer_control.h"
#include "training/training_sink.h"

namespace sage {

class GenerativePolicy;
struct TransformerOptions;

/// The Transformer's shape from the model section (d_model, layers, heads, FFN width, dropout).
TransformerOptions transformerOptions(const RunConfig::Model& model);

/// The supervised stage of the generative recommender (issue #4): next-token prediction over each
/// user's whole training sequence in one causal pass (every cut point at once), AdamW with linear
/// warm-up and cosine decay, early stopping on validation Recall@10, checkpoints of the best model
/// with its optimizer, and a final test evaluation of that best model.
class SftTrainer {
public:
    /// Loads the data the configuration names; throws DataError or ConfigError on bad input.
    SftTrainer(const RunConfig& config, TrainingSink& sink, TrainerControl& control);
    ~SftTrainer();

    Trainer::Outcome run();
    GenerativePolicy& policy();
    int64_t completedSteps() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace sage

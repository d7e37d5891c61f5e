#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace sage {

/// Everything that defines a run. JSON layout mirrors the sections; keys in dotted form
/// ("objective.clip_low") are what `--set`, validation messages and the form use. The allowed
/// values of every field live in one place, ConfigSchema.
struct RunConfig {
    std::string name = "run";

    struct Environment {
        std::string kind = "synthetic";  // synthetic | amazon
        std::string dataPath;            // amazon: the S3-Rec <name>.txt file
        std::string attributesPath;      // amazon: <name>_item2attributes.json ("" = next to dataPath)
        std::string actionSpace = "item_id";  // amazon: item_id | semantic_id
        std::string collisionLevel = "index";  // semantic_id's last level: index (TIGER) | item
        int codeLevels = 3;      // semantic_id: RQ-KMeans levels before the last level
        int codebookSize = 256;  // semantic_id: codes per RQ-KMeans level
        int coldMaxTrainCount = 3;
        int users = 3000;
        int items = 1500;
        int categories = 24;
        int latentDim = 16;
    } environment;

    struct Model {
        std::string kind = "mlp";  // mlp (synthetic) | transformer (the generative recommender)
        int layers = 4;
        int heads = 4;
        double dropout = 0.1;
        int embeddingDim = 64;
        int hiddenDim = 128;
        int historyWindow = 50;
    } model;

    struct Objective {
        std::string kind = "sage";      // sage | gbpo | gspo | grpo | ecpo (SAGE.md 4)
        std::string advantage = "auto";  // auto (SAGE: decoupled, others: group) | group | decoupled | sign
        double signFloor = 0.0;          // sign advantages: R below this is −1
        std::string ratioLevel = "token";  // GBPO, ECPO: token | sequence
        double clipLow = 0.2;            // GRPO
        double clipHigh = 0.2;
        bool dualClip = false;
        double dualClipC = 3.0;          // GRPO dual clip and SAGE's asym_clip
        double gspoClipLow = 3e-4;
        double gspoClipHigh = 4e-4;
        double ecpoEpsilon = 0.2;
        double ecpoDelta = 0.1;
        std::string boostMode = "positive";  // positive | cold_hit | cold_share
        double boostEpsilon = 0.5;           // ε_boost
        double kappa = 1.0;                  // κ
        std::string penaltyShape = "linear";  // linear | threshold | exp
        double penaltyTau = 0.5;
        std::string sageForm = "gbpo_bounds";  // gbpo_bounds | asym_clip
        std::string boostForm = "bound";       // bound | advantage
        double asymEpsilon = 0.2;              // asym_clip ε
        double asymEntropyEpsilon = 0.2;       // asym_clip ε_H
        double klBeta = 0.0;                   // β of the k3 KL to the frozen reference
        double sftAlpha = 0.0;                 // α of the SFT mix
    } objective;

    /// Weights w_m of the reward components (ENVIRONMENTS.md 2 and 3).
    struct Rewards {
        double click = 1.0;  // synthetic
        double purchase = 1.0;
        double dwell = 0.5;
        double dislike = -1.0;
        double coldClick = 0.0;
        double hit = 1.0;  // amazon (offline feedback)
        double futureHit = 0.5;
        double relevance = 0.5;
        double coldHit = 0.0;
        double invalid = -1.0;
        double diversity = 0.2;  // both
    } rewards;

    struct Optimizer {
        std::string kind = "adamw";  // adamw | adam | sgd
        double learningRate = 1e-3;
        double weightDecay = 0.0;
        double gradClip = 1.0;
    } optimizer;

    struct Training {
        std::string stage = "rl";  // rl | sft
        int steps = 200;
        int epochs = 30;            // sft: passes over the training users
        int batchSize = 128;        // sft: users per step
        int warmupSteps = 200;      // sft: linear warm-up, then cosine decay
        int patience = 3;           // sft: epochs without a better validation Recall@10
        int evalUsers = 0;          // validation users per evaluation (0: all)
        int evalBeam = 20;          // semantic_id: the evaluation beam's width (≥ 10, the top-K)
        std::string checkpointDir;  // where checkpoints go ("" = none for SFT; beside the store for RL)
        int checkpointEverySteps = 50;  // rl: resume checkpoint cadence (0: only when the run ends)
        std::string initCheckpoint;  // rl: start the Transformer from this SFT model ("" = random)
        int futureItems = 3;         // rl on amazon: F, the real next items that score a slate
        int contexts = 32;      // B: user contexts per iteration
        int groupSize = 8;      // G: slates per context
        int slateLength = 5;    // K
        int innerEpochs = 2;    // μ
        int minibatches = 2;    // n_mb
        double temperature = 1.0;
        int64_t seed = 0;
        int threads = 0;        // 0: every core
        std::string device = "auto";  // auto (cuda when available, else cpu) | cpu | cuda
    } training;

    struct Logging {
        int everySteps = 1;         // scalars every N steps
        int slatesEverySteps = 10;  // per-slate records every N steps (0: never)
        int flushEverySteps = 100;  // store transaction cadence (and at least every 2 s)
        int evalEverySteps = 0;     // rl: validation (+ simulator) metrics every N steps (0: at the end)
    } logging;
};

nlohmann::json toJson(const RunConfig& config);
/// Parses and validates; throws ConfigError listing every bad field.
RunConfig configFromJson(const nlohmann::json& json);
/// Parses JSON text and validates it; `source` (a file name) prefixes the ConfigError message.
RunConfig configFromJsonText(const std::string& text, const std::string& source);
RunConfig loadConfigFile(const std::string& path);
void saveConfigFile(const RunConfig& config, const std::string& path);

}  // namespace sage

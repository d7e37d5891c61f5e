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
        std::string kind = "synthetic";  // the Amazon data arrives with the recommender issue
        int users = 3000;
        int items = 1500;
        int categories = 24;
        int latentDim = 16;
    } environment;

    struct Model {
        int embeddingDim = 64;
        int hiddenDim = 128;
        int historyWindow = 50;
    } model;

    struct Objective {
        std::string kind = "grpo";  // grpo (more arrive with the objectives issue)
        double clipLow = 0.2;
        double clipHigh = 0.2;
        bool dualClip = false;
        double dualClipC = 3.0;
    } objective;

    struct Optimizer {
        std::string kind = "adamw";  // adamw | adam | sgd
        double learningRate = 1e-3;
        double weightDecay = 0.0;
        double gradClip = 1.0;
    } optimizer;

    struct Training {
        int steps = 200;
        int contexts = 32;      // B: user contexts per iteration
        int groupSize = 8;      // G: slates per context
        int slateLength = 5;    // K
        int innerEpochs = 2;    // μ
        int minibatches = 2;    // n_mb
        double temperature = 1.0;
        int64_t seed = 0;
        int threads = 0;        // 0: every core
    } training;

    struct Logging {
        int everySteps = 1;         // scalars every N steps
        int slatesEverySteps = 10;  // per-slate records every N steps (0: never)
        int flushEverySteps = 10;   // store transaction cadence
    } logging;
};

nlohmann::json toJson(const RunConfig& config);
/// Parses and validates; throws ConfigError listing every bad field.
RunConfig configFromJson(const nlohmann::json& json);
RunConfig loadConfigFile(const std::string& path);
void saveConfigFile(const RunConfig& config, const std::string& path);

}  // namespace sage

#include "training/sft_trainer.h"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>

#include "data/amazon_data.h"
#include "model/generative_policy.h"
#include "semantic_id/item_embeddings.h"
#include "training/action_space.h"
#include "training/length_bucketed_batches.h"
#include "training/ranking_evaluation.h"
#include "training/training_device.h"
#include "training/training_failure.h"

namespace sage {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

TransformerOptions transformerOptions(const RunConfig::Model& model) {
    TransformerOptions o;
    o.dModel = model.embeddingDim;
    o.layers = model.layers;
    o.heads = model.heads;
    o.feedForward = model.hiddenDim;
    o.dropout = model.dropout;
    return o;
}

namespace {

double valueOf(const NamedValues& values, const std::string& key) {
    for (const auto& [name, value] : values)
        if (name == key) return value;
    return std::nan("");
}

}  // namespace

struct SftTrainer::Impl {
    Impl(const RunConfig& cfg, TrainingSink& s, TrainerControl& c)
        : config(cfg),
          sink(s),
          control(c),
          data(cfg.environment),
          dataset(data.dataset),
          split(data.split),
          evaluation(dataset, split, {}, cfg.training.evalBeam),
          rng(static_cast<uint64_t>(cfg.training.seed) + 11) {
        configureCpuRuntime(cfg);
        torch::manual_seed(cfg.training.seed);
        const auto embeddings = cfg.environment.actionSpace == "semantic_id"
                                    ? itemEmbeddings(dataset, split, embeddingOptions(cfg))
                                    : at::Tensor();
        policy = std::make_unique<GenerativePolicy>(amazonTokenSpace(cfg, data, embeddings, spaceDescription),
                                                    transformerOptions(cfg.model),
                                                    cfg.model.historyWindow, cfg.training.slateLength);
        policy->moveTo(resolveDevice(cfg));
        optimizer = std::make_unique<torch::optim::AdamW>(
            policy->model()->parameters(),
            torch::optim::AdamWOptions(cfg.optimizer.learningRate).weight_decay(cfg.optimizer.weightDecay));
        for (int64_t user = 0; user < split.userCount(); ++user)
            if (!split.training(user).empty()) users.push_back(user);
        started = Clock::now();
    }

    double secondsSinceStart() const { return std::chrono::duration<double>(Clock::now() - started).count(); }
    void event(EventLevel level, const std::string& message) {
        sink.onEvent({completed, secondsSinceStart(), level, message});
    }
    double learningRate(int64_t step, int64_t total) const;
    bool waitWhilePaused();
    void report(const NamedValues& values, bool asEval);
    void saveCheckpoint(const std::string& name);

    RunConfig config;
    TrainingSink& sink;
    TrainerControl& control;
    AmazonData data;
    const SequenceDataset& dataset;
    const LeaveOneOutSplit& split;
    RankingEvaluation evaluation;
    std::mt19937_64 rng;
    std::unique_ptr<GenerativePolicy> policy;
    std::unique_ptr<torch::optim::AdamW> optimizer;
    std::vector<int64_t> users;
    std::string spaceDescription;
    int64_t completed = 0;
    Clock::time_point started;
};

double SftTrainer::Impl::learningRate(int64_t step, int64_t total) const {
    const double peak = config.optimizer.learningRate;
    const int64_t warmup = config.training.warmupSteps;
    if (step < warmup) return peak * static_cast<double>(step + 1) / static_cast<double>(warmup);
    const double progress = static_cast<double>(step - warmup) / std::max<int64_t>(1, total - warmup);
    return 0.5 * peak * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
}

bool SftTrainer::Impl::waitWhilePaused() {
    return holdWhilePaused(control, [this](const std::string& note) { event(EventLevel::Info, note); });
}

void SftTrainer::Impl::report(const NamedValues& values, bool asEval) {
    StepScalars scalars{completed, secondsSinceStart(), values};
    sink.onStep(scalars);  // plotted like every other metric
    if (asEval) sink.onEval({completed, values});
}

void SftTrainer::Impl::saveCheckpoint(const std::string& name) {
    if (config.training.checkpointDir.empty()) return;
    std::filesystem::create_directories(config.training.checkpointDir);
    const auto base = std::filesystem::path(config.training.checkpointDir) / name;
    torch::save(policy->model(), base.string() + "_model.pt");
    torch::save(*optimizer, base.string() + "_optimizer.pt");
    // RL reads these back rather than rerunning RQ-KMeans, whose result can depend on the threads.
    if (!policy->tokens().isItemIds())
        saveSemanticIds(policy->tokens(), semanticIdsPath(base.string() + "_model.pt"));
}

SftTrainer::SftTrainer(const RunConfig& config, TrainingSink& sink, TrainerControl& control)
    : m_impl(std::make_unique<Impl>(config, sink, control)) {}
SftTrainer::~SftTrainer() = default;
GenerativePolicy& SftTrainer::policy() { return *m_impl->policy; }
int64_t SftTrainer::completedSteps() const { return m_impl->completed; }

Trainer::Outcome SftTrainer::run() {
    auto& s = *m_impl;
    const auto& training = s.config.training;
    const int64_t batch = training.batchSize;
    // Length-sorted pools of this many batches: little padding, still a random batch order.
    constexpr int64_t kPoolBatches = 32;
    std::vector<int64_t> lengthOfUser(s.split.userCount(), 0);
    for (auto user : s.users)
        lengthOfUser[user] = std::min<int64_t>(s.split.training(user).size(),
                                                  s.config.model.historyWindow + s.config.training.slateLength);
    const int64_t stepsPerEpoch = static_cast<int64_t>(
        lengthBucketedBatches(s.users, lengthOfUser, batch, kPoolBatches, s.rng).size());
    const int64_t totalSteps = stepsPerEpoch * training.epochs;
    s.sink.onRunStarted(totalSteps);
    s.event(EventLevel::Info,
            "SFT on " + s.config.environment.dataPath + ": " + std::to_string(s.dataset.userCount()) +
                " users, " + std::to_string(s.dataset.itemCount) + " items, " +
                std::to_string(s.split.trainingInteractionCount()) + " training interactions, " +
                std::to_string(s.split.coldItemCount()) + " cold items; " +
                std::to_string(training.epochs) + " epochs of " + std::to_string(stepsPerEpoch) +
                " steps; " + s.spaceDescription);

    double best = -1.0;
    int staleEvaluations = 0;
    std::vector<torch::Tensor> bestParameters;
    auto& model = s.policy->model();
    model->train();
    for (int epoch = 0; epoch < training.epochs; ++epoch) {
        const auto batches = lengthBucketedBatches(s.users, lengthOfUser, batch, kPoolBatches, s.rng);
        double epochLoss = 0.0;
        for (int64_t b = 0; b < stepsPerEpoch; ++b) {
            if (!s.waitWhilePaused()) {
                s.event(EventLevel::Info, "stopped by request after step " + std::to_string(s.completed));
                s.sink.flush();
                return Trainer::Outcome::Stopped;
            }
            std::vector<std::vector<int64_t>> sequences;
            for (auto user : batches[b]) sequences.push_back(s.split.training(user));
            const double lr = s.learningRate(s.completed, totalSteps);
            for (auto& group : s.optimizer->param_groups())
                static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
            const auto loss = s.policy->nextTokenLoss(sequences);
            const double value = loss.item<double>();
            if (!std::isfinite(value))
                throw TrainingFailure(s.completed + 1, "sft/loss is " + std::to_string(value) + " (non-finite)");
            s.optimizer->zero_grad();
            loss.backward();
            const double gradNorm = torch::nn::utils::clip_grad_norm_(
                model->parameters(), s.config.optimizer.gradClip > 0 ? s.config.optimizer.gradClip : 1e30);
            s.optimizer->step();
            ++s.completed;
            epochLoss += value;
            if (s.completed % s.config.logging.everySteps == 0)
                s.report({{"sft/loss", value}, {"learning_rate", lr}, {"grad_norm", gradNorm},
                          {"sft/epoch", static_cast<double>(epoch)}}, false);
        }
        const auto validation = s.evaluation.evaluate(*s.policy, EvaluationSplit::Validation, training.evalUsers);
        s.report(validation, true);
        const double recall = valueOf(validation, "val/recall@10");
        s.event(EventLevel::Info, "epoch " + std::to_string(epoch + 1) + ": mean loss " +
                                      std::to_string(epochLoss / stepsPerEpoch) + ", validation Recall@10 " +
                                      std::to_string(recall));
        if (recall > best) {
            best = recall;
            staleEvaluations = 0;
            bestParameters.clear();
            for (const auto& p : model->parameters()) bestParameters.push_back(p.detach().clone());
            s.saveCheckpoint("sft_best");
        } else if (++staleEvaluations >= training.patience) {
            s.event(EventLevel::Info, "early stop: no better validation Recall@10 for " +
                                          std::to_string(staleEvaluations) + " epochs");
            break;
        }
    }
    // The reported test figures are those of the model chosen on validation.
    {
        torch::NoGradGuard noGrad;
        auto parameters = model->parameters();
        for (size_t i = 0; i < parameters.size() && i < bestParameters.size(); ++i)
            parameters[i].copy_(bestParameters[i]);
    }
    const auto test = s.evaluation.evaluate(*s.policy, EvaluationSplit::Test);
    s.report(test, true);
    s.event(EventLevel::Info, "test Recall@10 " + std::to_string(valueOf(test, "eval/recall@10")) +
                                  " (best validation Recall@10 " + std::to_string(best) + ")");
    s.sink.flush();
    return Trainer::Outcome::Finished;
}

}  // namespace sage

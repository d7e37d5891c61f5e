#include "training/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <nlohmann/json.hpp>
#include <torch/serialize.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>

#include "data/amazon_environment.h"
#include "data/synthetic_environment.h"
#include "distributed/context_shard.h"
#include "distributed/distributed_context.h"
#include "distributed/gradient_all_reducer.h"
#include "model/mlp_rollout_policy.h"
#include "model/transformer_rollout_policy.h"
#include "objectives/objective_factory.h"
#include "objectives/slate_quantities.h"
#include "rewards/advantage_estimator.h"
#include "rewards/boost_eligibility.h"
#include "training/action_space.h"
#include "training/batch_statistics.h"
#include "training/ranking_evaluation.h"
#include "training/sft_trainer.h"
#include "training/simulator_evaluation.h"
#include "training/step_trace.h"
#include "training/training_device.h"
#include "training/training_failure.h"

namespace sage {
namespace {

using Clock = std::chrono::steady_clock;

constexpr double kHistogramRange = 1.0;  // ρ histogram over [−1, 1]
constexpr int kHistogramBins = 40;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const RunConfig::Optimizer& options,
                                                       std::vector<torch::Tensor> parameters) {
    if (options.kind == "adamw") {
        return std::make_unique<torch::optim::AdamW>(
            parameters,
            torch::optim::AdamWOptions(options.learningRate).weight_decay(options.weightDecay));
    }
    if (options.kind == "adam") {
        return std::make_unique<torch::optim::Adam>(
            parameters,
            torch::optim::AdamOptions(options.learningRate).weight_decay(options.weightDecay));
    }
    return std::make_unique<torch::optim::SGD>(
        parameters, torch::optim::SGDOptions(options.learningRate).weight_decay(options.weightDecay));
}

/// Parameter initialisation draws from LibTorch's global generator; seeding it is only
/// deterministic if two trainers do not construct at the same moment.
std::mutex& globalSeedMutex() {
    static std::mutex mutex;
    return mutex;
}

template <typename T>
void append(std::vector<T>& out, const torch::Tensor& values) {
    const auto flat = values.detach().to(torch::kFloat64).contiguous();
    const double* data = flat.data_ptr<double>();
    out.insert(out.end(), data, data + flat.numel());
}

/// k3 estimator of KL(π_ref ‖ π_θ) per token: exp(ℓ_ref − ℓ) − (ℓ_ref − ℓ) − 1 (SAGE.md 4.7).
torch::Tensor k3(const torch::Tensor& logpReference, const torch::Tensor& logp) {
    const auto d = (logpReference - logp).clamp(-kTokenLogRatioClamp, kTokenLogRatioClamp);
    return d.exp() - d - 1.0;
}

/// One iteration's rollout and its scores, everything the updates and the report read.
struct Rollout {
    std::vector<SlateContext> contexts;               // this rank's B/W (all B in one process)
    std::vector<SlateContext> batchContexts;          // the whole batch, every rank's
    uint64_t streamSeed = 0;                          // seeds each context's own random streams
    std::vector<std::vector<int64_t>> histories;      // S: each slate's context history
    torch::Tensor slates;          // [S, K]
    torch::Tensor logpOld;         // [S, T]
    torch::Tensor logpReference;   // [S, T]
    torch::Tensor components;      // [S, M] double
    torch::Tensor rewards;         // [B, G] double, weighted totals
    Advantages advantages;         // [B, G]
    torch::Tensor listEntropy;     // [S] Ĥ_i
    torch::Tensor boost;           // [S] b_i
    std::vector<std::vector<int64_t>> items;
    double policyEntropy = 0.0;
    double seconds = 0.0;
};

/// The last evaluation of each slate during the updates: what the per-slate inspector shows.
struct LastEvaluation {
    torch::Tensor logpNew, coefficient, branch, denominator, posCap, negScale;
    explicit LastEvaluation(const torch::Tensor& logpOld)
        : logpNew(logpOld.clone()),
          coefficient(torch::zeros({logpOld.size(0)})),
          branch(torch::zeros({logpOld.size(0)}, torch::kLong)),
          denominator(torch::zeros({logpOld.size(0)})),
          posCap(torch::zeros({logpOld.size(0)})),
          negScale(torch::zeros({logpOld.size(0)})) {}
    void record(const torch::Tensor& index, const torch::Tensor& logp, const SlateDiagnostics& d) {
        logpNew.index_copy_(0, index, logp.detach());
        coefficient.index_copy_(0, index, d.coefficient.to(torch::kFloat32));
        branch.index_copy_(0, index, d.branch);
        denominator.index_copy_(0, index, d.denominator.to(torch::kFloat32));
        posCap.index_copy_(0, index, d.posCap.to(torch::kFloat32));
        negScale.index_copy_(0, index, d.negScale.to(torch::kFloat32));
    }
};

/// The environment and the policy a configuration names, built together because the Amazon
/// environment and the Transformer share the data, its embeddings and the action space.
struct TrainingSetup {
    std::unique_ptr<AmazonData> data;  // amazon only; the environment refers to it
    std::unique_ptr<SlateEnvironment> environment;
    SyntheticEnvironment* synthetic = nullptr;  // the environment, when it is the simulator
    std::unique_ptr<RolloutPolicy> policy;
    TransformerRolloutPolicy* transformer = nullptr;  // the policy, when it is the Transformer
    std::string description;
};

TrainingSetup makeSetup(const RunConfig& cfg) {
    TrainingSetup setup;
    at::Tensor embeddings;
    std::unique_ptr<TokenSpace> space;
    if (cfg.environment.kind == "amazon") {
        setup.data = std::make_unique<AmazonData>(cfg.environment);
        embeddings = itemEmbeddings(setup.data->dataset, setup.data->split, embeddingOptions(cfg));
        space = std::make_unique<TokenSpace>(amazonTokenSpace(cfg, *setup.data, embeddings, setup.description));
        std::vector<int64_t> fallback(setup.data->dataset.itemCount);
        for (int64_t item = 0; item < setup.data->dataset.itemCount; ++item)
            fallback[item] = space->isItemIds() ? item : space->code(item, 0);
        setup.environment = std::make_unique<AmazonEnvironment>(
            *setup.data, embeddings, AmazonEnvironment::categoryKeys(setup.data->dataset, fallback),
            cfg.training.futureItems);
    } else {
        auto synthetic = std::make_unique<SyntheticEnvironment>(cfg.environment,
                                                                static_cast<uint64_t>(cfg.training.seed));
        setup.synthetic = synthetic.get();
        setup.environment = std::move(synthetic);
        space = std::make_unique<TokenSpace>(TokenSpace::itemIds(setup.environment->itemCount()));
        setup.description = "synthetic environment";
    }
    if (cfg.model.kind == "transformer") {
        auto generative = std::make_unique<GenerativePolicy>(*space, transformerOptions(cfg.model),
                                                             cfg.model.historyWindow, cfg.training.slateLength);
        if (!cfg.training.initCheckpoint.empty()) {
            try {
                torch::load(generative->model(), cfg.training.initCheckpoint);
            } catch (const std::exception& error) {
                throw std::runtime_error("cannot start from training.init_checkpoint '" +
                                         cfg.training.initCheckpoint + "': " + error.what() +
                                         " (it must be an sft_best_model.pt of an SFT run with the "
                                         "same model and action-space settings)");
            }
            setup.description += "; starting from " + cfg.training.initCheckpoint;
        }
        auto policy = std::make_unique<TransformerRolloutPolicy>(std::move(generative));
        setup.transformer = policy.get();
        setup.policy = std::move(policy);
    } else {
        setup.policy = std::make_unique<MlpRolloutPolicy>(setup.environment->itemCount(),
                                                          cfg.model.embeddingDim, cfg.model.hiddenDim,
                                                          cfg.model.historyWindow, cfg.training.slateLength);
    }
    return setup;
}

}  // namespace

struct Trainer::Impl {
    Impl(const RunConfig& cfg, TrainingSink& s, TrainerControl& c, DistributedContext* group)
        : config(cfg),
          sink(s),
          control(c),
          device(resolveDevice(cfg)),
          distributed(group),
          shard(group ? group->rank() : 0, group ? group->worldSize() : 1, cfg.training.contexts,
                cfg.training.groupSize),
          rng(static_cast<uint64_t>(cfg.training.seed) + 1),
          generator(seededGenerator(device, cfg.training.seed + 2)),
          objective(makeObjective(cfg.objective)),
          estimator(advantageEstimatorFor(cfg.objective)) {
        // "All cores" is shared among the ranks this machine runs.
        configureCpuRuntime(cfg, distributed ? distributed->localWorldSize() : 1);
        {
            std::lock_guard<std::mutex> lock(globalSeedMutex());
            torch::manual_seed(cfg.training.seed);
            setup = makeSetup(cfg);
        }
        setup.policy->moveTo(device);
        if (distributed) {
            // Ranks must train the same run from the same start (DDP broadcasts rank 0's weights).
            distributed->requireSameOnAllRanks(std::hash<std::string>{}(toJson(cfg).dump()), "the configuration");
            distributed->broadcastFromLeader(setup.policy->parameters());
            gradients = std::make_unique<GradientAllReducer>(*distributed, setup.policy->parameters());
        }
        // The KL reference is the policy RL starts from (the SFT checkpoint when there is one).
        reference = setup.policy->frozenCopy();
        optimizer = makeOptimizer(cfg.optimizer, setup.policy->parameters());
        rewardWeights = torch::tensor(setup.environment->weights(cfg.rewards), torch::kFloat64);
        if (setup.data) {
            evaluation = std::make_unique<RankingEvaluation>(setup.data->dataset, setup.data->split,
                                                             std::vector<uint8_t>{}, cfg.training.evalBeam);
        } else if (setup.synthetic) {
            // Leave-one-out on the simulator's logged histories, cold start as the simulator knows it.
            evaluation = std::make_unique<RankingEvaluation>(setup.synthetic->logged(), setup.synthetic->split(),
                                                             setup.synthetic->coldItems());
            groundTruth = std::make_unique<SimulatorEvaluation>(*setup.synthetic,
                                                                setup.environment->weights(cfg.rewards));
        }
        started = Clock::now();
    }

    /// Ranks agree on stopping at step boundaries (run()); within a step only a lone process stops,
    /// and only during the rollout, which step() undoes: the state stays that of a step boundary,
    /// which the checkpoint written at the stop records.
    bool stopRequested() const {
        return !distributed && control.stopRequested.load(std::memory_order_relaxed);
    }
    std::optional<Rollout> rollout();
    void score(Rollout& r);
    torch::Tensor sftLoss();
    bool step();
    void gatherShards(Rollout& r, LastEvaluation& last, StepTrace& trace);
    void report(int64_t step, const Rollout& r, const LastEvaluation& last, const StepTrace& trace,
                double updateSeconds);
    /// Ranking metrics of `split` (validation: a subset of training.eval_users users), and on the
    /// synthetic environment the simulator's exact expected-reward metrics of the same users.
    void evaluate(EvaluationSplit split);
    void save(const std::string& path);
    void restore(const std::string& path);
    /// The scheduled checkpoint, or (`always`) the one at a stop or the end; none twice per step.
    void checkpoint(bool always);

    RunConfig config;
    TrainingSink& sink;
    TrainerControl& control;
    c10::Device device;
    DistributedContext* distributed;  // null: a single process
    ContextShard shard;               // this rank's contexts and slates (all of them when single)
    std::unique_ptr<GradientAllReducer> gradients;  // distributed only
    TrainingSetup setup;
    std::mt19937_64 rng;
    at::Generator generator;
    std::unique_ptr<RolloutPolicy> reference;
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    std::unique_ptr<PolicyObjective> objective;
    std::unique_ptr<RankingEvaluation> evaluation;
    std::unique_ptr<SimulatorEvaluation> groundTruth;  // the synthetic environment only
    std::string estimator;
    torch::Tensor rewardWeights;
    int64_t completed = 0;
    Clock::time_point started;
    std::string checkpointFolder;  // empty: no checkpoints
    int64_t checkpointedStep = -1;  // the step of the newest checkpoint written or restored
    std::string restoredFrom;      // the checkpoint this trainer continues, if any
};

std::optional<Rollout> Trainer::Impl::rollout() {
    const auto start = Clock::now();
    Rollout r;
    // Every rank draws the whole batch from the same stream and rolls out its own block of it.
    r.batchContexts = setup.environment->drawContexts(config.training.contexts, rng);
    r.streamSeed = rng();
    r.contexts = shard.own(r.batchContexts);
    auto sampled = setup.policy->sample(r.contexts, config.training.groupSize, config.training.temperature,
                                        RowSampler(shard.samplingStreams(r.streamSeed), config.training.groupSize),
                                        distributed ? nullptr : &control.stopRequested);
    if (!sampled) return std::nullopt;  // a stop is honoured inside rollouts too
    r.slates = sampled->slates;
    r.logpOld = sampled->logp;
    r.policyEntropy = sampled->entropy;
    for (const auto& context : r.contexts)
        for (int g = 0; g < config.training.groupSize; ++g) r.histories.push_back(context.history);
    torch::NoGradGuard noGrad;
    r.logpReference = reference->logProbs(r.histories, r.slates);
    r.seconds = secondsSince(start);
    return r;
}

void Trainer::Impl::score(Rollout& r) {
    const int64_t slateCount = r.slates.size(0);
    const int64_t slateLength = r.slates.size(1);
    const int64_t groupSize = config.training.groupSize;
    const auto& names = setup.environment->components();
    const auto componentCount = static_cast<int64_t>(names.size());
    r.components = torch::empty({slateCount, componentCount}, torch::kFloat64);
    auto cold = torch::empty({slateCount, componentCount}, torch::kFloat64);
    r.listEntropy = torch::empty({slateCount});
    r.items.assign(slateCount, std::vector<int64_t>(slateLength));
    auto slates = r.slates.accessor<int64_t, 2>();
    auto out = r.components.accessor<double, 2>();
    auto coldOut = cold.accessor<double, 2>();
    auto entropy = r.listEntropy.accessor<float, 1>();
    std::mt19937_64 responses;  // each context's own stream: rewards do not depend on the shard
    for (int64_t s = 0; s < slateCount; ++s) {
        if (s % groupSize == 0) responses.seed(shard.responseSeed(r.streamSeed, s / groupSize));
        for (int64_t t = 0; t < slateLength; ++t) r.items[s][t] = slates[s][t];
        const auto response = setup.environment->respond(r.contexts[s / groupSize], r.items[s], responses);
        for (int64_t m = 0; m < componentCount; ++m) {
            out[s][m] = response.components[m];
            coldOut[s][m] = response.coldComponents[m];
        }
        entropy[s] = static_cast<float>(setup.environment->listEntropy(r.items[s]));
    }
    // Decoupled and sign advantages normalise over the whole batch: every rank computes them from
    // every rank's rewards and keeps its own rows.
    const auto batchComponents = distributed ? distributed->allGatherRows(r.components) : r.components;
    const auto batchRewards = batchComponents.matmul(rewardWeights).view({-1, groupSize});
    if (estimator == "decoupled") {
        r.advantages = decoupledAdvantages(batchComponents.view({-1, groupSize, componentCount}), rewardWeights);
    } else if (estimator == "sign") {
        r.advantages = signAdvantages(batchRewards, config.objective.signFloor);
    } else {
        r.advantages = groupAdvantages(batchRewards);
    }
    const int64_t ownContexts = shard.contextEnd() - shard.contextBegin();
    r.rewards = batchRewards.narrow(0, shard.contextBegin(), ownContexts);
    r.advantages.values = r.advantages.values.narrow(0, shard.contextBegin(), ownContexts);  // counts: whole batch
    // Positive, item-attributable reward, in total and from cold-start items (boost eligibility).
    std::vector<double> attributable;
    for (bool a : setup.environment->itemAttributable()) attributable.push_back(a ? 1.0 : 0.0);
    const auto weights = rewardWeights * torch::tensor(attributable, torch::kFloat64);
    const auto positive = (r.components * weights).clamp_min(0.0).sum(1);
    const auto coldPositive = (cold * weights).clamp_min(0.0).sum(1);
    r.boost = boostEligibility(config.objective.boostMode,
                               r.advantages.values.flatten().to(torch::kFloat32),
                               positive.to(torch::kFloat32), coldPositive.to(torch::kFloat32));
}

torch::Tensor Trainer::Impl::sftLoss() {
    // Next-item prediction on logged histories: the item after each drawn context. Every rank
    // draws the whole batch and scores its own block; the parts sum to the batch mean.
    const auto contexts = setup.environment->drawContexts(config.training.contexts, rng);
    std::vector<std::vector<int64_t>> histories;
    std::vector<int64_t> targets;
    int64_t batchTargets = 0;
    for (int64_t c = 0; c < static_cast<int64_t>(contexts.size()); ++c) {
        const auto& context = contexts[c];
        const bool mine = c >= shard.contextBegin() && c < shard.contextEnd();
        if (!context.future.empty()) {
            ++batchTargets;
            if (!mine) continue;
            histories.push_back(context.history);
            targets.push_back(context.future.front());
        } else if (context.history.size() >= 2) {
            // The simulator has no future: predict the last logged item from the ones before it.
            ++batchTargets;
            if (!mine) continue;
            histories.emplace_back(context.history.begin(), context.history.end() - 1);
            targets.push_back(context.history.back());
        }
    }
    if (targets.empty()) return torch::zeros({});
    const auto slates = torch::tensor(targets, torch::kLong).view({-1, 1});
    return -setup.policy->logProbs(histories, slates).sum() / static_cast<double>(batchTargets);
}

bool Trainer::Impl::step() {
    const auto& training = config.training;
    const int64_t stepNumber = completed + 1;
    // A stop during the rollout hands back the random state this step started from, so a stopped
    // run's checkpoint continues exactly where an unstopped run would have.
    const std::mt19937_64 rngAtStart = rng;
    auto rolled = rollout();
    if (!rolled) {
        rng = rngAtStart;
        return false;
    }
    Rollout& r = *rolled;
    if (!torch::isfinite(r.logpOld).all().item<bool>()) {
        throw TrainingFailure(stepNumber, "the rollout's log-probabilities are non-finite (the policy's "
                                          "parameters diverged); no update was made");
    }
    score(r);

    // μ epochs over n_mb minibatches: recompute log π_θ, minimise the objective (+ KL, SFT mix).
    const auto updateStart = Clock::now();
    const int64_t slateCount = r.slates.size(0);
    const int64_t tokens = r.logpOld.size(1);
    const auto mask = torch::ones({slateCount, tokens});
    const auto advantages = r.advantages.values.flatten().to(torch::kFloat32);
    const double beta = config.objective.klBeta;
    const double alpha = config.objective.sftAlpha;
    const double maxNorm = config.optimizer.gradClip > 0.0 ? config.optimizer.gradClip
                                                           : std::numeric_limits<double>::infinity();
    LastEvaluation last(r.logpOld);
    StepTrace trace;
    // Minibatches are drawn from the whole batch; each rank updates with the slates it holds,
    // its loss scaled by its share, and the gradients summed over the ranks are the whole
    // minibatch's: W ranks make the update one process would.
    const int64_t batchSlates = shard.totalSlates();
    const int64_t minibatchSize = (batchSlates + training.minibatches - 1) / training.minibatches;
    for (int epoch = 0; epoch < training.innerEpochs; ++epoch) {
        // Drawn with the device's generator, read on the CPU.
        const auto order = torch::randperm(batchSlates, generator, torch::TensorOptions(torch::kLong).device(device)).cpu();
        // The updates run to the end once begun: stopping halfway would leave a state no
        // checkpoint can describe. A stop waits for at most one update phase.
        for (int64_t begin = 0; begin < batchSlates; begin += minibatchSize) {
            const auto minibatch = order.slice(0, begin, std::min(begin + minibatchSize, batchSlates));
            const auto index = shard.localRows(minibatch);
            const bool holdsSlates = index.numel() > 0;
            const double share = static_cast<double>(index.numel()) / static_cast<double>(minibatch.numel());
            torch::Tensor loss = torch::zeros({});
            torch::Tensor logpNew, logpOld, batchMask, batchAdvantages, klPerSlate;
            ObjectiveOutput result;
            if (holdsSlates) {
                std::vector<std::vector<int64_t>> histories;
                for (int64_t row : std::vector<int64_t>(index.data_ptr<int64_t>(),
                                                        index.data_ptr<int64_t>() + index.numel()))
                    histories.push_back(r.histories[row]);
                logpNew = setup.policy->logProbs(histories, r.slates.index_select(0, index));
                logpOld = r.logpOld.index_select(0, index);
                batchMask = mask.index_select(0, index);
                batchAdvantages = advantages.index_select(0, index);
                result = objective->compute({logpNew, logpOld, batchMask, batchAdvantages,
                                             r.listEntropy.index_select(0, index),
                                             r.boost.index_select(0, index)});
                klPerSlate = perSlateMean(k3(r.logpReference.index_select(0, index), logpNew), batchMask);
                loss = share * result.loss;
                if (beta > 0.0) loss = loss + share * beta * klPerSlate.mean();
            }
            torch::Tensor sftTerm = torch::zeros({});
            if (alpha > 0.0) {
                sftTerm = sftLoss();
                loss = loss + alpha * sftTerm;
            }
            // The minibatch's losses: this rank's parts, summed over the ranks.
            auto losses = torch::tensor({holdsSlates ? share * result.loss.item<double>() : 0.0,
                                         holdsSlates ? share * beta * klPerSlate.mean().item<double>() : 0.0,
                                         sftTerm.item<double>(), loss.item<double>()},
                                        torch::kFloat64);
            if (distributed) distributed->allReduceSum(losses);
            const double total = losses[3].item<double>();
            if (!std::isfinite(total)) {
                throw TrainingFailure(stepNumber, "loss/total is " + std::to_string(total) +
                                                      " (non-finite; loss/policy " +
                                                      std::to_string(losses[0].item<double>()) +
                                                      "); the update was not applied");
            }
            optimizer->zero_grad();
            if (loss.requires_grad()) loss.backward();
            if (gradients) gradients->allReduce();
            const double gradNorm = torch::nn::utils::clip_grad_norm_(setup.policy->parameters(), maxNorm);
            if (!std::isfinite(gradNorm)) {
                throw TrainingFailure(stepNumber, "grad_norm is " + std::to_string(gradNorm) +
                                                      " (non-finite); the update was not applied");
            }
            optimizer->step();

            trace.policyLoss += losses[0].item<double>();
            trace.klLoss += losses[1].item<double>();
            trace.sftLoss += losses[2].item<double>();
            trace.totalLoss += total;
            trace.gradNorm += gradNorm;
            ++trace.updates;
            if (!holdsSlates) continue;
            torch::NoGradGuard noGrad;
            const auto logRatio = (logpNew.detach() - logpOld).to(torch::kFloat64);
            append(trace.tokenRatios, logRatio.clamp(-kTokenLogRatioClamp, kTokenLogRatioClamp).exp());
            append(trace.sequenceLogRatios, result.slates.logRatio);
            append(trace.approxKlOld, perSlateMean(k3(logpOld, logpNew.detach()), batchMask));
            append(trace.klReference, klPerSlate);
            append(trace.coefficients, result.slates.coefficient);
            append(trace.advantages, batchAdvantages);
            append(trace.posCaps, result.slates.posCap);
            append(trace.negScales, result.slates.negScale);
            append(trace.negCaps, result.slates.negCap);
            const auto boosted = result.slates.boostApplied.to(torch::kUInt8).contiguous();
            trace.boostApplied.insert(trace.boostApplied.end(), boosted.data_ptr<uint8_t>(),
                                      boosted.data_ptr<uint8_t>() + boosted.numel());
            // Fractions of this rank's slates, weighted by its share: summed over the ranks they
            // are fractions of the minibatch.
            trace.clipLow += share * result.clipLowFraction;
            trace.clipHigh += share * result.clipHighFraction;
            trace.clipRegion += share * result.clipRegionFraction;
            trace.posActive += share * result.posActiveFraction;
            trace.negActive += share * result.negActiveFraction;
            trace.hasClip = result.hasClip;
            last.record(index, logpNew, result.slates);
        }
    }
    completed = stepNumber;
    if (stepNumber % config.logging.everySteps == 0 || stepNumber == 1) {
        const double updateSeconds = secondsSince(updateStart);
        if (distributed) gatherShards(r, last, trace);
        if (!distributed || distributed->isLeader()) report(stepNumber, r, last, trace, updateSeconds);
    }
    const int evalEvery = config.logging.evalEverySteps;
    if (evaluation && evalEvery > 0 && stepNumber % evalEvery == 0) evaluate(EvaluationSplit::Validation);
    return true;
}

void Trainer::Impl::gatherShards(Rollout& r, LastEvaluation& last, StepTrace& trace) {
    auto& group = *distributed;
    const auto rows = [&](torch::Tensor& tensor) { tensor = group.allGatherRows(tensor); };
    for (auto* tensor : {&r.slates, &r.logpOld, &r.components, &r.rewards, &r.advantages.values, &r.listEntropy,
                         &r.boost, &last.logpNew, &last.coefficient, &last.branch, &last.denominator,
                         &last.posCap, &last.negScale})
        rows(*tensor);
    const auto values = [&](auto& vector) {
        using T = typename std::decay_t<decltype(vector)>::value_type;
        const auto all = group.allGatherRows(
            torch::from_blob(vector.data(), {static_cast<int64_t>(vector.size())},
                             std::is_same_v<T, double> ? torch::kFloat64 : torch::kUInt8).clone());
        vector.assign(all.template data_ptr<T>(), all.template data_ptr<T>() + all.numel());
    };
    for (auto* vector : {&trace.tokenRatios, &trace.sequenceLogRatios, &trace.approxKlOld, &trace.klReference,
                         &trace.coefficients, &trace.advantages, &trace.posCaps, &trace.negScales, &trace.negCaps})
        values(*vector);
    values(trace.boostApplied);
    const double localShare = static_cast<double>(shard.localSlates()) / static_cast<double>(shard.totalSlates());
    auto sums = torch::tensor({trace.clipLow, trace.clipHigh, trace.clipRegion, trace.posActive, trace.negActive,
                               localShare * r.policyEntropy, trace.hasClip ? 1.0 : 0.0},
                              torch::kFloat64);
    group.allReduceSum(sums);
    const auto sum = [&](int i) { return sums[i].item<double>(); };
    trace.clipLow = sum(0), trace.clipHigh = sum(1), trace.clipRegion = sum(2);
    trace.posActive = sum(3), trace.negActive = sum(4);
    r.policyEntropy = sum(5);
    trace.hasClip = sum(6) > 0.0;
    auto seconds = torch::tensor({r.seconds}, torch::kFloat64);  // the slowest rank's
    group.allReduceMax(seconds);
    r.seconds = seconds.item<double>();
    r.contexts = r.batchContexts;
    auto slates = r.slates.accessor<int64_t, 2>();
    r.items.assign(r.slates.size(0), std::vector<int64_t>(r.slates.size(1)));
    for (int64_t s = 0; s < r.slates.size(0); ++s)
        for (int64_t t = 0; t < r.slates.size(1); ++t) r.items[s][t] = slates[s][t];
}

void Trainer::Impl::evaluate(EvaluationSplit split) {
    const int64_t maxUsers = split == EvaluationSplit::Validation ? config.training.evalUsers : 0;
    auto values = setup.data ? evaluation->evaluate(setup.transformer->generative(), split, maxUsers,
                                                    RankingEvaluation::kBatchSize, distributed)
                             : evaluation->evaluate(
                                   [this](const std::vector<std::vector<int64_t>>& contexts, int64_t k) {
                                       return setup.policy->topItems(contexts, k);
                                   },
                                   {}, split, maxUsers, RankingEvaluation::kBatchSize, distributed);
    if (distributed && !distributed->isLeader()) return;  // rank 0 reports
    if (groundTruth) {
        // No collective inside: the leader alone scores the users, the others are done.
        torch::NoGradGuard noGrad;
        const auto expected = groundTruth->evaluate(*setup.policy, evaluation->users(maxUsers), split);
        values.insert(values.end(), expected.begin(), expected.end());
    }
    sink.onStep({completed, secondsSince(started), values});
    sink.onEval({completed, values});
}

void Trainer::Impl::report(int64_t stepNumber, const Rollout& r, const LastEvaluation& last,
                           const StepTrace& trace, double updateSeconds) {
    StepScalars scalars;
    scalars.step = stepNumber;
    scalars.wallTime = secondsSince(started);
    auto& v = scalars.values;
    v = stepMetrics(trace);

    const auto& names = setup.environment->components();
    const auto componentMean = r.components.mean(0);
    const auto componentStd = r.components.std(0, /*unbiased=*/false);
    for (size_t m = 0; m < names.size(); ++m) {
        v.push_back({"rewards/" + names[m] + "/mean", componentMean[m].item<double>()});
        v.push_back({"rewards/" + names[m] + "/std", componentStd[m].item<double>()});
    }
    const auto groups = static_cast<double>(r.rewards.size(0));
    const auto& adv = r.advantages.values;
    v.insert(v.end(), {{"reward", r.rewards.mean().item<double>()},
                       {"reward_std", r.rewards.std(/*unbiased=*/false).item<double>()},
                       {"frac_reward_zero_std", r.advantages.tiedRewardGroups / groups},
                       {"adv/mean", adv.mean().item<double>()},
                       {"adv/std", adv.std(/*unbiased=*/false).item<double>()},
                       {"adv/min", adv.min().item<double>()},
                       {"adv/max", adv.max().item<double>()},
                       {"adv/pos_frac", adv.gt(0).to(torch::kFloat64).mean().item<double>()},
                       {"adv/zero_std_groups", static_cast<double>(r.advantages.zeroSignalGroups)},
                       {"slate/entropy_mean", r.listEntropy.mean().item<double>()},
                       {"entropy", r.policyEntropy},
                       {"learning_rate", config.optimizer.learningRate},
                       {"time/rollout_seconds", r.seconds},
                       {"time/update_seconds", updateSeconds}});
    sink.onStep(scalars);
    sink.onHistogram(makeHistogram(trace.sequenceLogRatios, "hist/log_ratio", stepNumber,
                                   -kHistogramRange, kHistogramRange, kHistogramBins));

    const int slatesEvery = config.logging.slatesEverySteps;
    if (slatesEvery <= 0 || (stepNumber % slatesEvery != 0 && stepNumber != 1)) return;
    const int64_t slateCount = r.slates.size(0);
    const int64_t slateLength = r.logpOld.size(1);  // tokens per slate
    const int64_t groupSize = r.rewards.size(1);
    const auto oldRows = r.logpOld.contiguous();
    const auto newRows = last.logpNew.contiguous();
    const auto advantages = adv.flatten().contiguous();
    auto components = r.components.accessor<double, 2>();
    // Read each per-slate tensor once through an accessor, not element by element.
    auto denominators = last.denominator.accessor<float, 1>();
    auto coefficients = last.coefficient.accessor<float, 1>();
    auto branches = last.branch.accessor<int64_t, 1>();
    auto posCaps = last.posCap.accessor<float, 1>();
    auto negScales = last.negScale.accessor<float, 1>();
    auto boosts = r.boost.accessor<float, 1>();
    auto entropies = r.listEntropy.accessor<float, 1>();
    std::vector<SlateRecord> records(slateCount);
    for (int64_t s = 0; s < slateCount; ++s) {
        auto& record = records[s];
        record.step = stepNumber;
        record.user = r.contexts[s / groupSize].user;
        record.group = static_cast<int32_t>(s / groupSize);
        record.items = r.items[s];
        const float* oldRow = oldRows.data_ptr<float>() + s * slateLength;
        const float* newRow = newRows.data_ptr<float>() + s * slateLength;
        record.logpOld.assign(oldRow, oldRow + slateLength);
        record.logpNew.assign(newRow, newRow + slateLength);
        double sumOld = 0.0, sumNew = 0.0;
        for (int64_t t = 0; t < slateLength; ++t) {
            record.tokenRatio.push_back(std::exp(std::clamp<double>(
                newRow[t] - oldRow[t], -kTokenLogRatioClamp, kTokenLogRatioClamp)));
            sumOld += oldRow[t];
            sumNew += newRow[t];
        }
        record.logRatio = (sumNew - sumOld) / slateLength;
        record.ratio = std::exp(std::clamp(record.logRatio, -kSequenceLogRatioClamp, kSequenceLogRatioClamp));
        record.pbarOld = std::exp(sumOld / slateLength);
        record.pbarNew = std::exp(sumNew / slateLength);
        record.denominator = denominators[s];
        record.coefficient = coefficients[s];
        record.branch = toString(static_cast<ActiveBranch>(branches[s]));
        record.boost = boosts[s];
        record.posCap = posCaps[s];
        record.listEntropy = entropies[s];
        record.negScale = negScales[s];
        record.advantage = advantages.data_ptr<double>()[s];
        for (size_t m = 0; m < names.size(); ++m)
            record.rewards.push_back({names[m], components[s][static_cast<int64_t>(m)]});
    }
    sink.onSlates(records);
}

namespace {

// Bumped when the checkpoint layout changes: an older trainer must not misread a newer file.
constexpr int64_t kCheckpointFormat = 1;

void writeParameters(torch::serialize::OutputArchive& archive, const std::string& prefix,
                     const std::vector<torch::Tensor>& parameters) {
    archive.write(prefix + "/count", torch::tensor(static_cast<int64_t>(parameters.size())));
    for (size_t i = 0; i < parameters.size(); ++i)
        archive.write(prefix + "/" + std::to_string(i), parameters[i].detach().cpu());
}

/// Copies the stored values into the parameters in place, so the optimizer keeps referring to them.
void readParameters(torch::serialize::InputArchive& archive, const std::string& prefix,
                    const std::vector<torch::Tensor>& parameters) {
    torch::Tensor count;
    archive.read(prefix + "/count", count);
    if (count.item<int64_t>() != static_cast<int64_t>(parameters.size())) {
        throw std::runtime_error(prefix + " has " + std::to_string(count.item<int64_t>()) +
                                 " parameter tensors, this model " + std::to_string(parameters.size()));
    }
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < parameters.size(); ++i) {
        torch::Tensor value;
        archive.read(prefix + "/" + std::to_string(i), value);
        if (!value.sizes().equals(parameters[i].sizes())) {
            std::ostringstream why;
            why << prefix << " tensor " << i << " has shape " << value.sizes() << ", this model "
                << parameters[i].sizes();
            throw std::runtime_error(why.str());
        }
        parameters[i].copy_(value);
    }
}

torch::Tensor generatorState(at::Generator generator) {
    std::lock_guard<std::mutex> lock(generator.mutex());
    return generator.get_state();
}

void setGeneratorState(at::Generator generator, const torch::Tensor& state) {
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
}

/// LibTorch's own generator of the device (dropout draws from it).
at::Generator defaultGenerator(c10::Device device) {
    return device.is_cpu() ? at::detail::getDefaultCPUGenerator() : at::globalContext().defaultGenerator(device);
}

}  // namespace

void Trainer::Impl::save(const std::string& path) {
    namespace fs = std::filesystem;
    const std::string temporary = path + Trainer::kPartialSuffix;
    try {
        torch::serialize::OutputArchive archive;
        archive.write("format", torch::tensor(kCheckpointFormat));
        archive.write("step", torch::tensor(completed));
        archive.write("elapsed_seconds", torch::tensor(secondsSince(started), torch::kFloat64));
        writeParameters(archive, "policy", setup.policy->parameters());
        writeParameters(archive, "reference", reference->parameters());
        torch::serialize::OutputArchive optimizerArchive;
        optimizer->save(optimizerArchive);
        archive.write("optimizer", optimizerArchive);
        std::ostringstream contextStream;
        contextStream << rng;
        const std::string text = contextStream.str();
        const auto bytes = torch::empty({static_cast<int64_t>(text.size())}, torch::kUInt8);
        std::copy(text.begin(), text.end(), reinterpret_cast<char*>(bytes.data_ptr<uint8_t>()));
        archive.write("rng/contexts", bytes);
        archive.write("rng/minibatches", generatorState(generator));
        archive.write("rng/torch", generatorState(defaultGenerator(device)));
        fs::create_directories(fs::path(path).parent_path());
        archive.save_to(temporary);
        fs::rename(temporary, path);
    } catch (const std::exception& error) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw std::runtime_error("cannot write the checkpoint " + path + " after step " +
                                 std::to_string(completed) + ": " + error.what() +
                                 " (free disk space or make the folder writable, then resume the run; "
                                 "its last good checkpoint is kept)");
    }
}

void Trainer::Impl::restore(const std::string& path) {
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(path);
        torch::Tensor format, step, elapsed, contexts, minibatches, global;
        archive.read("format", format);
        if (format.item<int64_t>() != kCheckpointFormat) {
            throw std::runtime_error("it has checkpoint format " + std::to_string(format.item<int64_t>()) +
                                     ", this build reads format " + std::to_string(kCheckpointFormat));
        }
        archive.read("step", step);
        archive.read("elapsed_seconds", elapsed);
        readParameters(archive, "policy", setup.policy->parameters());
        readParameters(archive, "reference", reference->parameters());
        torch::serialize::InputArchive optimizerArchive;
        archive.read("optimizer", optimizerArchive);
        optimizer->load(optimizerArchive);
        archive.read("rng/contexts", contexts);
        archive.read("rng/minibatches", minibatches);
        archive.read("rng/torch", global);
        const auto text = contexts.contiguous();
        const char* first = reinterpret_cast<const char*>(text.data_ptr<uint8_t>());
        std::istringstream contextStream(std::string(first, first + text.numel()));
        contextStream >> rng;
        if (!contextStream) throw std::runtime_error("its random state is damaged");
        setGeneratorState(generator, minibatches);
        setGeneratorState(defaultGenerator(device), global);
        completed = step.item<int64_t>();
        started = Clock::now() - std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(elapsed.item<double>()));
    } catch (const std::exception& error) {
        throw std::runtime_error("cannot resume from the checkpoint " + path + ": " + error.what() +
                                 " (it must be a checkpoint of this run, written by this version)");
    }
    checkpointedStep = completed;
    restoredFrom = path;
}

void Trainer::Impl::checkpoint(bool always) {
    if (checkpointFolder.empty() || completed == checkpointedStep) return;
    const int every = config.training.checkpointEverySteps;
    if (!always && (every <= 0 || completed % every != 0)) return;
    const auto path = std::filesystem::path(checkpointFolder) / ("step-" + std::to_string(completed) + ".ckpt");
    save(path.string());
    checkpointedStep = completed;
    sink.onCheckpoint(completed, path.string());
}

Trainer::Trainer(const RunConfig& config, TrainingSink& sink, TrainerControl& control,
                 DistributedContext* distributed)
    : m_impl(std::make_unique<Impl>(config, sink, control, distributed)) {}

Trainer::~Trainer() = default;

int64_t Trainer::totalSteps() const { return m_impl->config.training.steps; }
int64_t Trainer::completedSteps() const { return m_impl->completed; }
bool Trainer::done() const { return m_impl->completed >= totalSteps(); }
bool Trainer::step() { return m_impl->step(); }
void Trainer::setCheckpointFolder(const std::string& folder) { m_impl->checkpointFolder = folder; }
void Trainer::saveCheckpoint(const std::string& path) { m_impl->save(path); }
void Trainer::restoreCheckpoint(const std::string& path) { m_impl->restore(path); }

std::vector<float> Trainer::parameterValues() const {
    std::vector<float> values;
    for (const auto& parameter : m_impl->setup.policy->parameters()) {
        const auto flat = parameter.detach().to(torch::kFloat32).contiguous().view(-1);
        values.insert(values.end(), flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
    }
    return values;
}

Trainer::Outcome Trainer::run() {
    auto& control = m_impl->control;
    const auto event = [&](EventLevel level, const std::string& message) {
        m_impl->sink.onEvent({completedSteps(), secondsSince(m_impl->started), level, message});
    };
    m_impl->sink.onRunStarted(totalSteps());
    event(EventLevel::Info, "training " + std::to_string(totalSteps()) + " steps with " +
                                m_impl->objective->name() + " (" + m_impl->estimator +
                                " advantages) on " + std::to_string(m_impl->setup.environment->itemCount()) +
                                " items; " + m_impl->setup.description);
    if (!m_impl->restoredFrom.empty())
        event(EventLevel::Info, "resumed after step " + std::to_string(completedSteps()) + " from " + m_impl->restoredFrom);
    while (!done()) {
        bool go = holdWhilePaused(control, [&](const std::string& note) { event(EventLevel::Info, note); });
        if (m_impl->distributed) go = !m_impl->distributed->anyRank(!go);  // all ranks stop together
        if (!go || !step()) {
            event(EventLevel::Info, "stopped by request after step " + std::to_string(completedSteps()));
            m_impl->checkpoint(true);
            m_impl->sink.flush();
            return Outcome::Stopped;
        }
        m_impl->checkpoint(false);
    }
    // A kill during the final evaluation resumes here rather than at the last scheduled step.
    m_impl->checkpoint(true);
    if (m_impl->evaluation) {
        // Validation ends where training ends; the test pass scores every user, not the subset.
        m_impl->evaluate(EvaluationSplit::Validation);
        m_impl->evaluate(EvaluationSplit::Test);
    }
    event(EventLevel::Info, "finished " + std::to_string(completedSteps()) + " steps");
    m_impl->sink.flush();
    return Outcome::Finished;
}

}  // namespace sage

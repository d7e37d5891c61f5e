#include "training/trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>

#include "data/synthetic_environment.h"
#include "model/slate_policy.h"
#include "objectives/objective_factory.h"
#include "rewards/advantage_estimator.h"
#include "training/batch_statistics.h"
#include "training/training_failure.h"

namespace sage {
namespace {

using Clock = std::chrono::steady_clock;

constexpr double kSequenceLogRatioClamp = 10.0;  // SAGE.md 2: r_i = exp(clamp(ρ_i, −10, 10))
constexpr double kHistogramRange = 1.0;          // ρ histogram over [−1, 1]
constexpr int kHistogramBins = 40;
constexpr auto kPausePoll = std::chrono::milliseconds(20);

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

/// Everything one iteration's updates produced, gathered for the step's metrics.
struct UpdateTrace {
    std::vector<double> tokenRatios;
    std::vector<double> sequenceLogRatios;
    std::vector<double> approxKl;
    double clipLow = 0.0, clipHigh = 0.0, clipRegion = 0.0;
    double policyLoss = 0.0, gradNorm = 0.0;
    int updates = 0;
};

}  // namespace

struct Trainer::Impl {
    Impl(const RunConfig& cfg, TrainingSink& s, TrainerControl& c)
        : config(cfg),
          sink(s),
          control(c),
          environment(cfg.environment, static_cast<uint64_t>(cfg.training.seed)),
          rng(static_cast<uint64_t>(cfg.training.seed) + 1),
          generator(at::make_generator<at::CPUGeneratorImpl>(cfg.training.seed + 2)),
          objective(makeObjective(cfg.objective)) {
        const int threads = cfg.training.threads > 0
                                ? cfg.training.threads
                                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        torch::set_num_threads(threads);
        {
            std::lock_guard<std::mutex> lock(globalSeedMutex());
            torch::manual_seed(cfg.training.seed);
            policy = SlatePolicy(environment.itemCount(), cfg.model.embeddingDim, cfg.model.hiddenDim);
        }
        optimizer = makeOptimizer(cfg.optimizer, policy->parameters());
        const auto& weights = SyntheticEnvironment::defaultWeights();
        rewardWeights = torch::tensor(std::vector<double>(weights.begin(), weights.end()),
                                      torch::kFloat64);
        started = Clock::now();
    }

    bool stopRequested() const { return control.stopRequested.load(std::memory_order_relaxed); }
    torch::Tensor contextsFor(const std::vector<int>& users) const;
    bool step();
    void report(int64_t step, const std::vector<int>& users, const torch::Tensor& slates,
                const torch::Tensor& logpOld, const torch::Tensor& logpNew,
                const torch::Tensor& coefficient, const torch::Tensor& branch,
                const torch::Tensor& components, const torch::Tensor& rewards,
                const GroupAdvantages& advantages, const UpdateTrace& trace, double rolloutEntropy,
                double rolloutSeconds, double updateSeconds);

    RunConfig config;
    TrainingSink& sink;
    TrainerControl& control;
    SyntheticEnvironment environment;
    std::mt19937_64 rng;
    at::Generator generator;
    SlatePolicy policy{nullptr};
    std::unique_ptr<torch::optim::Optimizer> optimizer;
    std::unique_ptr<PolicyObjective> objective;
    torch::Tensor rewardWeights;
    int64_t completed = 0;
    Clock::time_point started;
};

torch::Tensor Trainer::Impl::contextsFor(const std::vector<int>& users) const {
    const int64_t window = config.model.historyWindow;
    auto contexts = torch::full({static_cast<int64_t>(users.size()), window}, -1, torch::kLong);
    auto access = contexts.accessor<int64_t, 2>();
    for (size_t b = 0; b < users.size(); ++b) {
        const auto& history = environment.history(users[b]);
        const int64_t take = std::min<int64_t>(window, static_cast<int64_t>(history.size()));
        for (int64_t i = 0; i < take; ++i)
            access[b][window - take + i] = history[history.size() - take + i];
    }
    return contexts;
}

bool Trainer::Impl::step() {
    const auto& training = config.training;
    const int64_t contextsPerStep = training.contexts;
    const int64_t groupSize = training.groupSize;
    const int64_t slateLength = training.slateLength;
    const int64_t slateCount = contextsPerStep * groupSize;
    const int64_t items = environment.itemCount();
    const int64_t stepNumber = completed + 1;
    const auto stepStart = Clock::now();

    // 1. Rollout from π_old: G slates per context, sampled without repeated items.
    std::uniform_int_distribution<int> pickUser(0, environment.userCount() - 1);
    std::vector<int> users(contextsPerStep);
    for (auto& user : users) user = pickUser(rng);
    const auto contexts = contextsFor(users).repeat_interleave(groupSize, 0);  // [S, H]
    auto slates = torch::empty({slateCount, slateLength}, torch::kLong);
    double rolloutEntropy = 0.0;
    torch::Tensor logpOld;
    {
        torch::NoGradGuard noGrad;
        const auto logits = policy->itemLogits(policy->encode(contexts));
        auto placed = torch::zeros({slateCount, items}, torch::kBool);
        const float negInf = -std::numeric_limits<float>::infinity();
        for (int64_t t = 0; t < slateLength; ++t) {
            if (stopRequested()) return false;  // a stop is honoured inside long rollouts too
            const auto masked = logits.masked_fill(placed, negInf);
            const auto logp = torch::log_softmax(masked, -1);
            const auto p = logp.exp();
            rolloutEntropy += -(p * logp.masked_fill(placed, 0.0)).sum(-1).mean().item<double>();
            const auto sampling = training.temperature == 1.0
                                      ? p
                                      : torch::softmax(masked / training.temperature, -1);
            const auto pick = torch::multinomial(sampling, 1, false, generator);
            slates.select(1, t).copy_(pick.squeeze(1));
            placed.scatter_(1, pick, true);
        }
        rolloutEntropy /= static_cast<double>(slateLength);
        logpOld = policy->logProbs(contexts, slates);
    }
    const double rolloutSeconds = secondsSince(stepStart);

    // 2. Rewards: every component of every slate, then the weighted total per slate.
    const auto& names = SyntheticEnvironment::components();
    auto components = torch::empty({slateCount, static_cast<int64_t>(names.size())}, torch::kFloat64);
    {
        auto slateAccess = slates.accessor<int64_t, 2>();
        auto out = components.accessor<double, 2>();
        std::vector<int64_t> slate(slateLength);
        for (int64_t s = 0; s < slateCount; ++s) {
            for (int64_t t = 0; t < slateLength; ++t) slate[t] = slateAccess[s][t];
            const auto reward = environment.respond(users[s / groupSize], slate, rng);
            for (size_t m = 0; m < reward.size(); ++m) out[s][m] = reward[m];
        }
    }
    const auto rewards = components.matmul(rewardWeights).view({contextsPerStep, groupSize});
    const auto advantages = groupAdvantages(rewards);
    const auto flatAdvantages = advantages.advantages.flatten().to(torch::kFloat32);

    // 3. μ epochs over n_mb minibatches: recompute log π_θ, minimise the objective.
    const auto updateStart = Clock::now();
    const auto mask = torch::ones({slateCount, slateLength});
    auto lastLogp = logpOld.clone();
    auto lastCoefficient = torch::zeros({slateCount});
    auto lastBranch = torch::zeros({slateCount}, torch::kLong);
    UpdateTrace trace;
    const int64_t minibatchSize = (slateCount + training.minibatches - 1) / training.minibatches;
    for (int epoch = 0; epoch < training.innerEpochs; ++epoch) {
        const auto order = torch::randperm(slateCount, generator, torch::kLong);
        for (int64_t begin = 0; begin < slateCount; begin += minibatchSize) {
            if (stopRequested()) return false;
            const auto index = order.slice(0, begin, std::min(begin + minibatchSize, slateCount));
            const auto logpNew = policy->logProbs(contexts.index_select(0, index),
                                                  slates.index_select(0, index));
            const auto oldLogp = logpOld.index_select(0, index);
            auto result = objective->compute({logpNew, oldLogp, mask.index_select(0, index),
                                              flatAdvantages.index_select(0, index)});
            const double loss = result.loss.item<double>();
            if (!std::isfinite(loss)) {
                throw TrainingFailure(stepNumber, "loss/policy is " + std::to_string(loss) +
                                                      " (non-finite); the last update was not applied");
            }
            optimizer->zero_grad();
            result.loss.backward();
            const double maxNorm = config.optimizer.gradClip > 0.0
                                       ? config.optimizer.gradClip
                                       : std::numeric_limits<double>::infinity();
            const double gradNorm = torch::nn::utils::clip_grad_norm_(policy->parameters(), maxNorm);
            if (!std::isfinite(gradNorm)) {
                throw TrainingFailure(stepNumber, "grad_norm is " + std::to_string(gradNorm) +
                                                      " (non-finite); the update was skipped");
            }
            optimizer->step();

            torch::NoGradGuard noGrad;
            const auto logRatio = (logpNew.detach() - oldLogp).to(torch::kFloat64);
            const auto tokenRatio = logRatio.clamp(-20.0, 20.0).exp().contiguous();
            const auto sequenceLogRatio = logRatio.mean(1).contiguous();
            const auto k3 = ((-logRatio).exp() + logRatio - 1.0).mean(1).contiguous();
            trace.tokenRatios.insert(trace.tokenRatios.end(), tokenRatio.data_ptr<double>(),
                                     tokenRatio.data_ptr<double>() + tokenRatio.numel());
            trace.sequenceLogRatios.insert(trace.sequenceLogRatios.end(),
                                           sequenceLogRatio.data_ptr<double>(),
                                           sequenceLogRatio.data_ptr<double>() + sequenceLogRatio.numel());
            trace.approxKl.insert(trace.approxKl.end(), k3.data_ptr<double>(),
                                  k3.data_ptr<double>() + k3.numel());
            trace.clipLow += result.clipLowFraction;
            trace.clipHigh += result.clipHighFraction;
            trace.clipRegion += result.clipRegionFraction;
            trace.policyLoss += loss;
            trace.gradNorm += gradNorm;
            ++trace.updates;
            lastLogp.index_copy_(0, index, logpNew.detach());
            lastCoefficient.index_copy_(0, index, result.coefficient.to(torch::kFloat32));
            lastBranch.index_copy_(0, index, result.branch);
        }
    }
    const double updateSeconds = secondsSince(updateStart);

    completed = stepNumber;
    if (stepNumber % config.logging.everySteps == 0 || stepNumber == 1) {
        report(stepNumber, users, slates, logpOld, lastLogp, lastCoefficient, lastBranch,
               components, rewards, advantages, trace, rolloutEntropy, rolloutSeconds, updateSeconds);
    }
    return true;
}

void Trainer::Impl::report(int64_t stepNumber, const std::vector<int>& users,
                           const torch::Tensor& slates, const torch::Tensor& logpOld,
                           const torch::Tensor& logpNew, const torch::Tensor& coefficient,
                           const torch::Tensor& branch, const torch::Tensor& components,
                           const torch::Tensor& rewards, const GroupAdvantages& advantages,
                           const UpdateTrace& trace, double rolloutEntropy, double rolloutSeconds,
                           double updateSeconds) {
    StepScalars scalars;
    scalars.step = stepNumber;
    scalars.wallTime = secondsSince(started);
    auto& v = scalars.values;
    const double updates = std::max(1, trace.updates);

    // Ratios (SAGE.md 5): token ratios over every update of the step, r_i from the clamped ρ_i.
    std::vector<double> sequenceRatios;
    sequenceRatios.reserve(trace.sequenceLogRatios.size());
    for (double rho : trace.sequenceLogRatios)
        sequenceRatios.push_back(std::exp(std::clamp(rho, -kSequenceLogRatioClamp, kSequenceLogRatioClamp)));
    const auto seq = summarize(sequenceRatios);
    const auto token = summarize(trace.tokenRatios);
    v.insert(v.end(), {{"ratio/seq_mean", seq.mean},   {"ratio/seq_std", seq.std},
                       {"ratio/seq_min", seq.min},     {"ratio/seq_max", seq.max},
                       {"ratio/seq_p01", seq.p01},     {"ratio/seq_p50", seq.p50},
                       {"ratio/seq_p99", seq.p99},     {"ratio/token_mean", token.mean},
                       {"ratio/token_max", token.max},
                       {"log_ratio/mean", summarize(trace.sequenceLogRatios).mean},
                       {"clip_ratio/low_mean", trace.clipLow / updates},
                       {"clip_ratio/high_mean", trace.clipHigh / updates},
                       {"clip_ratio/region_mean", trace.clipRegion / updates}});

    // Rewards and advantages.
    const auto& names = SyntheticEnvironment::components();
    const auto componentMean = components.mean(0);
    const auto componentStd = components.std(0, /*unbiased=*/false);
    for (size_t m = 0; m < names.size(); ++m) {
        v.push_back({"rewards/" + names[m] + "/mean", componentMean[m].item<double>()});
        v.push_back({"rewards/" + names[m] + "/std", componentStd[m].item<double>()});
    }
    const auto groups = static_cast<double>(rewards.size(0));
    const auto adv = advantages.advantages;
    v.insert(v.end(), {{"reward", rewards.mean().item<double>()},
                       {"reward_std", rewards.std(/*unbiased=*/false).item<double>()},
                       {"frac_reward_zero_std", advantages.zeroSignalGroups / groups},
                       {"adv/mean", adv.mean().item<double>()},
                       {"adv/std", adv.std(/*unbiased=*/false).item<double>()},
                       {"adv/min", adv.min().item<double>()},
                       {"adv/max", adv.max().item<double>()},
                       {"adv/pos_frac", adv.gt(0).to(torch::kFloat64).mean().item<double>()},
                       {"adv/zero_std_groups", static_cast<double>(advantages.zeroSignalGroups)}});

    // Slate diversity, policy entropy, losses, optimiser.
    const int64_t slateCount = slates.size(0);
    const int64_t slateLength = slates.size(1);
    std::vector<double> slateEntropy(slateCount);
    auto slateAccess = slates.accessor<int64_t, 2>();
    std::vector<std::vector<int64_t>> slateItems(slateCount, std::vector<int64_t>(slateLength));
    for (int64_t s = 0; s < slateCount; ++s) {
        for (int64_t t = 0; t < slateLength; ++t) slateItems[s][t] = slateAccess[s][t];
        slateEntropy[s] = environment.normalisedCategoryEntropy(slateItems[s]);
    }
    const double policyLoss = trace.policyLoss / updates;
    v.insert(v.end(), {{"slate/entropy_mean", summarize(slateEntropy).mean},
                       {"entropy", rolloutEntropy},
                       {"approx_kl_old", summarize(trace.approxKl).mean},
                       {"loss/policy", policyLoss},
                       {"loss/total", policyLoss},
                       {"grad_norm", trace.gradNorm / updates},
                       {"learning_rate", config.optimizer.learningRate},
                       {"time/rollout_seconds", rolloutSeconds},
                       {"time/update_seconds", updateSeconds}});
    sink.onStep(scalars);
    sink.onHistogram(makeHistogram(trace.sequenceLogRatios, "hist/log_ratio", stepNumber,
                                   -kHistogramRange, kHistogramRange, kHistogramBins));

    const int slatesEvery = config.logging.slatesEverySteps;
    if (slatesEvery <= 0 || (stepNumber % slatesEvery != 0 && stepNumber != 1)) return;
    const auto oldRows = logpOld.contiguous();
    const auto newRows = logpNew.contiguous();
    const auto advantageValues = adv.flatten().contiguous();
    const auto coefficientValues = coefficient.contiguous();
    const auto branchValues = branch.contiguous();
    auto componentValues = components.accessor<double, 2>();
    const int64_t groupSize = rewards.size(1);
    std::vector<SlateRecord> records(slateCount);
    for (int64_t s = 0; s < slateCount; ++s) {
        auto& r = records[s];
        r.step = stepNumber;
        r.user = users[s / groupSize];
        r.group = static_cast<int32_t>(s / groupSize);
        r.items = slateItems[s];
        const float* oldRow = oldRows.data_ptr<float>() + s * slateLength;
        const float* newRow = newRows.data_ptr<float>() + s * slateLength;
        r.logpOld.assign(oldRow, oldRow + slateLength);
        r.logpNew.assign(newRow, newRow + slateLength);
        double sumOld = 0.0, sumNew = 0.0;
        for (int64_t t = 0; t < slateLength; ++t) {
            r.tokenRatio.push_back(std::exp(std::clamp(newRow[t] - oldRow[t], -20.0f, 20.0f)));
            sumOld += oldRow[t];
            sumNew += newRow[t];
        }
        r.logRatio = (sumNew - sumOld) / slateLength;
        r.ratio = std::exp(std::clamp(r.logRatio, -kSequenceLogRatioClamp, kSequenceLogRatioClamp));
        r.pbarOld = std::exp(sumOld / slateLength);
        r.pbarNew = std::exp(sumNew / slateLength);
        r.coefficient = coefficientValues.data_ptr<float>()[s];
        r.branch = toString(static_cast<ActiveBranch>(branchValues.data_ptr<int64_t>()[s]));
        r.listEntropy = slateEntropy[s];
        r.advantage = advantageValues.data_ptr<double>()[s];
        for (size_t m = 0; m < names.size(); ++m)
            r.rewards.push_back({names[m], componentValues[s][static_cast<int64_t>(m)]});
    }
    sink.onSlates(records);
}

Trainer::Trainer(const RunConfig& config, TrainingSink& sink, TrainerControl& control)
    : m_impl(std::make_unique<Impl>(config, sink, control)) {}

Trainer::~Trainer() = default;

int64_t Trainer::totalSteps() const { return m_impl->config.training.steps; }
int64_t Trainer::completedSteps() const { return m_impl->completed; }
bool Trainer::done() const { return m_impl->completed >= totalSteps(); }
bool Trainer::step() { return m_impl->step(); }

Trainer::Outcome Trainer::run() {
    auto& control = m_impl->control;
    const auto event = [&](EventLevel level, const std::string& message) {
        m_impl->sink.onEvent({completedSteps(), secondsSince(m_impl->started), level, message});
    };
    event(EventLevel::Info, "training " + std::to_string(totalSteps()) + " steps with " +
                                m_impl->objective->name() + " on " + std::to_string(
                                    m_impl->environment.itemCount()) + " items");
    while (!done()) {
        if (control.pauseRequested.load()) {
            event(EventLevel::Info, "paused");
            while (control.pauseRequested.load() && !control.stopRequested.load())
                std::this_thread::sleep_for(kPausePoll);
            if (!control.stopRequested.load()) event(EventLevel::Info, "resumed");
        }
        if (control.stopRequested.load() || !step()) {
            event(EventLevel::Info, "stopped by request after step " + std::to_string(completedSteps()));
            m_impl->sink.flush();
            return Outcome::Stopped;
        }
    }
    event(EventLevel::Info, "finished " + std::to_string(completedSteps()) + " steps");
    m_impl->sink.flush();
    return Outcome::Finished;
}

}  // namespace sage

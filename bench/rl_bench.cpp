// sage_rl_bench: the RL iteration of the generative recommender, timed part by part, built from the
// trainer's own pieces (TransformerRolloutPolicy, the SAGE objective from makeObjective, decoupled
// advantages, AdamW with gradient clipping). bench/python/sage_reference.py does the same work in
// PyTorch; bench/sections/10-rl.sh runs both alternately and prints the ratios.
//
// One iteration, as core/training/trainer.cpp performs it:
//   rollout  B contexts × G slates of K items sampled with the key/value cache (item-ID action
//            space, constrained: no repeated item), then the frozen reference's log-probabilities
//            of those slates in one batched pass;
//   rewards  two components per slate (a discounted item utility from a fixed random table, and
//            the slate's normalised category entropy Ĥ), decoupled advantages, boost eligibility;
//   update   μ epochs × n_mb minibatches: batched log-probabilities, the SAGE loss, the k3 KL to
//            the reference (logged by the trainer even at β = 0), backward, clip to norm 1, AdamW.
// Besides the iteration it times generation alone with the cache and without it (each next token
// from a forward pass over the whole sequence so far), and measures the matmul peak in the same
// run for the update's model FLOP utilisation. Prints one JSON object.
#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <vector>

#include "bench_support.h"
#include "config/run_config.h"
#include "matmul_peak.h"
#include "model/transformer_rollout_policy.h"
#include "objectives/objective_factory.h"
#include "rewards/advantage_estimator.h"
#include "training/heap_allocation.h"
#include "transformer_flops.h"

namespace {

using namespace sage::bench;

constexpr int64_t kCategories = 24;
constexpr double kExamination = 0.85;  // position discount of the utility component

struct Shape {
    int64_t items, history, contexts, group, slate, epochs, minibatches;
    sage::TransformerOptions model;
};

/// Two reward components per slate, [S, 2], and each slate's normalised category entropy Ĥ [S].
std::pair<torch::Tensor, torch::Tensor> score(const torch::Tensor& slates, const std::vector<float>& utility) {
    const int64_t rows = slates.size(0), length = slates.size(1);
    auto components = torch::empty({rows, 2}, torch::kFloat64);
    auto entropy = torch::empty({rows});
    auto items = slates.accessor<int64_t, 2>();
    auto out = components.accessor<double, 2>();
    auto h = entropy.accessor<float, 1>();
    const double normaliser = std::log(static_cast<double>(std::min(length, kCategories)));
    std::vector<int> counts(kCategories);
    for (int64_t s = 0; s < rows; ++s) {
        double value = 0.0, discount = 1.0;
        std::fill(counts.begin(), counts.end(), 0);
        for (int64_t k = 0; k < length; ++k, discount *= kExamination) {
            value += discount * utility[items[s][k]];
            ++counts[items[s][k] % kCategories];
        }
        double listEntropy = 0.0;
        for (int c : counts)
            if (c > 0) {
                const double q = static_cast<double>(c) / static_cast<double>(length);
                listEntropy -= q * std::log(q);
            }
        out[s][0] = value;
        out[s][1] = listEntropy / normaliser;
        h[s] = static_cast<float>(listEntropy / normaliser);
    }
    return {components, entropy};
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options options(argc, argv,
                              "sage_rl_bench [--d-model 128] [--layers 4] [--heads 4] [--ff 512] "
                              "[--items 12101] [--history 50] [--contexts 16] [--group 8] [--slate 10] "
                              "[--epochs 2] [--minibatches 2] [--iterations 6] [--threads 2] [--seed 1] "
                              "[--logprobs shared|one-pass] [--heap trainer|glibc-default]");
        Shape shape{};
        shape.model.dModel = options.integer("d-model", 128);
        shape.model.layers = options.integer("layers", 4);
        shape.model.heads = options.integer("heads", 4);
        shape.model.feedForward = options.integer("ff", 512);
        shape.model.dropout = 0.0;
        shape.items = options.integer("items", 12101);
        shape.history = options.integer("history", 50);
        shape.contexts = options.integer("contexts", 16);
        shape.group = options.integer("group", 8);
        shape.slate = options.integer("slate", 10);
        shape.epochs = options.integer("epochs", 2);
        shape.minibatches = options.integer("minibatches", 2);
        const int iterations = static_cast<int>(options.integer("iterations", 6));
        const int threads = static_cast<int>(options.integer("threads", 2));
        const uint64_t seed = static_cast<uint64_t>(options.integer("seed", 1));
        // shared: the trainer's path (each distinct context once per batched pass); one-pass: one
        // forward pass over context + slate per slate, as before prefix sharing.
        const std::string logprobs = options.text("logprobs", "shared");
        if (logprobs != "shared" && logprobs != "one-pass")
            throw std::invalid_argument("--logprobs expects shared or one-pass, got '" + logprobs + "'");
        const bool shareContexts = logprobs == "shared";
        // trainer: large buffers stay in the heap, as the trainers arrange; glibc-default: as
        // before that change (a fresh mapping for every buffer above glibc's mmap threshold).
        const std::string heap = options.text("heap", "trainer");
        if (heap != "trainer" && heap != "glibc-default")
            throw std::invalid_argument("--heap expects trainer or glibc-default, got '" + heap + "'");
        if (heap == "trainer") sage::keepLargeAllocationsInHeap();
        torch::set_num_threads(threads);
        torch::manual_seed(seed);

        const double peak = matmulPeakGflops();

        auto generative = std::make_unique<sage::GenerativePolicy>(sage::TokenSpace::itemIds(shape.items),
                                                                    shape.model, shape.history, shape.slate);
        sage::GenerativePolicy& model = *generative;
        sage::TransformerRolloutPolicy policy(std::move(generative));
        const auto reference = policy.frozenCopy();
        auto& referenceModel = dynamic_cast<sage::TransformerRolloutPolicy&>(*reference).generative();
        const auto logProbsOf = [&](sage::RolloutPolicy& rollout, sage::GenerativePolicy& generative,
                                    const std::vector<std::vector<int64_t>>& rows, const torch::Tensor& slates) {
            return shareContexts ? rollout.logProbs(rows, slates)
                                 : generative.logProbs(generative.encodeHistories(rows), slates);
        };
        torch::optim::AdamW optimizer(policy.parameters(),
                                      torch::optim::AdamWOptions(1e-4).weight_decay(0.0));
        sage::RunConfig::Objective objectiveOptions;  // SAGE with its defaults
        const auto objective = sage::makeObjective(objectiveOptions);
        const auto weights = torch::tensor({1.0, 0.2}, torch::kFloat64);

        std::mt19937_64 rng(seed);
        std::normal_distribution<float> normal;
        std::vector<float> utility(shape.items);
        for (auto& u : utility) u = normal(rng);
        std::uniform_int_distribution<int64_t> anyItem(0, shape.items - 1);
        auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);

        // FLOPs of one batched log-probability pass over `slates` slates of `contexts` distinct contexts.
        const TransformerShape flopsShape{shape.model.dModel, shape.model.layers, shape.model.feedForward};
        const double contextTokens = 1.0 + static_cast<double>(shape.history);
        const double slateTokens = static_cast<double>(shape.slate);
        const auto logProbsFlops = [&](double slates, double contexts) {
            const double output = outputForwardFlops(flopsShape, slates * slateTokens, static_cast<double>(shape.items + 1));
            if (!shareContexts)
                return blockForwardFlops(flopsShape, slates, contextTokens + slateTokens, contextTokens + slateTokens) + output;
            return blockForwardFlops(flopsShape, contexts, contextTokens, contextTokens) +
                   blockForwardFlops(flopsShape, slates, slateTokens - 1.0, contextTokens + slateTokens - 1.0) + output;
        };
        double updateFlops = 0.0;  // summed over the timed iterations
        std::vector<double> rolloutSeconds, rewardSeconds, updateSeconds, cachedSeconds, uncachedSeconds;
        double loss = 0.0, klToReference = 0.0;
        for (int iteration = 0; iteration <= iterations; ++iteration) {  // iteration 0 warms up
            std::vector<sage::SlateContext> contexts(shape.contexts);
            for (auto& context : contexts)
                for (int64_t i = 0; i < shape.history; ++i) context.history.push_back(anyItem(rng));

            // Generation alone, with and without the key/value cache.
            std::vector<std::vector<int64_t>> contextHistories;
            for (const auto& context : contexts) contextHistories.push_back(context.history);
            const auto encoded = model.encodeHistories(contextHistories);
            auto start = Clock::now();
            model.sample(encoded, shape.group, 1.0, generator);
            const double cached = secondsSince(start);
            start = Clock::now();
            model.sample(encoded, shape.group, 1.0, generator, nullptr,
                         sage::GenerativePolicy::Decoding::Uncached);
            const double uncached = secondsSince(start);

            // The iteration.
            start = Clock::now();
            auto rollout = policy.sample(contexts, shape.group, 1.0, generator, nullptr);
            std::vector<std::vector<int64_t>> histories;
            for (const auto& context : contexts)
                for (int64_t g = 0; g < shape.group; ++g) histories.push_back(context.history);
            torch::Tensor logpReference;
            {
                torch::NoGradGuard noGrad;
                logpReference = logProbsOf(*reference, referenceModel, histories, rollout->slates);
            }
            const double rolloutTime = secondsSince(start);

            start = Clock::now();
            const auto [components, listEntropy] = score(rollout->slates, utility);
            const auto advantages =
                sage::decoupledAdvantages(components.view({shape.contexts, shape.group, 2}), weights)
                    .values.flatten()
                    .to(torch::kFloat32);
            const auto boost = advantages.gt(0).to(torch::kFloat32);
            const double rewardTime = secondsSince(start);

            start = Clock::now();
            const int64_t slates = rollout->slates.size(0);
            const auto mask = torch::ones_like(rollout->logp);
            const int64_t minibatchSize = (slates + shape.minibatches - 1) / shape.minibatches;
            for (int64_t epoch = 0; epoch < shape.epochs; ++epoch) {
                const auto order = torch::randperm(slates, generator);
                for (int64_t begin = 0; begin < slates; begin += minibatchSize) {
                    const auto index = order.slice(0, begin, std::min(begin + minibatchSize, slates));
                    std::vector<std::vector<int64_t>> rows;
                    std::set<int64_t> contextsInMinibatch;
                    for (const int64_t* row = index.data_ptr<int64_t>(); row != index.data_ptr<int64_t>() + index.numel(); ++row) {
                        rows.push_back(histories[*row]);
                        contextsInMinibatch.insert(*row / shape.group);
                    }
                    updateFlops += logProbsFlops(static_cast<double>(index.numel()),
                                                 static_cast<double>(contextsInMinibatch.size())) *
                                   kTrainingFlopsPerForwardFlop;
                    const auto logpNew = logProbsOf(policy, model, rows, rollout->slates.index_select(0, index));
                    const auto result = objective->compute({logpNew, rollout->logp.index_select(0, index),
                                                            mask.index_select(0, index), advantages.index_select(0, index),
                                                            listEntropy.index_select(0, index), boost.index_select(0, index)});
                    const auto logRatioReference = logpReference.index_select(0, index) - logpNew;
                    const auto kl = (logRatioReference.exp() - logRatioReference - 1.0).mean();
                    optimizer.zero_grad();
                    result.loss.backward();
                    torch::nn::utils::clip_grad_norm_(policy.parameters(), 1.0);
                    optimizer.step();
                    // What the trainer logs after each update.
                    loss = result.loss.item<double>();
                    klToReference = kl.item<double>();
                }
            }
            const double updateTime = secondsSince(start);
            if (iteration == 0) {
                updateFlops = 0.0;
                continue;
            }
            cachedSeconds.push_back(cached);
            uncachedSeconds.push_back(uncached);
            rolloutSeconds.push_back(rolloutTime);
            rewardSeconds.push_back(rewardTime);
            updateSeconds.push_back(updateTime);
        }

        const double slates = static_cast<double>(shape.contexts * shape.group);
        const double updateRows = slates * static_cast<double>(shape.epochs);
        const double update = median(updateSeconds);
        // Model FLOPs per update: the mean over the timed iterations (minibatches differ in how many
        // distinct contexts they hold).
        updateFlops /= iterations;
        const nlohmann::json report = {
            {"implementation", "C++ (LibTorch)"},
            {"threads", threads},
            {"matmul_peak_gflops", peak},
            {"generation_cached_s", median(cachedSeconds)},
            {"generation_uncached_s", median(uncachedSeconds)},
            {"rollout_s", median(rolloutSeconds)},
            {"rewards_s", median(rewardSeconds)},
            {"update_s", update},
            {"iteration_s", median(rolloutSeconds) + median(rewardSeconds) + update},
            {"slates", slates},
            {"logprobs", logprobs},
            {"heap", heap},
            {"update_tokens", updateRows * (contextTokens + slateTokens)},
            {"update_flops", updateFlops},
            {"update_gflops", updateFlops / update / 1e9},
            {"iterations", iterations},
            {"last_loss", loss},
            {"last_kl_to_reference", klToReference},
        };
        std::printf("%s\n", report.dump().c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sage_rl_bench: %s\n", e.what());
        return 1;
    }
}

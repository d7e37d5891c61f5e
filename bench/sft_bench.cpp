// sage_sft_bench: the supervised stage's training throughput on Amazon data, with the inner loop of
// core/training/sft_trainer.cpp (length-bucketed batches of whole user sequences, next-token loss
// in one causal pass, backward, gradient clipping, AdamW), timed over a number of batches after a
// warm-up. Reports training tokens per second and the model FLOP utilisation against the float32
// matmul peak measured in the same run. Prints one JSON object.
#include <torch/torch.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "bench_config.h"
#include "bench_support.h"
#include "data/amazon_data.h"
#include "matmul_peak.h"
#include "model/generative_policy.h"
#include "training/action_space.h"
#include "training/length_bucketed_batches.h"
#include "training/sft_trainer.h"
#include "training/training_device.h"
#include "transformer_flops.h"

int main(int argc, char** argv) {
    using namespace sage::bench;
    try {
        const Options options(argc, argv,
                              "sage_sft_bench --config PRESET.json [--set key=value] [--batches 30] [--warmup 3]");
        sage::RunConfig config = configFromOptions(options, "resources/presets/beauty-sft.json");
        const int batches = static_cast<int>(options.integer("batches", 30));
        const int warmup = static_cast<int>(options.integer("warmup", 3));
        const int threads = sage::configureCpuRuntime(config);  // as the SFT trainer does
        torch::manual_seed(config.training.seed);

        const auto setupStart = Clock::now();
        const sage::AmazonData data(config.environment);
        const auto embeddings = config.environment.actionSpace == "semantic_id"
                                    ? sage::itemEmbeddings(data.dataset, data.split, sage::embeddingOptions(config))
                                    : at::Tensor();
        std::string description;
        sage::GenerativePolicy policy(sage::amazonTokenSpace(config, data, embeddings, description),
                                      sage::transformerOptions(config.model), config.model.historyWindow,
                                      config.training.slateLength);
        const double setupSeconds = secondsSince(setupStart);
        torch::optim::AdamW optimizer(policy.model()->parameters(),
                                      torch::optim::AdamWOptions(config.optimizer.learningRate)
                                          .weight_decay(config.optimizer.weightDecay));
        policy.model()->train();

        // The trainer's batches: users of similar length together.
        const auto& split = data.split;
        std::vector<int64_t> users;
        std::vector<int64_t> lengthOfUser(split.userCount(), 0);
        const int64_t window = policy.model()->options().maxPositions - 2;  // as nextTokenLoss crops
        for (int64_t user = 0; user < split.userCount(); ++user) {
            if (split.training(user).empty()) continue;
            users.push_back(user);
            lengthOfUser[user] = std::min<int64_t>(split.training(user).size(), window);
        }
        std::mt19937_64 rng(static_cast<uint64_t>(config.training.seed) + 11);
        const auto order = sage::lengthBucketedBatches(users, lengthOfUser, config.training.batchSize, 32, rng);
        if (static_cast<int>(order.size()) < warmup + batches)
            throw std::invalid_argument("the data has " + std::to_string(order.size()) + " batches; ask for fewer");

        const double peak = matmulPeakGflops();
        const auto& tokens = policy.tokens();
        double codebookTotal = 0.0;  // Σ over levels of the level's codebook size: each item's targets
        for (int level = 0; level < tokens.levels(); ++level) codebookTotal += static_cast<double>(tokens.levelSize(level));
        const TransformerShape shape{policy.model()->options().dModel, policy.model()->options().layers,
                                     policy.model()->options().feedForward};
        double seconds = 0.0, flops = 0.0, predicted = 0.0, inputTokens = 0.0;
        for (int b = 0; b < warmup + batches; ++b) {
            std::vector<std::vector<int64_t>> sequences;
            int64_t longest = 0;
            double items = 0.0;
            for (auto user : order[b]) {
                sequences.push_back(split.training(user));
                longest = std::max(longest, lengthOfUser[user]);
                items += static_cast<double>(lengthOfUser[user]);
            }
            const auto start = Clock::now();
            const auto loss = policy.nextTokenLoss(sequences);
            optimizer.zero_grad();
            loss.backward();
            torch::nn::utils::clip_grad_norm_(policy.model()->parameters(), config.optimizer.gradClip);
            optimizer.step();
            const double value = loss.item<double>();  // the trainer reads the loss every step too
            if (!std::isfinite(value)) throw std::runtime_error("non-finite SFT loss");
            if (b < warmup) continue;
            seconds += secondsSince(start);
            const double rows = static_cast<double>(sequences.size());
            const double length = 1.0 + static_cast<double>(longest * tokens.levels());
            // Every item token of a row is a target, scored against its own level's codebook.
            flops += kTrainingFlopsPerForwardFlop *
                     (blockForwardFlops(shape, rows, length, length) + outputForwardFlops(shape, items, codebookTotal));
            predicted += items * tokens.levels();
            inputTokens += rows * length;
        }
        const nlohmann::json report = {
            {"config", options.text("config", "")},
            {"action_space", config.environment.actionSpace},
            {"tokens_per_item", tokens.levels()},
            {"vocabulary", tokens.vocabulary()},
            {"threads", threads},
            {"batch_size", config.training.batchSize},
            {"batches", batches},
            {"seconds", seconds},
            {"training_tokens_per_s", predicted / seconds},
            {"padded_tokens_per_s", inputTokens / seconds},
            {"model_gflops", flops / seconds / 1e9},
            {"matmul_peak_gflops", peak},
            {"utilisation", flops / seconds / 1e9 / peak},
            {"setup_s", setupSeconds},
        };
        std::printf("%s\n", report.dump().c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sage_sft_bench: %s\n", e.what());
        return 1;
    }
}

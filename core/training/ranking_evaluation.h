#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/leave_one_out_split.h"
#include "data/sequence_dataset.h"
#include "eval/ranking_evaluator.h"
#include "model/generative_policy.h"
#include "training/training_records.h"

namespace sage {

class DistributedContext;

enum class EvaluationSplit { Validation, Test };

/// Leave-one-out, full-ranking evaluation of a generative policy (ENVIRONMENTS.md 4): for each
/// user with targets, the top-10 first items after the user's context (exact for item IDs, a
/// constrained beam for semantic IDs) are ranked against the held-out item. Validation contexts
/// are the training items; test contexts add the validation item.
class RankingEvaluation {
public:
    /// `coldItems` (one flag per item) sets which items the cold metrics count; empty: the split's
    /// (at most cold_max_train_count training interactions). The simulator passes its ground truth.
    /// `beamWidth` (≥ 10) is the semantic-ID beam that ranks a generative policy's top 10.
    RankingEvaluation(const SequenceDataset& dataset, const LeaveOneOutSplit& split,
                      std::vector<uint8_t> coldItems = {}, int64_t beamWidth = kDefaultBeamWidth);

    static constexpr int64_t kBatchSize = 256;
    static constexpr int64_t kDefaultBeamWidth = 20;  // training.eval_beam's default

    /// The k best first items after each context, [B, k] int64 on the CPU.
    using Ranker =
        std::function<torch::Tensor(const std::vector<std::vector<int64_t>>& contexts, int64_t k)>;

    /// Metrics under keys "<prefix>recall@10", ... ("eval/" for test, "val/" for validation).
    /// maxUsers > 0 evaluates a fixed, seeded subset of that many users. With a `group`, each rank
    /// ranks its block of the users and every rank scores all the rankings: the same metrics as
    /// one process, in a 1/W of the time.
    NamedValues evaluate(GenerativePolicy& policy, EvaluationSplit split, int64_t maxUsers = 0,
                         int64_t batchSize = kBatchSize, DistributedContext* group = nullptr) const;
    /// The same for any policy that ranks items. `firstCodes` (one per item, or empty) is the
    /// entropy@10 fallback for items without attributes.
    NamedValues evaluate(const Ranker& rank, std::vector<int32_t> firstCodes, EvaluationSplit split,
                         int64_t maxUsers = 0, int64_t batchSize = kBatchSize,
                         DistributedContext* group = nullptr) const;

    /// The users an evaluation of at most maxUsers users (0: all) covers: every user with targets,
    /// or a fixed, seeded subset of them, so successive evaluations compare like with like.
    std::vector<int64_t> users(int64_t maxUsers) const;

private:
    const SequenceDataset& m_dataset;
    const LeaveOneOutSplit& m_split;
    std::vector<uint8_t> m_coldItems;
    std::vector<int64_t> m_users;  // users with targets
    int64_t m_beamWidth;
};

}  // namespace sage

#pragma once
#include <cstdint>
#include <string>

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
    RankingEvaluation(const SequenceDataset& dataset, const LeaveOneOutSplit& split);

    static constexpr int64_t kBatchSize = 256;

    /// Metrics under keys "<prefix>recall@10", ... ("eval/" for test, "val/" for validation).
    /// maxUsers > 0 evaluates a fixed, seeded subset of that many users. With a `group`, each rank
    /// ranks its block of the users and every rank scores all the rankings: the same metrics as
    /// one process, in a 1/W of the time.
    NamedValues evaluate(GenerativePolicy& policy, EvaluationSplit split, int64_t maxUsers = 0,
                         int64_t batchSize = kBatchSize, DistributedContext* group = nullptr) const;

private:
    const SequenceDataset& m_dataset;
    const LeaveOneOutSplit& m_split;
    std::vector<int64_t> m_users;  // users with targets
};

}  // namespace sage

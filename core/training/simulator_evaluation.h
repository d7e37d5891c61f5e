#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/synthetic_environment.h"
#include "training/ranking_evaluation.h"
#include "training/rollout_policy.h"
#include "training/training_records.h"

namespace sage {

/// The synthetic environment's ground-truth evaluation (ENVIRONMENTS.md sections 3 and 4). For
/// each evaluation user the policy, given the user's RL context (the training part of the logged
/// history), generates its most probable slate (greedy decoding) and ranks its top 10 first items;
/// the known click model scores both exactly (SyntheticEnvironment::expectedResponse), so the
/// figures carry no sampling noise:
/// Keys carry the split's prefix as the ranking metrics do: "val/" for the validation subset on
/// the evaluation schedule, "eval/" for every test user at the end.
/// - eval/expected_reward: mean over users of Σ_m w_m·E[R_m] of the generated slate;
/// - eval/expected_clicks@10: mean expected clicks of the top-10 list shown as a 10-item slate;
/// - eval/expected_cold_clicks@10: the part of those clicks on cold-start items.
/// The ranking metrics of the same users come from RankingEvaluation, not from here.
class SimulatorEvaluation {
public:
    static constexpr int64_t kBatchSize = 256;

    /// `weights` are the reward weights w_m in the order of SyntheticEnvironment::componentNames().
    SimulatorEvaluation(const SyntheticEnvironment& environment, std::vector<double> weights);

    static const std::vector<std::string>& keys(EvaluationSplit split = EvaluationSplit::Test);

    /// The metrics under keys(split), in that order; empty for no users. Leaves the policy as it was.
    NamedValues evaluate(RolloutPolicy& policy, const std::vector<int64_t>& users,
                         EvaluationSplit split = EvaluationSplit::Test, int64_t batchSize = kBatchSize) const;

private:
    const SyntheticEnvironment& m_environment;
    std::vector<double> m_weights;
    size_t m_clickIndex;
    size_t m_coldClickIndex;
};

}  // namespace sage

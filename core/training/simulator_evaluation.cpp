#include "training/simulator_evaluation.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "eval/ranking_evaluator.h"

namespace sage {
namespace {

size_t componentIndex(const std::string& name) {
    const auto& names = SyntheticEnvironment::componentNames();
    return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

std::vector<int64_t> row(const torch::Tensor& matrix, int64_t index) {
    const int64_t* begin = matrix.data_ptr<int64_t>() + index * matrix.size(1);
    return {begin, begin + matrix.size(1)};
}

}  // namespace

SimulatorEvaluation::SimulatorEvaluation(const SyntheticEnvironment& environment, std::vector<double> weights)
    : m_environment(environment),
      m_weights(std::move(weights)),
      m_clickIndex(componentIndex("click")),
      m_coldClickIndex(componentIndex("cold_click")) {
    if (m_weights.size() != SyntheticEnvironment::componentNames().size())
        throw std::invalid_argument("SimulatorEvaluation: " + std::to_string(m_weights.size()) +
                                    " reward weights for " +
                                    std::to_string(SyntheticEnvironment::componentNames().size()) +
                                    " components");
}

const std::vector<std::string>& SimulatorEvaluation::keys(EvaluationSplit split) {
    static const std::vector<std::string> test{"eval/expected_reward", "eval/expected_clicks@10",
                                               "eval/expected_cold_clicks@10"};
    static const std::vector<std::string> validation{"val/expected_reward", "val/expected_clicks@10",
                                                     "val/expected_cold_clicks@10"};
    return split == EvaluationSplit::Test ? test : validation;
}

NamedValues SimulatorEvaluation::evaluate(RolloutPolicy& policy, const std::vector<int64_t>& users,
                                          EvaluationSplit split, int64_t batchSize) const {
    if (users.empty()) return {};
    const int64_t listLength = std::min<int64_t>(RankingEvaluator::kTopK, m_environment.itemCount());
    double reward = 0.0, clicks = 0.0, coldClicks = 0.0;
    const auto userCount = static_cast<int64_t>(users.size());
    for (int64_t begin = 0; begin < userCount; begin += batchSize) {
        const int64_t end = std::min(userCount, begin + batchSize);
        std::vector<SlateContext> contexts;
        std::vector<std::vector<int64_t>> histories;
        for (int64_t i = begin; i < end; ++i) {
            SlateContext context;
            context.user = users[i];
            context.history = m_environment.split().training(users[i]);  // what rollouts see
            histories.push_back(context.history);
            contexts.push_back(std::move(context));
        }
        // Greedy decoding: the one slate the policy would show, with no sampling noise.
        const auto generated = policy.sample(contexts, 1, 1.0, RowSampler::mostProbable(), nullptr);
        const auto slates = generated->slates.contiguous();
        const auto lists = policy.topItems(histories, listLength).contiguous();
        for (int64_t i = begin; i < end; ++i) {
            const auto user = static_cast<int>(users[i]);
            const auto slate = m_environment.expectedResponse(user, row(slates, i - begin));
            for (size_t m = 0; m < m_weights.size(); ++m) reward += m_weights[m] * slate.components[m];
            const auto list = m_environment.expectedResponse(user, row(lists, i - begin));
            clicks += list.components[m_clickIndex];
            coldClicks += list.components[m_coldClickIndex];
        }
    }
    const auto n = static_cast<double>(userCount);
    const auto& k = keys(split);
    return {{k[0], reward / n}, {k[1], clicks / n}, {k[2], coldClicks / n}};
}

}  // namespace sage

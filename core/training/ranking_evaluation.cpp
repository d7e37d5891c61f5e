#include "training/ranking_evaluation.h"

#include <random>

#include "distributed/distributed_context.h"

namespace sage {

RankingEvaluation::RankingEvaluation(const SequenceDataset& dataset, const LeaveOneOutSplit& split)
    : m_dataset(dataset), m_split(split) {
    for (int64_t user = 0; user < split.userCount(); ++user)
        if (split.hasTargets(user)) m_users.push_back(user);
}

NamedValues RankingEvaluation::evaluate(GenerativePolicy& policy, EvaluationSplit which,
                                        int64_t maxUsers, int64_t batchSize, DistributedContext* group) const {
    std::vector<int64_t> users = m_users;
    if (maxUsers > 0 && maxUsers < static_cast<int64_t>(users.size())) {
        // A fixed subset: successive evaluations compare like with like.
        std::mt19937_64 rng(20240601);
        std::shuffle(users.begin(), users.end(), rng);
        users.resize(maxUsers);
    }
    // Batches of similar context length: a batch is padded to its longest context, and Amazon
    // histories are short with a long tail. The metrics are means over users, so order is free.
    const auto contextOf = [&](int64_t user) {
        return which == EvaluationSplit::Test ? m_split.testContext(user) : m_split.training(user);
    };
    // The test context is the training sequence plus the validation item: the same order.
    std::stable_sort(users.begin(), users.end(), [&](int64_t a, int64_t b) {
        return m_split.training(a).size() < m_split.training(b).size();
    });
    EvaluationCatalogue catalogue;
    catalogue.itemCount = m_dataset.itemCount;
    catalogue.coldItems = m_split.coldItems();
    catalogue.itemAttributes = m_dataset.itemAttributes;
    if (!policy.tokens().isItemIds()) {
        catalogue.firstCodes.resize(m_dataset.itemCount);
        for (int64_t item = 0; item < m_dataset.itemCount; ++item)
            catalogue.firstCodes[item] = static_cast<int32_t>(policy.tokens().code(item, 0));
    }
    RankingEvaluator evaluator(std::move(catalogue));
    const bool wasTraining = policy.model()->is_training();
    policy.model()->eval();
    const int64_t k = RankingEvaluator::kTopK;
    const auto userCount = static_cast<int64_t>(users.size());
    const int64_t first = group ? userCount * group->rank() / group->worldSize() : 0;
    const int64_t last = group ? userCount * (group->rank() + 1) / group->worldSize() : userCount;
    std::vector<torch::Tensor> ranked{torch::empty({0, k}, torch::kLong)};
    for (int64_t begin = first; begin < last; begin += batchSize) {
        const int64_t end = std::min(last, begin + batchSize);
        std::vector<std::vector<int64_t>> contexts;
        for (int64_t i = begin; i < end; ++i)
            contexts.push_back(contextOf(users[i]));
        ranked.push_back(policy.topItems(policy.encodeHistories(contexts), k, 2 * k));
    }
    auto top = torch::cat(ranked).contiguous();
    if (group) top = group->allGatherRows(top);
    for (int64_t i = 0; i < userCount; ++i) {
        const int64_t* row = top.data_ptr<int64_t>() + i * k;
        const int64_t target = which == EvaluationSplit::Test ? m_split.testTarget(users[i])
                                                              : m_split.validationTarget(users[i]);
        evaluator.addUser(std::vector<int64_t>(row, row + k), target);
    }
    policy.model()->train(wasTraining);
    NamedValues out;
    const std::string prefix = which == EvaluationSplit::Test ? "eval/" : "val/";
    for (const auto& [key, value] : evaluator.results())
        out.push_back({prefix + key.substr(key.find('/') + 1), value});
    return out;
}

}  // namespace sage

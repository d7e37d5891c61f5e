#include "training/ranking_evaluation.h"

#include <random>

#include "distributed/distributed_context.h"

namespace sage {

RankingEvaluation::RankingEvaluation(const SequenceDataset& dataset, const LeaveOneOutSplit& split,
                                     std::vector<uint8_t> coldItems, int64_t beamWidth)
    : m_dataset(dataset),
      m_split(split),
      m_coldItems(coldItems.empty() ? split.coldItems() : std::move(coldItems)),
      m_beamWidth(beamWidth) {
    for (int64_t user = 0; user < split.userCount(); ++user)
        if (split.hasTargets(user)) m_users.push_back(user);
}

std::vector<int64_t> RankingEvaluation::users(int64_t maxUsers) const {
    std::vector<int64_t> users = m_users;
    if (maxUsers > 0 && maxUsers < static_cast<int64_t>(users.size())) {
        std::mt19937_64 rng(20240601);
        std::shuffle(users.begin(), users.end(), rng);
        users.resize(maxUsers);
    }
    return users;
}

NamedValues RankingEvaluation::evaluate(GenerativePolicy& policy, EvaluationSplit which,
                                        int64_t maxUsers, int64_t batchSize, DistributedContext* group) const {
    std::vector<int32_t> firstCodes;
    if (!policy.tokens().isItemIds()) {
        firstCodes.resize(m_dataset.itemCount);
        for (int64_t item = 0; item < m_dataset.itemCount; ++item)
            firstCodes[item] = static_cast<int32_t>(policy.tokens().code(item, 0));
    }
    const bool wasTraining = policy.model()->is_training();
    policy.model()->eval();
    const auto rank = [&](const std::vector<std::vector<int64_t>>& contexts, int64_t k) {
        return policy.topItems(policy.encodeHistories(contexts), k, m_beamWidth);
    };
    auto out = evaluate(rank, std::move(firstCodes), which, maxUsers, batchSize, group);
    policy.model()->train(wasTraining);
    return out;
}

NamedValues RankingEvaluation::evaluate(const Ranker& rank, std::vector<int32_t> firstCodes,
                                        EvaluationSplit which, int64_t maxUsers, int64_t batchSize,
                                        DistributedContext* group) const {
    std::vector<int64_t> users = this->users(maxUsers);
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
    catalogue.coldItems = m_coldItems;
    catalogue.itemAttributes = m_dataset.itemAttributes;
    catalogue.firstCodes = std::move(firstCodes);
    RankingEvaluator evaluator(std::move(catalogue));
    // A catalogue smaller than the list ranks all of it (RankingEvaluator takes lists of any length).
    const int64_t k = std::min<int64_t>(RankingEvaluator::kTopK, m_dataset.itemCount);
    const auto userCount = static_cast<int64_t>(users.size());
    const int64_t first = group ? userCount * group->rank() / group->worldSize() : 0;
    const int64_t last = group ? userCount * (group->rank() + 1) / group->worldSize() : userCount;
    std::vector<torch::Tensor> ranked{torch::empty({0, k}, torch::kLong)};
    for (int64_t begin = first; begin < last; begin += batchSize) {
        const int64_t end = std::min(last, begin + batchSize);
        std::vector<std::vector<int64_t>> contexts;
        for (int64_t i = begin; i < end; ++i)
            contexts.push_back(contextOf(users[i]));
        ranked.push_back(rank(contexts, k));
    }
    auto top = torch::cat(ranked).contiguous();
    if (group) top = group->allGatherRows(top);
    for (int64_t i = 0; i < userCount; ++i) {
        const int64_t* row = top.data_ptr<int64_t>() + i * k;
        const int64_t target = which == EvaluationSplit::Test ? m_split.testTarget(users[i])
                                                              : m_split.validationTarget(users[i]);
        evaluator.addUser(std::vector<int64_t>(row, row + k), target);
    }
    NamedValues out;
    const std::string prefix = which == EvaluationSplit::Test ? "eval/" : "val/";
    for (const auto& [key, value] : evaluator.results())
        out.push_back({prefix + key.substr(key.find('/') + 1), value});
    return out;
}

}  // namespace sage

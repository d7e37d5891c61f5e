#include "data/leave_one_out_split.h"

#include <stdexcept>
#include <string>

namespace sage {

LeaveOneOutSplit::LeaveOneOutSplit(const SequenceDataset& dataset, int coldMaxTrainCount)
    : m_coldMaxTrainCount(coldMaxTrainCount) {
    if (coldMaxTrainCount < 0)
        throw std::invalid_argument("cold_max_train_count must be >= 0, got " +
                                    std::to_string(coldMaxTrainCount));
    const size_t users = dataset.sequences.size();
    m_training.resize(users);
    m_validation.assign(users, kNoTarget);
    m_test.assign(users, kNoTarget);
    m_itemTrainCounts.assign(dataset.itemCount, 0);
    for (size_t u = 0; u < users; ++u) {
        const auto& sequence = dataset.sequences[u];
        const size_t n = sequence.size();
        const size_t trainLength = n >= 3 ? n - 2 : n;
        m_training[u].assign(sequence.begin(), sequence.begin() + trainLength);
        for (int64_t item : m_training[u]) ++m_itemTrainCounts.at(item);
        m_trainingInteractions += static_cast<int64_t>(trainLength);
        if (n >= 3) {
            m_validation[u] = sequence[n - 2];
            m_test[u] = sequence[n - 1];
            ++m_evaluableUsers;
        }
    }
    m_itemCold.resize(m_itemTrainCounts.size());
    for (size_t j = 0; j < m_itemTrainCounts.size(); ++j) {
        m_itemCold[j] = m_itemTrainCounts[j] <= coldMaxTrainCount ? 1 : 0;
        m_coldItemCount += m_itemCold[j];
    }
    for (size_t u = 0; u < users; ++u) {
        if (m_test[u] == kNoTarget) continue;
        m_coldTestTargets += m_itemCold[m_test[u]];
        m_coldValidationTargets += m_itemCold[m_validation[u]];
    }
}

std::vector<int64_t> LeaveOneOutSplit::testContext(int64_t user) const {
    std::vector<int64_t> context = m_training.at(user);
    if (m_validation.at(user) != kNoTarget) context.push_back(m_validation[user]);
    return context;
}

double LeaveOneOutSplit::coldTestTargetShare() const {
    return m_evaluableUsers > 0 ? static_cast<double>(m_coldTestTargets) / m_evaluableUsers : 0.0;
}

}  // namespace sage

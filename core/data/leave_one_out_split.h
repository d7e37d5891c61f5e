#pragma once
#include <cstdint>
#include <vector>

#include "data/sequence_dataset.h"

namespace sage {

/// The leave-one-out protocol of SASRec, S3-Rec and TIGER (ENVIRONMENTS.md section 2): per user
/// the last item is the test target, the second-to-last the validation target, the rest training.
/// A user with fewer than 3 items has no targets and trains on everything (SASRec's convention).
/// Cold-start items: at most `coldMaxTrainCount` interactions in the training part.
class LeaveOneOutSplit {
public:
    static constexpr int kDefaultColdMaxTrainCount = 3;
    static constexpr int64_t kNoTarget = -1;

    explicit LeaveOneOutSplit(const SequenceDataset& dataset,
                              int coldMaxTrainCount = kDefaultColdMaxTrainCount);

    int64_t userCount() const { return static_cast<int64_t>(m_training.size()); }
    int64_t itemCount() const { return static_cast<int64_t>(m_itemTrainCounts.size()); }
    int coldMaxTrainCount() const { return m_coldMaxTrainCount; }

    const std::vector<int64_t>& training(int64_t user) const { return m_training.at(user); }
    /// kNoTarget for users with fewer than 3 items.
    int64_t validationTarget(int64_t user) const { return m_validation.at(user); }
    int64_t testTarget(int64_t user) const { return m_test.at(user); }
    bool hasTargets(int64_t user) const { return m_test.at(user) != kNoTarget; }
    /// What the model sees when predicting the test target: training items then the validation
    /// target.
    std::vector<int64_t> testContext(int64_t user) const;

    const std::vector<int64_t>& itemTrainCounts() const { return m_itemTrainCounts; }
    int64_t trainCount(int64_t item) const { return m_itemTrainCounts.at(item); }
    bool isCold(int64_t item) const { return m_itemCold.at(item) != 0; }
    /// One flag per item (1 = cold), the shape the evaluator takes.
    const std::vector<uint8_t>& coldItems() const { return m_itemCold; }
    int64_t coldItemCount() const { return m_coldItemCount; }

    int64_t trainingInteractionCount() const { return m_trainingInteractions; }
    /// Users with validation and test targets.
    int64_t evaluableUserCount() const { return m_evaluableUsers; }
    int64_t coldTestTargetCount() const { return m_coldTestTargets; }
    int64_t coldValidationTargetCount() const { return m_coldValidationTargets; }
    /// Share of evaluable users whose test target is cold (about 14 % on Beauty).
    double coldTestTargetShare() const;

private:
    int m_coldMaxTrainCount;
    std::vector<std::vector<int64_t>> m_training;
    std::vector<int64_t> m_validation;
    std::vector<int64_t> m_test;
    std::vector<int64_t> m_itemTrainCounts;
    std::vector<uint8_t> m_itemCold;
    int64_t m_coldItemCount = 0;
    int64_t m_trainingInteractions = 0;
    int64_t m_evaluableUsers = 0;
    int64_t m_coldTestTargets = 0;
    int64_t m_coldValidationTargets = 0;
};

}  // namespace sage

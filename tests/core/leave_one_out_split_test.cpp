#include "data/leave_one_out_split.h"

#include <gtest/gtest.h>

#include "data_test_files.h"

namespace sage {
namespace {

using sage::testing::fixture;

// s3rec_small.txt, 0-based:
//   u0: 0 1 2 3 4   train 0 1 2, valid 3, test 4
//   u1: 1 2 0 5     train 1 2,   valid 0, test 5
//   u2: 0 1 6       train 0,     valid 1, test 6
//   u3: 2 7 1 0     train 2 7,   valid 1, test 0
//   u4: 3 4         fewer than 3 items: all training, no targets
// Training counts: item 0: 2, 1: 2, 2: 3, 3: 1, 4: 1, 5: 0, 6: 0, 7: 1.
TEST(LeaveOneOutSplit, LastIsTestSecondToLastIsValidation) {
    const LeaveOneOutSplit split(loadS3RecDataset(fixture("s3rec_small.txt")));
    EXPECT_EQ(split.userCount(), 5);
    EXPECT_EQ(split.evaluableUserCount(), 4);
    EXPECT_EQ(split.training(0), (std::vector<int64_t>{0, 1, 2}));
    EXPECT_EQ(split.validationTarget(0), 3);
    EXPECT_EQ(split.testTarget(0), 4);
    EXPECT_EQ(split.training(2), (std::vector<int64_t>{0}));
    EXPECT_EQ(split.testContext(3), (std::vector<int64_t>{2, 7, 1}));
    EXPECT_EQ(split.training(4), (std::vector<int64_t>{3, 4}));
    EXPECT_FALSE(split.hasTargets(4));
    EXPECT_EQ(split.testTarget(4), LeaveOneOutSplit::kNoTarget);
    EXPECT_EQ(split.trainingInteractionCount(), 3 + 2 + 1 + 2 + 2);
    EXPECT_EQ(split.itemTrainCounts(), (std::vector<int64_t>{2, 2, 3, 1, 1, 0, 0, 1}));
}

TEST(LeaveOneOutSplit, ColdStartCounts) {
    const SequenceDataset data = loadS3RecDataset(fixture("s3rec_small.txt"));
    // Default threshold 3: every item has at most 3 training interactions, so all are cold.
    const LeaveOneOutSplit byDefault(data);
    EXPECT_EQ(byDefault.coldMaxTrainCount(), 3);
    EXPECT_EQ(byDefault.coldItemCount(), 8);
    EXPECT_EQ(byDefault.coldTestTargetCount(), 4);
    EXPECT_DOUBLE_EQ(byDefault.coldTestTargetShare(), 1.0);

    // Threshold 1: cold items 3, 4, 5, 6, 7. Test targets 4, 5, 6 are cold, 0 is not; validation
    // targets 3 (cold), 0, 1, 1.
    const LeaveOneOutSplit strict(data, 1);
    EXPECT_EQ(strict.coldItemCount(), 5);
    EXPECT_EQ(strict.coldItems(), (std::vector<uint8_t>{0, 0, 0, 1, 1, 1, 1, 1}));
    EXPECT_EQ(strict.coldTestTargetCount(), 3);
    EXPECT_DOUBLE_EQ(strict.coldTestTargetShare(), 0.75);
    EXPECT_EQ(strict.coldValidationTargetCount(), 1);
    EXPECT_TRUE(strict.isCold(5));
    EXPECT_FALSE(strict.isCold(2));

    EXPECT_THROW(LeaveOneOutSplit(data, -1), std::invalid_argument);
}

}  // namespace
}  // namespace sage

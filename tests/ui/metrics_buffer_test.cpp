#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "ui/metrics_buffer.h"

namespace sage::ui {
namespace {

StepScalars stepAt(int64_t step) {
    StepScalars s;
    s.step = step;
    s.wallTime = double(step) * 1e-3;
    s.values = {{"reward", double(step)}};
    return s;
}

TEST(MetricsBufferTest, ManyStepsFromAnotherThreadRaiseOneNotificationAndDrainInOrder) {
    MetricsBuffer buffer;
    std::atomic<int> notifications{0};
    buffer.setNotifier([&] { ++notifications; });
    constexpr int kSteps = 20000;

    std::thread producer([&] {
        for (int i = 0; i < kSteps; ++i) buffer.onStep(stepAt(i));
    });
    producer.join();

    EXPECT_EQ(notifications.load(), 1);
    EXPECT_TRUE(buffer.hasPending());
    const MetricsBatch batch = buffer.drain();
    ASSERT_EQ(batch.steps.size(), size_t(kSteps));
    for (int i = 0; i < kSteps; ++i) {
        ASSERT_EQ(batch.steps[size_t(i)].step, i);
        ASSERT_EQ(batch.steps[size_t(i)].values.front().second, double(i));
    }
    EXPECT_FALSE(buffer.hasPending());
    EXPECT_TRUE(buffer.drain().empty());

    // After a drain the next record notifies again, once.
    buffer.onStep(stepAt(kSteps));
    buffer.onStep(stepAt(kSteps + 1));
    EXPECT_EQ(notifications.load(), 2);
}

TEST(MetricsBufferTest, DrainingWhileAppendingLosesAndRepeatsNothing) {
    MetricsBuffer buffer;
    std::atomic<int> notifications{0};
    buffer.setNotifier([&] { ++notifications; });
    constexpr int kSteps = 50000;
    std::atomic<bool> done{false};

    std::thread producer([&] {
        for (int i = 0; i < kSteps; ++i) buffer.onStep(stepAt(i));
        done = true;
    });
    std::vector<int64_t> seen;
    int drains = 0;
    while (!done || buffer.hasPending()) {
        if (!buffer.hasPending()) {
            std::this_thread::yield();
            continue;
        }
        const MetricsBatch batch = buffer.drain();
        ++drains;
        for (const StepScalars& s : batch.steps) seen.push_back(s.step);
    }
    producer.join();
    const MetricsBatch rest = buffer.drain();
    for (const StepScalars& s : rest.steps) seen.push_back(s.step);

    ASSERT_EQ(seen.size(), size_t(kSteps));
    for (int i = 0; i < kSteps; ++i) ASSERT_EQ(seen[size_t(i)], i);
    // Never more than one notification per drain (plus the one pending at the end).
    EXPECT_LE(notifications.load(), drains + 1);
}

TEST(MetricsBufferTest, KeepsEventsAndEvalsAndClearEmptiesIt) {
    MetricsBuffer buffer;
    buffer.onEvent({3, 0.5, EventLevel::Warning, "slow step"});
    buffer.onEval({4, {{"eval/ndcg", 0.25}}});
    buffer.onSlates({SlateRecord{}});  // left to the store
    MetricsBatch batch = buffer.drain();
    ASSERT_EQ(batch.events.size(), 1u);
    EXPECT_EQ(batch.events[0].message, "slow step");
    EXPECT_EQ(batch.events[0].level, EventLevel::Warning);
    ASSERT_EQ(batch.evals.size(), 1u);
    EXPECT_EQ(batch.evals[0].step, 4);
    EXPECT_TRUE(batch.steps.empty());

    buffer.onStep(stepAt(1));
    buffer.clear();
    EXPECT_FALSE(buffer.hasPending());
    EXPECT_TRUE(buffer.drain().empty());
}

TEST(MetricsBufferTest, RemembersTheAnnouncedStepCountUntilCleared) {
    MetricsBuffer buffer;
    EXPECT_EQ(buffer.totalSteps(), -1);
    buffer.onRunStarted(4900);  // an SFT run: epochs × batches, not training.steps
    EXPECT_EQ(buffer.totalSteps(), 4900);
    buffer.clear();
    EXPECT_EQ(buffer.totalSteps(), -1);
}

}  // namespace
}  // namespace sage::ui

#include "store/store_sink.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/run_store.h"
#include "temp_dir.h"

namespace sage {
namespace {

namespace fs = std::filesystem;

/// Each test's files live in their own folder.
class TempDir : public testing::TempDir {
public:
    TempDir() : testing::TempDir("sage_store_sink_test") {}
};

constexpr double kNoTimeFlush = 3600.0;

StepScalars scalarsAt(int64_t step) {
    return {step, 0.1 * static_cast<double>(step), {{"loss", 1.0 / (1.0 + step)}, {"reward", 0.5}}};
}

// The reader plays the GUI: a separate connection that only sees committed data.
class StoreSinkTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_reader = std::make_unique<RunStore>(m_path);
        m_runId = m_reader->createRun("e", "r", "{}", 1);
    }
    size_t visibleSteps() { return m_reader->metricSeries(m_runId, "loss").size(); }

    TempDir m_dir;
    std::string m_path = m_dir.file("sink.db");
    std::unique_ptr<RunStore> m_reader;
    int64_t m_runId = 0;
};

TEST_F(StoreSinkTest, EveryKindOfRecordLandsAfterFlush) {
    StoreSink sink(m_path, m_runId, 1000, kNoTimeFlush);
    EXPECT_EQ(m_runId, sink.runId());
    sink.onStep(scalarsAt(0));
    sink.onStep(scalarsAt(1));
    sink.onHistogram({1, "log_ratio/hist", -1.0, 1.0, {1.0f, 2.0f, 3.0f}});
    SlateRecord slate;
    slate.step = 1;
    slate.user = 77;
    slate.items = {5, 6, 7};
    slate.logpOld = {-1.0f, -2.0f, -3.0f};
    slate.branch = "pos_cap";
    slate.rewards = {{"click", 1.0}};
    sink.onSlates({slate, slate});
    sink.onEval({1, {{"eval/ndcg@10", 0.2}}});
    sink.onEvent({1, 0.1, EventLevel::Warning, "slow step"});

    EXPECT_EQ(0u, visibleSteps());
    EXPECT_TRUE(m_reader->slateSteps(m_runId).empty());
    EXPECT_TRUE(m_reader->events(m_runId).empty());

    sink.flush();
    EXPECT_EQ(0, sink.pendingSteps());
    EXPECT_EQ(2u, visibleSteps());
    EXPECT_EQ(2u, m_reader->metricSeries(m_runId, "reward").size());
    ASSERT_EQ(1u, m_reader->histograms(m_runId, "log_ratio/hist").size());
    EXPECT_EQ((std::vector<float>{1.0f, 2.0f, 3.0f}),
              m_reader->histograms(m_runId, "log_ratio/hist")[0].counts);
    const auto slates = m_reader->slates(m_runId, 1);
    ASSERT_EQ(2u, slates.size());
    EXPECT_EQ(77, slates[1].user);
    EXPECT_EQ((std::vector<int64_t>{5, 6, 7}), slates[1].items);
    EXPECT_EQ("pos_cap", slates[1].branch);
    ASSERT_EQ(1u, m_reader->evals(m_runId).size());
    ASSERT_EQ(1u, m_reader->events(m_runId).size());
    EXPECT_EQ("slow step", m_reader->events(m_runId)[0].message);

    sink.flush();  // nothing buffered: nothing written twice
    EXPECT_EQ(2u, m_reader->slates(m_runId, 1).size());
    EXPECT_EQ(1u, m_reader->events(m_runId).size());
}

TEST_F(StoreSinkTest, FlushesEveryNSteps) {
    StoreSink sink(m_path, m_runId, 5, kNoTimeFlush);
    const int64_t versionBefore = m_reader->dataVersion();
    for (int step = 0; step < 4; ++step) sink.onStep(scalarsAt(step));
    EXPECT_EQ(0u, visibleSteps()) << "4 steps of 5 must stay buffered";
    EXPECT_EQ(4, sink.pendingSteps());
    EXPECT_EQ(versionBefore, m_reader->dataVersion()) << "no commit before the fifth step";

    sink.onStep(scalarsAt(4));
    EXPECT_EQ(5u, visibleSteps());
    EXPECT_EQ(0, sink.pendingSteps());

    for (int step = 5; step < 9; ++step) sink.onStep(scalarsAt(step));
    EXPECT_EQ(5u, visibleSteps());
    sink.onStep(scalarsAt(9));
    EXPECT_EQ(10u, visibleSteps());
}

TEST_F(StoreSinkTest, FlushesWhenTheIntervalHasPassed) {
    StoreSink sink(m_path, m_runId, 1000, 0.2);
    sink.onStep(scalarsAt(0));
    EXPECT_EQ(0u, visibleSteps());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    sink.onStep(scalarsAt(1));
    EXPECT_EQ(2u, visibleSteps());
}

TEST_F(StoreSinkTest, DestructorFlushesWhatIsBuffered) {
    {
        StoreSink sink(m_path, m_runId, 1000, kNoTimeFlush);
        for (int step = 0; step < 3; ++step) sink.onStep(scalarsAt(step));
        sink.onEvent({2, 0.2, EventLevel::Info, "done"});
        EXPECT_EQ(0u, visibleSteps());
    }
    EXPECT_EQ(3u, visibleSteps());
    EXPECT_EQ(1u, m_reader->events(m_runId).size());
}

TEST_F(StoreSinkTest, FailedFlushKeepsRecordsForTheNextAttempt) {
    StoreSink sink(m_path, m_runId, 1000, kNoTimeFlush);
    m_reader->database().exec(
        "CREATE TRIGGER fail_metrics BEFORE INSERT ON metrics "
        "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END");
    for (int step = 0; step < 3; ++step) sink.onStep(scalarsAt(step));
    EXPECT_THROW(sink.flush(), StoreError);
    EXPECT_EQ(3, sink.pendingSteps());
    EXPECT_EQ(0u, visibleSteps());

    m_reader->database().exec("DROP TRIGGER fail_metrics");
    sink.flush();
    EXPECT_EQ(0, sink.pendingSteps());
    EXPECT_EQ(3u, visibleSteps());
}

TEST_F(StoreSinkTest, DestructorReportsAFailedFlushInsteadOfThrowing) {
    ::testing::internal::CaptureStderr();
    {
        StoreSink sink(m_path, m_runId + 100, 1000, kNoTimeFlush);  // no such run
        sink.onStep(scalarsAt(0));
    }
    const std::string stderrText = ::testing::internal::GetCapturedStderr();
    EXPECT_NE(stderrText.find(m_path), std::string::npos) << stderrText;
    EXPECT_EQ(0u, visibleSteps());
}

TEST_F(StoreSinkTest, RefusesToOpenAStoreItCannotUse) {
    EXPECT_THROW(StoreSink(m_dir.file("no/such/folder.db"), 1, 5), StoreError);
}

}  // namespace
}  // namespace sage

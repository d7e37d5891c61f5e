// Crash recovery in the store: which runs count as interrupted, resume claims, truncation after a
// checkpoint, checkpoint records and the heartbeat lease.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "store/process_identity.h"
#include "store/run_lease.h"
#include "store/run_store.h"
#include "store/store_sink.h"
#include "temp_dir.h"

namespace sage {
namespace {

namespace fs = std::filesystem;

double unixNow() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

/// The pid of a child that has exited and been reaped: a process that is certainly gone.
int64_t goneProcessId() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return child;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class RunRecoveryTest : public ::testing::Test {
protected:
    /// Sets who owns a run as a build of this version would have recorded it.
    void setOwner(int64_t runId, const std::string& host, int64_t pid, const std::string& start,
                  double heartbeat) {
        SQLite::Statement update(m_store.database(), R"sql(
            UPDATE runs SET owner_host = ?2, owner_pid = ?3, owner_start = ?4, heartbeat_at = ?5
            WHERE id = ?1)sql");
        update.bind(1, runId);
        update.bind(2, host);
        update.bind(3, pid);
        update.bind(4, start);
        update.bind(5, heartbeat);
        update.exec();
    }
    int64_t runIn(RunStatus status, const std::string& name) {
        const int64_t id = m_store.createRun("e", name, "{}", 1);
        if (status != RunStatus::Created) m_store.setRunStatus(id, RunStatus::Running);
        if (status != RunStatus::Running && status != RunStatus::Created)
            m_store.setRunStatus(id, status);
        return id;
    }

    testing::TempDir m_dir{"sage_run_recovery_test"};
    std::string m_path = m_dir.file("runs.sqlite");
    RunStore m_store{m_path};
};

TEST_F(RunRecoveryTest, NewRunsAreOwnedByThisProcess) {
    const int64_t id = m_store.createRun("e", "r", "{}", 1);
    const auto run = m_store.run(id);
    const ProcessIdentity& self = ProcessIdentity::current();
    EXPECT_EQ(self.host, run->ownerHost);
    EXPECT_EQ(self.pid, run->ownerPid);
    EXPECT_NEAR(unixNow(), run->heartbeatAt, 60.0);
    EXPECT_FALSE(self.startToken.empty()) << "Linux has /proc";
    EXPECT_TRUE(isLocalProcessAlive(self.pid, self.startToken));
    EXPECT_FALSE(isLocalProcessAlive(self.pid, "another boot/1"));
    EXPECT_FALSE(isLocalProcessAlive(goneProcessId(), ""));
}

TEST_F(RunRecoveryTest, OnlyRunsWhoseOwnerIsGoneBecomeInterrupted) {
    const std::string here = ProcessIdentity::current().host;
    const int64_t gone = goneProcessId();
    const double now = unixNow();
    const int64_t live = runIn(RunStatus::Running, "live, this process");
    const int64_t killed = runIn(RunStatus::Running, "killed");
    setOwner(killed, here, gone, "", now);
    const int64_t reused = runIn(RunStatus::Paused, "pid reused by another process");
    setOwner(reused, here, ProcessIdentity::current().pid, "another boot/1", now);
    const int64_t remoteFresh = runIn(RunStatus::Running, "other host, fresh heartbeat");
    setOwner(remoteFresh, "elsewhere", 1, "", now);
    const int64_t remoteStale = runIn(RunStatus::Running, "other host, silent");
    setOwner(remoteStale, "elsewhere", 1, "", now - 2 * RunStore::kLeaseTimeoutSeconds);
    const int64_t finished = runIn(RunStatus::Finished, "finished by a process now gone");
    setOwner(finished, here, gone, "", now);
    const int64_t createdGone = runIn(RunStatus::Created, "killed before it started");
    setOwner(createdGone, here, gone, "", now);
    m_store.writeBatch(killed, {{{7, 1.0, {{"reward", 1.0}}}}, {}, {}, {}, {}, {}});

    EXPECT_EQ(4, m_store.markInterruptedRuns());
    EXPECT_EQ(RunStatus::Running, m_store.run(live)->status);
    EXPECT_EQ(RunStatus::Interrupted, m_store.run(killed)->status);
    EXPECT_EQ(RunStatus::Interrupted, m_store.run(reused)->status);
    EXPECT_EQ(RunStatus::Running, m_store.run(remoteFresh)->status);
    EXPECT_EQ(RunStatus::Interrupted, m_store.run(remoteStale)->status);
    EXPECT_EQ(RunStatus::Finished, m_store.run(finished)->status);
    EXPECT_EQ(RunStatus::Interrupted, m_store.run(createdGone)->status);

    const auto run = m_store.run(killed);
    EXPECT_GT(run->finishedAt, 0.0);
    EXPECT_TRUE(contains(run->error, "process " + std::to_string(gone))) << run->error;
    EXPECT_TRUE(contains(run->error, "after step 7")) << run->error;
    const auto events = m_store.events(killed);
    ASSERT_EQ(1u, events.size());
    EXPECT_EQ(EventLevel::Warning, events[0].level);
    EXPECT_EQ(7, events[0].step);
    EXPECT_TRUE(contains(m_store.run(remoteStale)->error, "no heartbeat")) << m_store.run(remoteStale)->error;
    EXPECT_EQ(0, m_store.markInterruptedRuns()) << "marking twice changes nothing";
}

TEST_F(RunRecoveryTest, OpeningTheStoreMarksRunsOfKilledProcesses) {
    const int64_t killed = runIn(RunStatus::Running, "killed");
    setOwner(killed, ProcessIdentity::current().host, goneProcessId(), "", unixNow());
    RunStore reopened(m_path);
    EXPECT_EQ(RunStatus::Interrupted, reopened.run(killed)->status);
}

TEST_F(RunRecoveryTest, ResumeClaimsOnlyStoppedFailedOrInterruptedRunsAndOnlyOnce) {
    const int64_t stopped = runIn(RunStatus::Stopped, "stopped");
    m_store.setRunStatus(stopped, RunStatus::Stopped, "an old error");
    setOwner(stopped, "elsewhere", 1, "", 1.0);
    EXPECT_TRUE(m_store.claimResumableRun(stopped));
    const auto run = m_store.run(stopped);
    EXPECT_EQ(RunStatus::Running, run->status);
    EXPECT_EQ(ProcessIdentity::current().pid, run->ownerPid);
    EXPECT_EQ(ProcessIdentity::current().host, run->ownerHost);
    EXPECT_EQ(0.0, run->finishedAt);
    EXPECT_EQ("", run->error);
    EXPECT_FALSE(m_store.claimResumableRun(stopped)) << "already running: a second resume loses";

    EXPECT_TRUE(m_store.claimResumableRun(runIn(RunStatus::Failed, "failed")));
    EXPECT_TRUE(m_store.claimResumableRun(runIn(RunStatus::Interrupted, "interrupted")));
    EXPECT_FALSE(m_store.claimResumableRun(runIn(RunStatus::Finished, "finished")));
    EXPECT_FALSE(m_store.claimResumableRun(runIn(RunStatus::Paused, "paused")));
    EXPECT_FALSE(m_store.claimResumableRun(runIn(RunStatus::Created, "created")));
    EXPECT_FALSE(m_store.claimResumableRun(9999));
}

TEST_F(RunRecoveryTest, TruncateDropsEveryRecordAfterTheStepAndRecomputesLatestMetrics) {
    const int64_t id = runIn(RunStatus::Interrupted, "r");
    RunStore::Batch batch;
    for (int64_t step = 1; step <= 10; ++step) {
        // The largest reward is at step 9, the smallest at step 1.
        batch.steps.push_back({step, double(step), {{"reward", step == 9 ? 100.0 : double(step)}}});
        batch.histograms.push_back({step, "hist", 0.0, 1.0, {1.0f}});
        SlateRecord slate;
        slate.step = step;
        slate.items = {1, 2};
        batch.slates.push_back(slate);
        batch.evals.push_back({step, {{"eval/x", double(step)}}});
        batch.events.push_back({step, double(step), EventLevel::Info, "event " + std::to_string(step)});
    }
    batch.checkpoints = {{4, m_dir.file("a.ckpt"), 0.0}, {8, m_dir.file("b.ckpt"), 0.0}};
    m_store.writeBatch(id, batch);

    m_store.truncateRun(id, 6);
    const auto rewards = m_store.metricSeries(id, "reward");
    ASSERT_EQ(6u, rewards.size());
    EXPECT_EQ(6, rewards.back().step);
    const auto latest = m_store.latestMetrics(id);
    ASSERT_EQ(1u, latest.size());
    EXPECT_EQ(6, latest[0].step);
    EXPECT_EQ(6.0, latest[0].last);
    EXPECT_EQ(1.0, latest[0].min);
    EXPECT_EQ(6.0, latest[0].max) << "the discarded step 9 no longer counts";
    EXPECT_EQ(6, m_store.run(id)->lastStep);
    EXPECT_EQ(6u, m_store.histograms(id, "hist").size());
    EXPECT_EQ((std::vector<int64_t>{1, 2, 3, 4, 5, 6}), m_store.slateSteps(id));
    EXPECT_EQ(6u, m_store.evals(id).size());
    ASSERT_EQ(1u, m_store.checkpoints(id).size());
    EXPECT_EQ(4, m_store.checkpoints(id)[0].step);
    EXPECT_EQ(10u, m_store.events(id).size()) << "events are the run's history and stay";

    // Logging the later steps again leaves one slate per step, not two.
    RunStore::Batch again;
    for (int64_t step = 7; step <= 10; ++step) {
        SlateRecord slate;
        slate.step = step;
        slate.items = {3};
        again.slates.push_back(slate);
    }
    m_store.writeBatch(id, again);
    for (int64_t step = 1; step <= 10; ++step) EXPECT_EQ(1u, m_store.slates(id, step).size()) << step;
}

TEST_F(RunRecoveryTest, CheckpointPathsBesideTheStoreAreStoredRelativeAndReadAbsolute) {
    const int64_t id = runIn(RunStatus::Running, "r");
    const std::string beside = m_dir.file("runs.sqlite.checkpoints/run-1/step-3.ckpt");
    const std::string elsewhere = "/var/tmp/elsewhere/step-5.ckpt";
    m_store.writeBatch(id, {{}, {}, {}, {}, {}, {{3, beside, 0.0}, {5, elsewhere, 0.0}}});
    const auto records = m_store.checkpoints(id);
    ASSERT_EQ(2u, records.size());
    EXPECT_EQ(beside, records[0].path);
    EXPECT_EQ(elsewhere, records[1].path);
    EXPECT_GT(records[0].createdAt, 0.0);
    EXPECT_EQ("runs.sqlite.checkpoints/run-1/step-3.ckpt",
              m_store.database().execAndGet("SELECT path FROM checkpoints WHERE step = 3").getString());

    EXPECT_EQ((std::vector<std::string>{beside}), m_store.forgetOldCheckpoints(id, 1));
    ASSERT_EQ(1u, m_store.checkpoints(id).size());
    EXPECT_EQ(5, m_store.checkpoints(id)[0].step);
}

TEST_F(RunRecoveryTest, StoreSinkCommitsACheckpointWithTheStepsBeforeItAndKeepsTheNewestFiles) {
    const int64_t id = runIn(RunStatus::Running, "r");
    const fs::path folder = m_dir.path() / "checkpoints";
    fs::create_directories(folder);
    RunStore reader(m_path);
    {
        StoreSink sink(m_path, id, 1000, 3600.0);
        for (int64_t step = 1; step <= 4; ++step) {
            sink.onStep({step, 0.0, {{"reward", 1.0}}});
            const std::string file = (folder / ("step-" + std::to_string(step) + ".ckpt")).string();
            std::ofstream(file) << "state";
            sink.onCheckpoint(step, file);
            EXPECT_EQ(size_t(step), reader.metricSeries(id, "reward").size())
                << "the checkpoint of step " << step << " commits the steps before it";
        }
        EXPECT_EQ(0, sink.pendingSteps());
    }
    const auto records = reader.checkpoints(id);
    ASSERT_EQ(size_t(StoreSink::kCheckpointsKept), records.size());
    EXPECT_EQ(3, records[0].step);
    EXPECT_EQ(4, records[1].step);
    EXPECT_FALSE(fs::exists(folder / "step-1.ckpt"));
    EXPECT_FALSE(fs::exists(folder / "step-2.ckpt"));
    EXPECT_TRUE(fs::exists(folder / "step-3.ckpt"));
    EXPECT_TRUE(fs::exists(folder / "step-4.ckpt"));
}

TEST_F(RunRecoveryTest, PurgingARunDeletesItsCheckpointFiles) {
    const int64_t id = runIn(RunStatus::Stopped, "r");
    const fs::path folder = m_dir.path() / "runs.sqlite.checkpoints" / "run-1";
    fs::create_directories(folder);
    std::ofstream((folder / "step-2.ckpt").string()) << "state";
    m_store.writeBatch(id, {{}, {}, {}, {}, {}, {{2, (folder / "step-2.ckpt").string(), 0.0}}});
    m_store.softDeleteRun(id);
    EXPECT_TRUE(m_store.purgeRun(id));
    EXPECT_FALSE(fs::exists(folder / "step-2.ckpt"));
    EXPECT_FALSE(fs::exists(folder)) << "the emptied run folder goes too";
}

TEST_F(RunRecoveryTest, LeaseBeatsWhileHeldAndOnlyForItsOwnRun) {
    const int64_t mine = runIn(RunStatus::Running, "mine");
    const int64_t theirs = runIn(RunStatus::Running, "theirs");
    setOwner(mine, ProcessIdentity::current().host, ProcessIdentity::current().pid,
             ProcessIdentity::current().startToken, 1.0);
    setOwner(theirs, "elsewhere", 1, "", 1.0);
    {
        RunLease lease(m_path, mine, std::chrono::milliseconds(20));
        RunLease foreign(m_path, theirs, std::chrono::milliseconds(20));
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (m_store.run(mine)->heartbeatAt < 2.0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_NEAR(unixNow(), m_store.run(mine)->heartbeatAt, 60.0);
    EXPECT_EQ(1.0, m_store.run(theirs)->heartbeatAt) << "another process's run is not touched";
}

}  // namespace
}  // namespace sage

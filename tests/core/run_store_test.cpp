#include "store/run_store.h"
#include "temp_dir.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/run_status.h"
#include "training/training_records.h"

namespace sage {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Each test's files live in their own folder.
class TempDir : public testing::TempDir {
public:
    TempDir() : testing::TempDir("sage_run_store_test") {}
};

double unixNow() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

int64_t countRows(RunStore& store, const std::string& table) {
    // Table names here are test constants, not user input.
    return store.database().execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
}

void expectSameDouble(double expected, double actual, const char* what) {
    if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(actual)) << what << " should be NaN, is " << actual;
    } else {
        EXPECT_EQ(expected, actual) << what;
    }
}

template <typename T>
void expectSameBits(const std::vector<T>& expected, const std::vector<T>& actual,
                    const char* what) {
    ASSERT_EQ(expected.size(), actual.size()) << what;
    if (!expected.empty()) {
        EXPECT_EQ(0, std::memcmp(expected.data(), actual.data(), expected.size() * sizeof(T)))
            << what;
    }
}

void expectSameNamedValues(const NamedValues& expected, const NamedValues& actual) {
    ASSERT_EQ(expected.size(), actual.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(expected[i].first, actual[i].first);
        expectSameDouble(expected[i].second, actual[i].second, expected[i].first.c_str());
    }
}

void expectSameSlate(const SlateRecord& expected, const SlateRecord& actual) {
    EXPECT_EQ(expected.step, actual.step);
    EXPECT_EQ(expected.user, actual.user);
    EXPECT_EQ(expected.group, actual.group);
    expectSameBits(expected.items, actual.items, "items");
    expectSameBits(expected.logpOld, actual.logpOld, "logpOld");
    expectSameBits(expected.logpNew, actual.logpNew, "logpNew");
    expectSameBits(expected.tokenRatio, actual.tokenRatio, "tokenRatio");
    expectSameDouble(expected.logRatio, actual.logRatio, "logRatio");
    expectSameDouble(expected.ratio, actual.ratio, "ratio");
    expectSameDouble(expected.pbarOld, actual.pbarOld, "pbarOld");
    expectSameDouble(expected.pbarNew, actual.pbarNew, "pbarNew");
    expectSameDouble(expected.denominator, actual.denominator, "denominator");
    expectSameDouble(expected.coefficient, actual.coefficient, "coefficient");
    EXPECT_EQ(expected.branch, actual.branch);
    expectSameDouble(expected.boost, actual.boost, "boost");
    expectSameDouble(expected.posCap, actual.posCap, "posCap");
    expectSameDouble(expected.listEntropy, actual.listEntropy, "listEntropy");
    expectSameDouble(expected.negScale, actual.negScale, "negScale");
    expectSameDouble(expected.advantage, actual.advantage, "advantage");
    expectSameNamedValues(expected.rewards, actual.rewards);
}

// N steps of M keys each: key k at step s has value s * 10 + k.
RunStore::Batch stepBatch(int64_t firstStep, int steps, int keys) {
    RunStore::Batch batch;
    for (int s = 0; s < steps; ++s) {
        StepScalars scalars;
        scalars.step = firstStep + s;
        scalars.wallTime = 0.5 * static_cast<double>(scalars.step);
        for (int k = 0; k < keys; ++k) {
            scalars.values.emplace_back("key/" + std::to_string(k),
                                        static_cast<double>(scalars.step * 10 + k));
        }
        batch.steps.push_back(scalars);
    }
    return batch;
}

class RunStoreTest : public ::testing::Test {
protected:
    TempDir m_dir;
    std::string m_path = m_dir.file("runs.sage.db");
};

// ---- Status text ----

TEST(RunStatusTest, TextRoundTripsForEveryStatus) {
    const std::vector<std::pair<RunStatus, std::string>> expected = {
        {RunStatus::Created, "created"},        {RunStatus::Running, "running"},
        {RunStatus::Paused, "paused"},          {RunStatus::Finished, "finished"},
        {RunStatus::Stopped, "stopped"},        {RunStatus::Failed, "failed"},
        {RunStatus::Interrupted, "interrupted"}};
    for (const auto& [status, text] : expected) {
        EXPECT_EQ(text, toString(status));
        ASSERT_TRUE(parseRunStatus(text).has_value()) << text;
        EXPECT_EQ(status, *parseRunStatus(text));
    }
    EXPECT_FALSE(parseRunStatus("Running").has_value());
    EXPECT_FALSE(parseRunStatus("").has_value());
    EXPECT_FALSE(parseRunStatus("done").has_value());
}

TEST(RunStatusTest, OnlyEndStatesAreTerminal) {
    EXPECT_FALSE(isTerminal(RunStatus::Created));
    EXPECT_FALSE(isTerminal(RunStatus::Running));
    EXPECT_FALSE(isTerminal(RunStatus::Paused));
    EXPECT_TRUE(isTerminal(RunStatus::Finished));
    EXPECT_TRUE(isTerminal(RunStatus::Stopped));
    EXPECT_TRUE(isTerminal(RunStatus::Failed));
    EXPECT_TRUE(isTerminal(RunStatus::Interrupted));
}

TEST(EventLevelTest, TextIsLowercase) {
    EXPECT_EQ("info", toString(EventLevel::Info));
    EXPECT_EQ("warning", toString(EventLevel::Warning));
    EXPECT_EQ("error", toString(EventLevel::Error));
}

// ---- Runs ----

TEST_F(RunStoreTest, CreateRunStoresCreatedStatusAndCreationTime) {
    RunStore store(m_path);
    const double before = unixNow();
    const int64_t id = store.createRun("baselines", "gbpo-1", R"({"objective":"gbpo"})", 42);
    const double after = unixNow();

    const auto run = store.run(id);
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(id, run->id);
    EXPECT_EQ("baselines", run->experiment);
    EXPECT_EQ(store.ensureExperiment("baselines"), run->experimentId);
    EXPECT_EQ("gbpo-1", run->name);
    EXPECT_EQ(RunStatus::Created, run->status);
    EXPECT_EQ(R"({"objective":"gbpo"})", run->configJson);
    EXPECT_EQ(42, run->seed);
    EXPECT_GE(run->createdAt, before - 1e-3);
    EXPECT_LE(run->createdAt, after + 1e-3);
    EXPECT_EQ(0.0, run->startedAt);
    EXPECT_EQ(0.0, run->finishedAt);
    EXPECT_EQ(-1, run->lastStep);
    EXPECT_FALSE(run->deleted);
    EXPECT_TRUE(run->tags.empty());
    EXPECT_FALSE(store.run(id + 100).has_value());
}

TEST_F(RunStoreTest, EnsureExperimentReusesTheSameName) {
    RunStore store(m_path);
    const int64_t a = store.ensureExperiment("a");
    const int64_t b = store.ensureExperiment("b");
    EXPECT_NE(a, b);
    EXPECT_EQ(a, store.ensureExperiment("a"));
    EXPECT_EQ(2, countRows(store, "experiments"));
}

TEST_F(RunStoreTest, CreateRunFlattensTheConfigIntoParams) {
    RunStore store(m_path);
    const std::string config = R"({
        "objective": "sage",
        "optimizer": {"lr": 0.001, "betas": [0.9, 0.999], "fused": true},
        "rewards": [{"name": "click", "weight": 2}],
        "steps": 500,
        "extra": {},
        "note": null
    })";
    const int64_t id = store.createRun("e", "r", config, 1);

    SQLite::Statement query(store.database(),
                            "SELECT key, value, typeof(value) FROM params WHERE run_id = ?1 "
                            "ORDER BY key");
    query.bind(1, id);
    std::vector<std::string> rows;
    while (query.executeStep()) {
        rows.push_back(query.getColumn(0).getString() + "=" + query.getColumn(1).getString() + ":" +
                       query.getColumn(2).getString());
    }
    const std::vector<std::string> expected = {
        "extra={}:text",
        "note=:null",
        "objective=sage:text",
        "optimizer.betas.0=0.9:real",
        "optimizer.betas.1=0.999:real",
        "optimizer.fused=1:integer",
        "optimizer.lr=0.001:real",
        "rewards.0.name=click:text",
        "rewards.0.weight=2:integer",
        "steps=500:integer",
    };
    EXPECT_EQ(expected, rows);
}

TEST_F(RunStoreTest, CreateRunRefusesInvalidConfigJsonAndWritesNothing) {
    RunStore store(m_path);
    try {
        store.createRun("e", "broken", "{not json", 1);
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(m_path), std::string::npos) << e.what();
    }
    EXPECT_EQ(0, countRows(store, "runs"));
}

TEST_F(RunStoreTest, SetRunStatusRecordsStartFinishAndError) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "r", "{}", 1);

    store.setRunStatus(id, RunStatus::Running);
    auto run = store.run(id);
    EXPECT_EQ(RunStatus::Running, run->status);
    const double startedAt = run->startedAt;
    EXPECT_GT(startedAt, 0.0);
    EXPECT_EQ(0.0, run->finishedAt);

    store.setRunStatus(id, RunStatus::Paused);
    EXPECT_EQ(RunStatus::Paused, store.run(id)->status);
    store.setRunStatus(id, RunStatus::Running);
    run = store.run(id);
    EXPECT_EQ(startedAt, run->startedAt) << "a resumed run keeps its first start time";
    EXPECT_EQ(0.0, run->finishedAt);

    store.setRunStatus(id, RunStatus::Failed, "loss became NaN at step 12");
    run = store.run(id);
    EXPECT_EQ(RunStatus::Failed, run->status);
    EXPECT_GE(run->finishedAt, startedAt);
    EXPECT_EQ("loss became NaN at step 12", run->error);
    EXPECT_EQ("failed", store.database()
                            .execAndGet("SELECT status FROM runs WHERE id = " + std::to_string(id))
                            .getString());
}

TEST_F(RunStoreTest, ChangingAMissingRunThrowsStoreError) {
    RunStore store(m_path);
    EXPECT_THROW(store.setRunStatus(99, RunStatus::Running), StoreError);
    EXPECT_THROW(store.setNotes(99, "x"), StoreError);
    EXPECT_THROW(store.setTags(99, {"x"}), StoreError);
    EXPECT_THROW(store.setRunName(99, "x"), StoreError);
    EXPECT_THROW(store.softDeleteRun(99), StoreError);
    EXPECT_THROW(store.restoreRun(99), StoreError);
    EXPECT_THROW(store.writeBatch(99, stepBatch(0, 1, 1)), StoreError);
}

TEST_F(RunStoreTest, ListRunsIsOrderedAndCarriesExperimentTagsAndLastStep) {
    RunStore store(m_path);
    const int64_t a = store.createRun("exp-a", "first", "{}", 1);
    const int64_t b = store.createRun("exp-b", "second", "{}", 2);
    const int64_t c = store.createRun("exp-a", "third", "{}", 3);
    store.setTags(b, {"baseline", "gbpo"});
    store.writeBatch(b, stepBatch(0, 8, 2));
    store.writeBatch(c, stepBatch(3, 2, 1));

    const auto runs = store.listRuns();
    ASSERT_EQ(3u, runs.size());
    EXPECT_EQ(a, runs[0].id);
    EXPECT_EQ(b, runs[1].id);
    EXPECT_EQ(c, runs[2].id);
    EXPECT_EQ("exp-a", runs[0].experiment);
    EXPECT_EQ("exp-b", runs[1].experiment);
    EXPECT_EQ("exp-a", runs[2].experiment);
    EXPECT_EQ(runs[0].experimentId, runs[2].experimentId);
    EXPECT_EQ(-1, runs[0].lastStep);
    EXPECT_EQ(7, runs[1].lastStep);
    EXPECT_EQ(4, runs[2].lastStep);
    EXPECT_TRUE(runs[0].tags.empty());
    EXPECT_EQ((std::vector<std::string>{"baseline", "gbpo"}), runs[1].tags);
}

TEST_F(RunStoreTest, SoftDeleteHidesTheRunAndRestoreBringsItBack) {
    RunStore store(m_path);
    const int64_t keep = store.createRun("e", "keep", "{}", 1);
    const int64_t gone = store.createRun("e", "gone", "{}", 2);
    store.writeBatch(gone, stepBatch(0, 3, 1));

    store.softDeleteRun(gone);
    auto visible = store.listRuns();
    ASSERT_EQ(1u, visible.size());
    EXPECT_EQ(keep, visible[0].id);
    auto all = store.listRuns(/*includeDeleted=*/true);
    ASSERT_EQ(2u, all.size());
    EXPECT_TRUE(all[1].deleted);
    EXPECT_TRUE(store.run(gone)->deleted);
    EXPECT_EQ(3u, store.metricSeries(gone, "key/0").size()) << "soft delete keeps the records";

    store.restoreRun(gone);
    visible = store.listRuns();
    ASSERT_EQ(2u, visible.size());
    EXPECT_EQ(gone, visible[1].id);
    EXPECT_FALSE(visible[1].deleted);
}

TEST_F(RunStoreTest, NotesTagsAndNameUpdate) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "before", "{}", 1);
    store.setNotes(id, "first try");
    store.setTags(id, {"a", "b", "a"});
    store.setRunName(id, "after");
    auto run = store.run(id);
    EXPECT_EQ("first try", run->notes);
    EXPECT_EQ((std::vector<std::string>{"a", "b"}), run->tags) << "duplicates collapse";
    EXPECT_EQ("after", run->name);

    store.setNotes(id, "");
    store.setTags(id, {"c"});
    run = store.run(id);
    EXPECT_EQ("", run->notes);
    EXPECT_EQ((std::vector<std::string>{"c"}), run->tags) << "setTags replaces the set";
    store.setTags(id, {});
    EXPECT_TRUE(store.run(id)->tags.empty());
}

// ---- Hostile text ----

TEST_F(RunStoreTest, HostileTextRoundTripsExactly) {
    const std::vector<std::string> hostile = {
        "it's",
        "say \"hi\"",
        "a;b;c",
        "'; DROP TABLE runs; --",
        "\"); DELETE FROM experiments; --",
        "back\\slash\\",
        "line one\nline two\r\n\ttabbed",
        "Ünïcødé 😀 日本語",
        "%_[]*?",
        std::string("nul\0inside", 10),
    };
    std::vector<int64_t> ids;
    {
        RunStore store(m_path);
        for (size_t i = 0; i < hostile.size(); ++i) {
            const std::string& text = hostile[i];
            nlohmann::json config;
            config[text] = static_cast<int>(i);
            const int64_t id = store.createRun(text, text, config.dump(), 7);
            ids.push_back(id);
            store.setNotes(id, text);
            store.setTags(id, {text, "plain"});
            RunStore::Batch batch;
            batch.steps.push_back({1, 0.5, {{text, 1.5 + static_cast<double>(i)}}});
            batch.histograms.push_back({1, text, -1.0, 1.0, {1.0f, 2.0f}});
            SlateRecord slate;
            slate.step = 1;
            slate.branch = text;
            slate.rewards = {{text, 0.25}};
            batch.slates.push_back(slate);
            batch.evals.push_back({1, {{text, 0.75}}});
            batch.events.push_back({1, 0.5, EventLevel::Warning, text});
            store.writeBatch(id, batch);
        }
    }

    RunStore store(m_path);  // a fresh connection reads what the file holds
    EXPECT_EQ(static_cast<int64_t>(hostile.size()), countRows(store, "runs"));
    EXPECT_TRUE(store.database().tableExists("experiments"));
    const auto runs = store.listRuns();
    ASSERT_EQ(hostile.size(), runs.size());
    for (size_t i = 0; i < hostile.size(); ++i) {
        const std::string& text = hostile[i];
        SCOPED_TRACE("hostile text #" + std::to_string(i));
        const RunSummary& run = runs[i];
        EXPECT_EQ(ids[i], run.id);
        EXPECT_EQ(text, run.experiment);
        EXPECT_EQ(text, run.name);
        EXPECT_EQ(text, run.notes);
        EXPECT_EQ((std::vector<std::string>{text, "plain"}), run.tags);
        EXPECT_EQ(run.experimentId, store.ensureExperiment(text));

        const auto keys = store.metricKeys(run.id);
        EXPECT_EQ((std::vector<std::string>{text}), keys);
        const auto series = store.metricSeries(run.id, text);
        ASSERT_EQ(1u, series.size());
        EXPECT_EQ(1.5 + static_cast<double>(i), series[0].value);
        ASSERT_EQ(1u, store.latestMetrics(run.id).size());
        EXPECT_EQ(text, store.latestMetrics(run.id)[0].key);
        ASSERT_EQ(1u, store.histograms(run.id, text).size());
        EXPECT_EQ(text, store.histograms(run.id, text)[0].key);
        const auto slates = store.slates(run.id, 1);
        ASSERT_EQ(1u, slates.size());
        EXPECT_EQ(text, slates[0].branch);
        ASSERT_EQ(1u, slates[0].rewards.size());
        EXPECT_EQ(text, slates[0].rewards[0].first);
        const auto evals = store.evals(run.id);
        ASSERT_EQ(1u, evals.size());
        ASSERT_EQ(1u, evals[0].values.size());
        EXPECT_EQ(text, evals[0].values[0].first);
        const auto events = store.events(run.id);
        ASSERT_EQ(1u, events.size());
        EXPECT_EQ(text, events[0].message);

        SQLite::Statement param(store.database(),
                                "SELECT value FROM params WHERE run_id = ?1 AND key = ?2");
        param.bind(1, run.id);
        param.bind(2, text);
        ASSERT_TRUE(param.executeStep()) << "config key missing from params";
        EXPECT_EQ(static_cast<int64_t>(i), param.getColumn(0).getInt64());
    }
}

// ---- Writing records ----

TEST_F(RunStoreTest, BatchOfStepsTimesKeysIsOneTransaction) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "r", "{}", 1);
    int commits = 0;
    sqlite3_commit_hook(
        store.database().getHandle(),
        [](void* counter) {
            ++*static_cast<int*>(counter);
            return 0;
        },
        &commits);

    constexpr int kSteps = 20;
    constexpr int kKeys = 8;
    RunStore::Batch batch = stepBatch(0, kSteps, kKeys);
    batch.histograms.push_back({3, "rho", -2.0, 2.0, {1.0f, 4.0f, 2.0f}});
    batch.slates.resize(3);
    batch.evals.push_back({10, {{"eval/ndcg", 0.3}}});
    batch.events.push_back({10, 5.0, EventLevel::Info, "checkpoint"});
    store.writeBatch(id, batch);
    sqlite3_commit_hook(store.database().getHandle(), nullptr, nullptr);

    EXPECT_EQ(1, commits);
    EXPECT_EQ(kSteps * kKeys, countRows(store, "metrics"));
    EXPECT_EQ(kKeys, countRows(store, "latest_metrics"));
    EXPECT_EQ(1, countRows(store, "histograms"));
    EXPECT_EQ(3, countRows(store, "slates"));
    EXPECT_EQ(1, countRows(store, "evals"));
    EXPECT_EQ(1, countRows(store, "events"));
    for (int k = 0; k < kKeys; ++k) {
        const auto series = store.metricSeries(id, "key/" + std::to_string(k));
        ASSERT_EQ(static_cast<size_t>(kSteps), series.size());
        for (int s = 0; s < kSteps; ++s) {
            EXPECT_EQ(s, series[s].step);
            EXPECT_EQ(0.5 * s, series[s].wallTime);
            EXPECT_EQ(s * 10.0 + k, series[s].value);
        }
    }
    EXPECT_EQ(kKeys, static_cast<int>(store.metricKeys(id).size()));
}

TEST_F(RunStoreTest, BatchThatFailsMidwayLeavesNoPartialRows) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "r", "{}", 1);
    // Events are written after steps, histograms and slates: failing there is failing midway.
    store.database().exec(
        "CREATE TRIGGER fail_events BEFORE INSERT ON events "
        "BEGIN SELECT RAISE(ABORT, 'forced failure'); END");

    RunStore::Batch batch = stepBatch(0, 5, 3);
    batch.histograms.push_back({1, "rho", 0.0, 1.0, {1.0f}});
    batch.slates.resize(2);
    batch.evals.push_back({1, {{"eval/x", 1.0}}});
    batch.events.push_back({1, 0.0, EventLevel::Error, "boom"});
    try {
        store.writeBatch(id, batch);
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find(m_path), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("forced failure"), std::string::npos) << e.what();
    }
    for (const char* table :
         {"metrics", "latest_metrics", "metric_keys", "histograms", "slates", "evals", "events"}) {
        EXPECT_EQ(0, countRows(store, table)) << table << " kept rows of a failed batch";
    }

    // The same connection recovers: interned key ids of the rolled-back batch must not linger.
    store.database().exec("DROP TRIGGER fail_events");
    store.writeBatch(id, batch);
    EXPECT_EQ(15, countRows(store, "metrics"));
    EXPECT_EQ(5u, store.metricSeries(id, "key/2").size());
    EXPECT_EQ(1u, store.events(id).size());
}

TEST_F(RunStoreTest, LatestMetricsTrackLastMinAndMax) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "r", "{}", 1);
    auto batchOf = [](std::vector<std::pair<int64_t, double>> points) {
        RunStore::Batch batch;
        for (const auto& [step, value] : points)
            batch.steps.push_back({step, 0.0, {{"loss", value}}});
        return batch;
    };
    store.writeBatch(id, batchOf({{0, 3.0}, {1, 1.0}, {2, 5.0}}));
    auto latest = store.latestMetrics(id);
    ASSERT_EQ(1u, latest.size());
    EXPECT_EQ("loss", latest[0].key);
    EXPECT_EQ(2, latest[0].step);
    EXPECT_EQ(5.0, latest[0].last);
    EXPECT_EQ(1.0, latest[0].min);
    EXPECT_EQ(5.0, latest[0].max);

    // A late write of an older step widens the range but does not become "last".
    store.writeBatch(id, batchOf({{1, 10.0}, {0, -4.0}}));
    latest = store.latestMetrics(id);
    EXPECT_EQ(2, latest[0].step);
    EXPECT_EQ(5.0, latest[0].last);
    EXPECT_EQ(-4.0, latest[0].min);
    EXPECT_EQ(10.0, latest[0].max);
    const auto series = store.metricSeries(id, "loss");
    ASSERT_EQ(3u, series.size()) << "rewriting a step replaces it";
    EXPECT_EQ(-4.0, series[0].value);
    EXPECT_EQ(10.0, series[1].value);

    // NaN is stored (as NULL), becomes last, and leaves min and max alone.
    store.writeBatch(id, batchOf({{3, kNaN}}));
    latest = store.latestMetrics(id);
    EXPECT_EQ(3, latest[0].step);
    EXPECT_TRUE(std::isnan(latest[0].last));
    EXPECT_EQ(-4.0, latest[0].min);
    EXPECT_EQ(10.0, latest[0].max);
    store.writeBatch(id, batchOf({{4, 7.0}}));
    latest = store.latestMetrics(id);
    EXPECT_EQ(7.0, latest[0].last);
    EXPECT_EQ(-4.0, latest[0].min);
    EXPECT_EQ(10.0, latest[0].max);
    const auto all = store.metricSeries(id, "loss");
    ASSERT_EQ(5u, all.size());
    EXPECT_TRUE(std::isnan(all[3].value));
    EXPECT_EQ(4, store.run(id)->lastStep);
}

// writeBatch sorts a batch's rows and folds it into one latest_metrics write per key; the result
// must be what writing the same rows one at a time gives, whatever the order, ties and NaNs.
TEST_F(RunStoreTest, LatestMetricsOfABatchEqualThoseOfItsRowsWrittenOneByOne) {
    RunStore store(m_path);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int64_t> stepOf(0, 6);
    std::uniform_real_distribution<double> valueOf(-5.0, 5.0);
    for (int trial = 0; trial < 20; ++trial) {
        const int64_t batched = store.createRun("e", "batched", "{}", 1);
        const int64_t single = store.createRun("e", "single", "{}", 1);
        for (int round = 0; round < 3; ++round) {
            RunStore::Batch batch;
            for (int row = 0; row < 8; ++row) {
                const double value = rng() % 4 == 0 ? kNaN : valueOf(rng);
                const double allNaN = kNaN;
                batch.steps.push_back({stepOf(rng), 0.0, {{"loss", value}, {"never", allNaN}}});
            }
            store.writeBatch(batched, batch);
            for (const auto& step : batch.steps) {
                RunStore::Batch one;
                one.steps.push_back(step);
                store.writeBatch(single, one);
            }
            // The rows themselves: a step written twice in one batch keeps its later value.
            const auto expectedSeries = store.metricSeries(single, "loss");
            const auto actualSeries = store.metricSeries(batched, "loss");
            ASSERT_EQ(expectedSeries.size(), actualSeries.size());
            for (size_t i = 0; i < expectedSeries.size(); ++i) {
                EXPECT_EQ(expectedSeries[i].step, actualSeries[i].step);
                if (std::isnan(expectedSeries[i].value)) {
                    EXPECT_TRUE(std::isnan(actualSeries[i].value));
                } else {
                    EXPECT_EQ(expectedSeries[i].value, actualSeries[i].value);
                }
            }
            const auto expected = store.latestMetrics(single);
            const auto actual = store.latestMetrics(batched);
            ASSERT_EQ(expected.size(), actual.size());
            for (size_t k = 0; k < expected.size(); ++k) {
                SCOPED_TRACE(expected[k].key + ", trial " + std::to_string(trial));
                EXPECT_EQ(expected[k].key, actual[k].key);
                EXPECT_EQ(expected[k].step, actual[k].step);
                for (auto [want, got] : {std::pair{expected[k].last, actual[k].last},
                                         std::pair{expected[k].min, actual[k].min},
                                         std::pair{expected[k].max, actual[k].max}}) {
                    if (std::isnan(want)) {
                        EXPECT_TRUE(std::isnan(got)) << got;
                    } else {
                        EXPECT_EQ(want, got);
                    }
                }
            }
        }
    }
}

TEST_F(RunStoreTest, MetricSeriesReturnsOnlyPointsAfterTheGivenStep) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "r", "{}", 1);
    const int64_t other = store.createRun("e", "other", "{}", 1);
    store.writeBatch(id, stepBatch(0, 10, 2));
    store.writeBatch(other, stepBatch(0, 30, 2));
    const auto tail = store.metricSeries(id, "key/1", 6);
    ASSERT_EQ(3u, tail.size());
    EXPECT_EQ(7, tail[0].step);
    EXPECT_EQ(9, tail[2].step);
    EXPECT_EQ(10u, store.metricSeries(id, "key/1").size()) << "other runs do not leak in";
    EXPECT_TRUE(store.metricSeries(id, "no/such/key").empty());
    EXPECT_EQ((std::vector<std::string>{"key/0", "key/1"}), store.metricKeys(id));
}

TEST_F(RunStoreTest, SlatesRoundTripEveryField) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "r", "{}", 1);

    SlateRecord first;
    first.step = 5;
    first.user = 9'000'000'000LL;  // beyond 32 bits
    first.group = 3;
    first.items = {101, -2, 9'007'199'254'740'993LL, 0};
    first.logpOld = {-1.25f, -0.5f, -3.0f, -0.125f};
    first.logpNew = {-1.0f, -0.75f, -2.5f, -0.25f};
    first.tokenRatio = {1.284f, 0.778f, 1.6487f, std::numeric_limits<float>::quiet_NaN()};
    first.logRatio = 0.123456789012345;
    first.ratio = 1.1313;
    first.pbarOld = 0.25;
    first.pbarNew = 0.3;
    first.denominator = 0.0;
    first.coefficient = -0.7;
    first.branch = "neg_cap";
    first.boost = 1.5;
    first.posCap = 2.25;
    first.listEntropy = 1.75;
    first.negScale = kNaN;
    first.advantage = -1.2;
    first.rewards = {{"click", 1.0},
                     {"diversity", 0.5},
                     {"broken", kNaN},
                     {"huge", std::numeric_limits<double>::infinity()},
                     {"tiny", -std::numeric_limits<double>::infinity()}};

    SlateRecord second;
    second.step = 5;
    second.user = 12;
    second.group = 4;
    second.branch = "ratio";  // every vector empty

    SlateRecord later = first;
    later.step = 6;
    later.user = 13;

    RunStore::Batch batch;
    batch.slates = {first, second};
    store.writeBatch(id, batch);
    batch.slates = {later};
    store.writeBatch(id, batch);

    EXPECT_EQ((std::vector<int64_t>{5, 6}), store.slateSteps(id));
    const auto atFive = store.slates(id, 5);
    ASSERT_EQ(2u, atFive.size());
    {
        SCOPED_TRACE("first slate");
        expectSameSlate(first, atFive[0]);
    }
    {
        SCOPED_TRACE("second slate");
        expectSameSlate(second, atFive[1]);
    }
    const auto atSix = store.slates(id, 6);
    ASSERT_EQ(1u, atSix.size());
    expectSameSlate(later, atSix[0]);
    EXPECT_TRUE(store.slates(id, 7).empty());
}

TEST_F(RunStoreTest, HistogramsRoundTripAndRewritingAStepReplacesIt) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "r", "{}", 1);
    RunStore::Batch batch;
    batch.histograms.push_back({10, "log_ratio/hist", -0.5, 0.5, {0.0f, 3.0f, 12.5f, 1e-7f}});
    batch.histograms.push_back({20, "log_ratio/hist", -1.0, 2.0, {4.0f, 5.0f}});
    batch.histograms.push_back({10, "other", 0.0, 1.0, {9.0f}});
    store.writeBatch(id, batch);

    auto histograms = store.histograms(id, "log_ratio/hist");
    ASSERT_EQ(2u, histograms.size());
    EXPECT_EQ(10, histograms[0].step);
    EXPECT_EQ("log_ratio/hist", histograms[0].key);
    EXPECT_EQ(-0.5, histograms[0].low);
    EXPECT_EQ(0.5, histograms[0].high);
    EXPECT_EQ((std::vector<float>{0.0f, 3.0f, 12.5f, 1e-7f}), histograms[0].counts);
    EXPECT_EQ(20, histograms[1].step);
    EXPECT_EQ(-1.0, histograms[1].low);
    EXPECT_EQ(2.0, histograms[1].high);
    EXPECT_EQ((std::vector<float>{4.0f, 5.0f}), histograms[1].counts);

    batch.histograms = {{20, "log_ratio/hist", 0.0, 4.0, {1.0f, 1.0f, 1.0f}}};
    store.writeBatch(id, batch);
    histograms = store.histograms(id, "log_ratio/hist");
    ASSERT_EQ(2u, histograms.size());
    EXPECT_EQ(4.0, histograms[1].high);
    EXPECT_EQ((std::vector<float>{1.0f, 1.0f, 1.0f}), histograms[1].counts);
    EXPECT_TRUE(store.metricKeys(id).empty()) << "histograms are not scalar metrics";
}

TEST_F(RunStoreTest, EvalsAndEventsRoundTripInOrder) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "r", "{}", 1);
    RunStore::Batch batch;
    batch.evals.push_back({100, {{"eval/recall@10", 0.25}, {"eval/ndcg@10", 0.125}}});
    batch.evals.push_back({200, {{"eval/recall@10", 0.5}}});
    batch.events.push_back({3, 1.5, EventLevel::Info, "started"});
    batch.events.push_back({4, 2.5, EventLevel::Warning, "grad norm 1e4"});
    batch.events.push_back({5, 3.5, EventLevel::Error, "NaN loss"});
    store.writeBatch(id, batch);

    const auto evals = store.evals(id);
    ASSERT_EQ(2u, evals.size());
    EXPECT_EQ(100, evals[0].step);
    expectSameNamedValues(batch.evals[0].values, evals[0].values);
    EXPECT_EQ(200, evals[1].step);
    expectSameNamedValues(batch.evals[1].values, evals[1].values);

    const auto events = store.events(id);
    ASSERT_EQ(3u, events.size());
    for (size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(batch.events[i].step, events[i].step);
        EXPECT_EQ(batch.events[i].wallTime, events[i].wallTime);
        EXPECT_EQ(batch.events[i].level, events[i].level);
        EXPECT_EQ(batch.events[i].message, events[i].message);
    }
}

TEST_F(RunStoreTest, EmptyBatchWritesNothing) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "r", "{}", 1);
    const int before = store.database().getTotalChanges();
    store.writeBatch(id, RunStore::Batch{});
    EXPECT_TRUE(RunStore::Batch{}.empty());
    EXPECT_EQ(before, store.database().getTotalChanges());
}

// ---- Two connections ----

TEST_F(RunStoreTest, ReadsWhileAnotherConnectionWritesNeverFailAndOnlyGrow) {
    int64_t id = 0;
    {
        RunStore setup(m_path);
        id = setup.createRun("e", "r", "{}", 1);
    }
    constexpr int kBatches = 150;
    constexpr int kStepsPerBatch = 10;
    std::atomic<bool> writerDone{false};
    std::exception_ptr writerError;
    std::thread writer([&] {
        try {
            RunStore store(m_path);  // its own connection, as the training thread has
            for (int b = 0; b < kBatches; ++b) {
                store.writeBatch(id, stepBatch(b * kStepsPerBatch, kStepsPerBatch, 3));
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        } catch (...) {
            writerError = std::current_exception();
        }
        writerDone = true;
    });

    std::string readerError;
    size_t lastSize = 0;
    int distinctSizes = 0;
    try {
        RunStore reader(m_path);
        while (!writerDone && readerError.empty()) {
            const auto series = reader.metricSeries(id, "key/1");
            if (series.size() < lastSize) readerError = "series shrank";
            if (series.size() % kStepsPerBatch != 0) readerError = "saw half a batch";
            for (size_t i = 0; i < series.size() && readerError.empty(); ++i) {
                if (series[i].step != static_cast<int64_t>(i)) readerError = "gap in steps";
            }
            if (series.size() != lastSize) ++distinctSizes;
            lastSize = series.size();
        }
        lastSize = reader.metricSeries(id, "key/1").size();
    } catch (const std::exception& e) {
        readerError = e.what();
    }
    writer.join();

    if (writerError) {
        try {
            std::rethrow_exception(writerError);
        } catch (const std::exception& e) {
            FAIL() << "writer failed: " << e.what();
        }
    }
    EXPECT_EQ("", readerError);
    EXPECT_EQ(static_cast<size_t>(kBatches * kStepsPerBatch), lastSize);
    EXPECT_GE(distinctSizes, 2) << "the reader should have seen the series grow";
}

TEST_F(RunStoreTest, DataVersionChangesWhenAnotherConnectionCommits) {
    RunStore writer(m_path);
    RunStore reader(m_path);
    const int64_t id = writer.createRun("e", "r", "{}", 1);
    const int64_t before = reader.dataVersion();
    EXPECT_EQ(before, reader.dataVersion()) << "no commit, no change";
    writer.writeBatch(id, stepBatch(0, 2, 2));
    const int64_t after = reader.dataVersion();
    EXPECT_NE(before, after);
    writer.setNotes(id, "changed");
    EXPECT_NE(after, reader.dataVersion());
}

// ---- Read-side queries for the dashboard ----

TEST_F(RunStoreTest, ExperimentsListCountsLiveAndDeletedRunsAndRenames) {
    RunStore store(m_path);
    const int64_t a1 = store.createRun("alpha", "a1", "{}", 1);
    store.createRun("alpha", "a2", "{}", 1);
    store.createRun("beta", "b1", "{}", 1);
    store.ensureExperiment("empty");
    store.softDeleteRun(a1);

    auto experiments = store.listExperiments();
    ASSERT_EQ(3u, experiments.size());
    EXPECT_EQ("alpha", experiments[0].name);
    EXPECT_EQ(1, experiments[0].runCount);
    EXPECT_EQ(1, experiments[0].deletedCount);
    EXPECT_EQ("beta", experiments[1].name);
    EXPECT_EQ(1, experiments[1].runCount);
    EXPECT_EQ("empty", experiments[2].name);
    EXPECT_EQ(0, experiments[2].runCount);

    store.renameExperiment(experiments[1].id, "gamma");
    EXPECT_EQ("gamma", store.run(store.listRuns().back().id)->experiment);
    EXPECT_THROW(store.renameExperiment(experiments[1].id, "alpha"), StoreError)
        << "names stay unique";
    EXPECT_THROW(store.renameExperiment(9999, "x"), StoreError);
}

TEST_F(RunStoreTest, PurgeRemovesOnlyDeletedRunsWithAllTheirRecords) {
    RunStore store(m_path);
    const int64_t keep = store.createRun("e", "keep", "{}", 1);
    const int64_t gone = store.createRun("e", "gone", "{}", 2);
    const int64_t also = store.createRun("e", "also", "{}", 3);
    RunStore::Batch batch = stepBatch(0, 4, 2);
    batch.histograms.push_back({1, "hist/x", -1.0, 1.0, {1.f, 2.f}});
    batch.events.push_back({1, 0.0, EventLevel::Info, "hello"});
    store.writeBatch(keep, batch);
    store.writeBatch(gone, batch);
    store.writeBatch(also, batch);
    store.setTags(gone, {"t"});

    EXPECT_FALSE(store.purgeRun(keep)) << "a run not in the bin is never purged";
    store.softDeleteRun(gone);
    EXPECT_TRUE(store.purgeRun(gone));
    EXPECT_FALSE(store.run(gone).has_value());
    EXPECT_TRUE(store.metricSeries(gone, "key/0").empty());
    EXPECT_TRUE(store.histograms(gone, "hist/x").empty());
    EXPECT_EQ(16, countRows(store, "metrics")) << "two runs of 4 steps x 2 keys remain";
    EXPECT_EQ(0, countRows(store, "run_tags"));

    store.softDeleteRun(also);
    EXPECT_EQ(1, store.purgeDeletedRuns());
    EXPECT_EQ(1u, store.listRuns(true).size());
    EXPECT_EQ(8, countRows(store, "metrics"));
    EXPECT_EQ(0, store.purgeDeletedRuns());
}

TEST_F(RunStoreTest, MetricEnvelopeKeepsEveryBucketsExtremes) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "r", "{}", 1);
    RunStore::Batch batch;
    // A smooth ramp with one spike up at step 500 and one down at step 777.
    for (int64_t s = 0; s < 1000; ++s) {
        double v = double(s) * 0.001;
        if (s == 500) v = 50.0;
        if (s == 777) v = -50.0;
        if (s == 900) v = kNaN;
        batch.steps.push_back({s, double(s), {{"m", v}}});
    }
    store.writeBatch(id, batch);

    const auto envelope = store.metricEnvelope(id, "m", 0, 999, 10);
    ASSERT_EQ(10u, envelope.size());
    int64_t total = 0;
    for (size_t b = 0; b < envelope.size(); ++b) {
        EXPECT_EQ(int64_t(b) * 100, envelope[b].firstStep);
        EXPECT_EQ(int64_t(b) * 100 + 99, envelope[b].lastStep);
        total += envelope[b].count;
    }
    EXPECT_EQ(1000, total);
    EXPECT_DOUBLE_EQ(50.0, envelope[5].max);
    EXPECT_DOUBLE_EQ(-50.0, envelope[7].min);
    EXPECT_DOUBLE_EQ(0.0, envelope[0].min);
    EXPECT_DOUBLE_EQ(0.999, envelope[9].max) << "NaN is skipped, not a maximum";

    const auto zoomed = store.metricEnvelope(id, "m", 770, 779, 100);
    ASSERT_EQ(10u, zoomed.size()) << "fewer points than buckets: one bucket per point";
    EXPECT_DOUBLE_EQ(-50.0, zoomed[7].min);
    EXPECT_TRUE(store.metricEnvelope(id, "m", 10, 5, 10).empty());
    EXPECT_TRUE(store.metricEnvelope(id, "nope", 0, 999, 10).empty());
}

TEST_F(RunStoreTest, EvalKeysAndSeriesBorrowTheStepsWallTime) {
    RunStore store(m_path);
    const int64_t id = store.createRun("e", "r", "{}", 1);
    RunStore::Batch batch;
    batch.steps.push_back({10, 2.5, {{"reward", 1.0}}});
    batch.evals.push_back({10, {{"eval/recall@10", 0.1}, {"eval/ndcg@10", 0.05}}});
    batch.evals.push_back({20, {{"eval/recall@10", 0.2}}});
    store.writeBatch(id, batch);

    EXPECT_EQ((std::vector<std::string>{"eval/ndcg@10", "eval/recall@10"}), store.evalKeys(id));
    const auto series = store.evalSeries(id, "eval/recall@10");
    ASSERT_EQ(2u, series.size());
    EXPECT_EQ(10, series[0].step);
    EXPECT_DOUBLE_EQ(2.5, series[0].wallTime);
    EXPECT_DOUBLE_EQ(0.1, series[0].value);
    EXPECT_TRUE(std::isnan(series[1].wallTime)) << "step 20 logged no reward";
    EXPECT_EQ(1u, store.evalSeries(id, "eval/recall@10", 10).size());
}

}  // namespace
}  // namespace sage

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/run_store.h"
#include "temp_dir.h"
#include "store/schema_migrations.h"

namespace sage {
namespace {

namespace fs = std::filesystem;

/// Each test's files live in their own folder.
class TempDir : public testing::TempDir {
public:
    TempDir() : testing::TempDir("sage_store_migration_test") {}
};

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

bool hasColumn(SQLite::Database& db, const std::string& table, const std::string& column) {
    SQLite::Statement query(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
    query.bind(1, table);
    query.bind(2, column);
    return query.executeStep();
}

// Rows a version-1 store could hold, written with raw SQL as an old build would have.
void insertVersionOneRows(SQLite::Database& db) {
    db.exec(R"sql(
        INSERT INTO experiments (id, name, created_at) VALUES (1, 'old experiment', 1700000000.5);
        INSERT INTO runs (id, experiment_id, name, status, config_json, seed, created_at,
                          started_at, finished_at, notes, error)
        VALUES (1, 1, 'old run', 'finished', '{"lr":0.1}', 11, 1700000001.0, 1700000002.0,
                1700000100.0, 'kept notes', '');
        INSERT INTO params (run_id, key, value) VALUES (1, 'lr', 0.1);
        INSERT INTO metric_keys (id, name) VALUES (1, 'loss'), (2, 'reward');
        INSERT INTO metrics (run_id, key_id, step, wall_time, value) VALUES
            (1, 1, 0, 0.0, 4.0), (1, 1, 1, 1.0, 2.0), (1, 1, 2, 2.0, 3.0),
            (1, 2, 0, 0.0, 0.1), (1, 2, 1, 1.0, NULL), (1, 2, 2, 2.0, 0.7);
        INSERT INTO events (run_id, step, wall_time, level, message)
        VALUES (1, 2, 2.0, 'warning', 'old warning');
    )sql");
}

// What a version-2 build kept next to those rows: the run list's latest metrics.
void insertVersionTwoLatestMetrics(SQLite::Database& db) {
    db.exec(R"sql(
        INSERT INTO latest_metrics (run_id, key_id, step, last, min, max)
        VALUES (1, 1, 2, 3.0, 2.0, 4.0), (1, 2, 2, 0.7, 0.1, 0.7);
    )sql");
}

class StoreMigrationTest : public ::testing::Test {
protected:
    TempDir m_dir;
    std::string m_path = m_dir.file("store.db");
};

TEST_F(StoreMigrationTest, MigrationListMatchesTheSchemaVersion) {
    ASSERT_GE(RunStore::kSchemaVersion, 2);
    EXPECT_EQ(RunStore::kSchemaVersion, latestSchemaVersion());
    const auto& steps = schemaMigrations();
    ASSERT_EQ(static_cast<size_t>(RunStore::kSchemaVersion), steps.size());
    for (size_t i = 0; i < steps.size(); ++i) {
        EXPECT_EQ(static_cast<int>(i) + 1, steps[i].version);
        EXPECT_NE(nullptr, steps[i].apply);
    }
}

TEST_F(StoreMigrationTest, FreshFileGetsCurrentVersionWalAndConnectionSettings) {
    {
        RunStore store(m_path);
        EXPECT_EQ(RunStore::kSchemaVersion, store.schemaVersion());
        EXPECT_EQ("wal", store.journalMode());
        auto& db = store.database();
        EXPECT_EQ(1, db.execAndGet("PRAGMA foreign_keys").getInt());
        EXPECT_EQ(1, db.execAndGet("PRAGMA synchronous").getInt()) << "1 is NORMAL";
        EXPECT_GE(db.execAndGet("PRAGMA busy_timeout").getInt(), 1000);
        for (const char* table :
             {"experiments", "runs", "run_tags", "params", "metric_keys", "metrics",
              "latest_metrics", "histograms", "slates", "evals", "checkpoints", "events"}) {
            EXPECT_TRUE(db.tableExists(table)) << table;
        }
    }
    // WAL and the version live in the file, not only in that connection.
    SQLite::Database raw(m_path, SQLite::OPEN_READONLY);
    EXPECT_EQ(RunStore::kSchemaVersion, readSchemaVersion(raw));
    EXPECT_EQ("wal", raw.execAndGet("PRAGMA journal_mode").getString());
    EXPECT_EQ(kStoreApplicationId, raw.execAndGet("PRAGMA application_id").getInt());
}

TEST_F(StoreMigrationTest, ReopeningACurrentStoreKeepsItsData) {
    int64_t id = 0;
    {
        RunStore store(m_path);
        id = store.createRun("e", "r", "{}", 3);
    }
    RunStore store(m_path);
    EXPECT_EQ(RunStore::kSchemaVersion, store.schemaVersion());
    ASSERT_TRUE(store.run(id).has_value());
    EXPECT_EQ("r", store.run(id)->name);
}

TEST_F(StoreMigrationTest, MigrateSchemaStopsAtTheTargetAndIsIdempotent) {
    SQLite::Database db(m_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    EXPECT_EQ(0, migrateSchema(db, 0));
    EXPECT_EQ(0, readSchemaVersion(db));
    EXPECT_EQ(1, migrateSchema(db, 1));
    EXPECT_EQ(1, readSchemaVersion(db));
    EXPECT_TRUE(db.tableExists("runs"));
    EXPECT_FALSE(db.tableExists("latest_metrics"));
    EXPECT_FALSE(hasColumn(db, "runs", "deleted"));
    EXPECT_EQ(RunStore::kSchemaVersion - 1, migrateSchema(db, RunStore::kSchemaVersion));
    EXPECT_EQ(RunStore::kSchemaVersion, readSchemaVersion(db));
    EXPECT_TRUE(hasColumn(db, "runs", "deleted"));
    EXPECT_EQ(0, migrateSchema(db, RunStore::kSchemaVersion));
    EXPECT_THROW(migrateSchema(db, RunStore::kSchemaVersion + 1), StoreError);
}

TEST_F(StoreMigrationTest, MigratesFromEachOlderVersionKeepingData) {
    for (int version = 1; version < RunStore::kSchemaVersion; ++version) {
        SCOPED_TRACE("from version " + std::to_string(version));
        const std::string path = m_dir.file("v" + std::to_string(version) + ".db");
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            ASSERT_EQ(version, migrateSchema(db, version));
            ASSERT_EQ(version, readSchemaVersion(db));
            insertVersionOneRows(db);
            if (version >= 2) insertVersionTwoLatestMetrics(db);
        }

        RunStore store(path);
        EXPECT_EQ(RunStore::kSchemaVersion, store.schemaVersion());
        EXPECT_EQ("wal", store.journalMode());

        const auto runs = store.listRuns();
        ASSERT_EQ(1u, runs.size());
        const RunSummary& run = runs[0];
        EXPECT_EQ(1, run.id);
        EXPECT_EQ("old experiment", run.experiment);
        EXPECT_EQ("old run", run.name);
        EXPECT_EQ(RunStatus::Finished, run.status);
        EXPECT_EQ(R"({"lr":0.1})", run.configJson);
        EXPECT_EQ(11, run.seed);
        EXPECT_EQ(1700000001.0, run.createdAt);
        EXPECT_EQ(1700000002.0, run.startedAt);
        EXPECT_EQ(1700000100.0, run.finishedAt);
        EXPECT_EQ("kept notes", run.notes);
        EXPECT_EQ(2, run.lastStep) << "latest_metrics backfilled from the old metrics";
        EXPECT_FALSE(run.deleted);
        EXPECT_TRUE(run.tags.empty());

        const auto loss = store.metricSeries(1, "loss");
        ASSERT_EQ(3u, loss.size());
        EXPECT_EQ(2.0, loss[1].value);
        const auto latest = store.latestMetrics(1);
        ASSERT_EQ(2u, latest.size());
        EXPECT_EQ("loss", latest[0].key);
        EXPECT_EQ(2, latest[0].step);
        EXPECT_EQ(3.0, latest[0].last);
        EXPECT_EQ(2.0, latest[0].min);
        EXPECT_EQ(4.0, latest[0].max);
        EXPECT_EQ("reward", latest[1].key);
        EXPECT_EQ(0.7, latest[1].last);
        EXPECT_EQ(0.1, latest[1].min) << "NaN (NULL) skipped";
        EXPECT_EQ(0.7, latest[1].max);
        ASSERT_EQ(1u, store.events(1).size());
        EXPECT_EQ("old warning", store.events(1)[0].message);

        // The migrated file takes new writes like a fresh one.
        store.setTags(1, {"migrated"});
        store.softDeleteRun(1);
        EXPECT_TRUE(store.listRuns().empty());
        RunStore::Batch batch;
        batch.steps.push_back({3, 3.0, {{"loss", 1.0}}});
        store.writeBatch(1, batch);
        EXPECT_EQ(1.0, store.latestMetrics(1)[0].min);
        EXPECT_EQ(3, store.latestMetrics(1)[0].step);
    }
}

TEST_F(StoreMigrationTest, VersionTwoRunsLeftRunningByAnOlderBuildAreInterruptedOnlyWhenStale) {
    {
        SQLite::Database db(m_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        ASSERT_EQ(2, migrateSchema(db, 2));
        insertVersionOneRows(db);
        const std::string now = std::to_string(
            std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                .count());
        // Run 2 was left running long ago (its process is gone); run 3 started a moment ago and
        // may still be training in an older build; run 4 was created and never started.
        db.exec(R"sql(
            INSERT INTO runs (id, experiment_id, name, status, created_at, started_at)
            VALUES (2, 1, 'orphan', 'running', 1700000000.0, 1700000001.0),
                   (3, 1, 'recent', 'running', )sql" + now + ", " + now + R"sql(),
                   (4, 1, 'never started', 'created', 1700000000.0, NULL);
            INSERT INTO metric_keys (id, name) VALUES (3, 'orphan metric');
            INSERT INTO metrics (run_id, key_id, step, wall_time, value) VALUES (2, 3, 9, 1.0, 1.0);
            INSERT INTO latest_metrics (run_id, key_id, step, last, min, max)
            VALUES (2, 3, 9, 1.0, 1.0, 1.0);
        )sql");
    }
    RunStore store(m_path);
    EXPECT_EQ(RunStore::kSchemaVersion, store.schemaVersion());
    const auto orphan = store.run(2);
    EXPECT_EQ(RunStatus::Interrupted, orphan->status);
    EXPECT_GT(orphan->finishedAt, 0.0);
    EXPECT_TRUE(contains(orphan->error, "older build")) << orphan->error;
    ASSERT_EQ(1u, store.events(2).size());
    EXPECT_EQ(EventLevel::Warning, store.events(2)[0].level);
    EXPECT_EQ(9, store.events(2)[0].step) << "the event sits at the last logged step";
    EXPECT_EQ(RunStatus::Running, store.run(3)->status);
    EXPECT_EQ(RunStatus::Created, store.run(4)->status);
    EXPECT_EQ(RunStatus::Finished, store.run(1)->status);
}

TEST_F(StoreMigrationTest, FailingStepRollsBackToThePreviousVersion) {
    {
        SQLite::Database db(m_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        migrateSchema(db, 1);
        insertVersionOneRows(db);
        // Makes step 2 fail after it has already altered runs and created run_tags.
        db.exec("CREATE TABLE latest_metrics (x INTEGER)");
    }
    try {
        RunStore store(m_path);
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        const std::string message = e.what();
        EXPECT_TRUE(contains(message, m_path)) << message;
        EXPECT_TRUE(contains(message, "version 2")) << message;
        EXPECT_TRUE(contains(message, "left at version 1")) << message;
    }
    SQLite::Database db(m_path, SQLite::OPEN_READONLY);
    EXPECT_EQ(1, readSchemaVersion(db));
    EXPECT_FALSE(db.tableExists("run_tags"));
    EXPECT_FALSE(hasColumn(db, "runs", "deleted"));
    EXPECT_EQ(1, db.execAndGet("SELECT COUNT(*) FROM runs").getInt());
}

TEST_F(StoreMigrationTest, RefusesAFileFromANewerVersion) {
    { RunStore store(m_path); }
    const int newer = RunStore::kSchemaVersion + 1;
    {
        SQLite::Database db(m_path, SQLite::OPEN_READWRITE);
        db.exec("PRAGMA user_version = " + std::to_string(newer));
    }
    try {
        RunStore store(m_path);
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        const std::string message = e.what();
        EXPECT_TRUE(contains(message, m_path)) << message;
        EXPECT_TRUE(contains(message, "version " + std::to_string(newer))) << message;
        EXPECT_TRUE(contains(message, "up to " + std::to_string(RunStore::kSchemaVersion)))
            << message;
        EXPECT_TRUE(contains(message, "Upgrade SAGE Dashboard")) << message;
    }
    SQLite::Database db(m_path, SQLite::OPEN_READONLY);
    EXPECT_EQ(newer, readSchemaVersion(db)) << "a refused file is left as it was";
}

TEST_F(StoreMigrationTest, RefusesAFileThatIsNotSqlite) {
    std::string garbage;
    std::mt19937 random(1234);
    for (int i = 0; i < 8192; ++i) garbage.push_back(static_cast<char>(random() & 0xff));
    garbage.replace(0, 20, "definitely not a db ");
    {
        std::ofstream out(m_path, std::ios::binary);
        out << garbage;
    }
    try {
        RunStore store(m_path);
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        const std::string message = e.what();
        EXPECT_TRUE(contains(message, m_path)) << message;
        EXPECT_TRUE(contains(message, "is not a SAGE run store")) << message;
        EXPECT_TRUE(contains(message, "not a SQLite database")) << message;
    }
    EXPECT_EQ(garbage, readBytes(m_path)) << "a refused file is left as it was";
}

TEST_F(StoreMigrationTest, RefusesTheSqliteDatabaseOfAnotherProgram) {
    {
        SQLite::Database db(m_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('ada')");
    }
    try {
        RunStore store(m_path);
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        const std::string message = e.what();
        EXPECT_TRUE(contains(message, m_path)) << message;
        EXPECT_TRUE(contains(message, "is not a SAGE run store")) << message;
    }
    SQLite::Database db(m_path, SQLite::OPEN_READONLY);
    EXPECT_EQ(0, readSchemaVersion(db));
    EXPECT_FALSE(db.tableExists("runs"));

    // A versioned file without our application id is refused as well.
    const std::string other = m_dir.file("other.db");
    {
        SQLite::Database db2(other, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db2.exec("PRAGMA user_version = 1; CREATE TABLE runs (id INTEGER)");
    }
    EXPECT_THROW(RunStore{other}, StoreError);
}

TEST_F(StoreMigrationTest, UnopenablePathNamesTheFile) {
    const std::string path = m_dir.file("missing-folder/store.db");
    try {
        RunStore store(path);
        FAIL() << "expected StoreError";
    } catch (const StoreError& e) {
        EXPECT_TRUE(contains(e.what(), path)) << e.what();
        EXPECT_TRUE(contains(e.what(), "folder exists")) << e.what();
    }
}

TEST_F(StoreMigrationTest, ConnectionsOpeningANewFileTogetherAllSucceed) {
    constexpr int kThreads = 4;
    std::vector<std::thread> threads;
    std::vector<std::string> errors(kThreads);
    for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
            try {
                RunStore store(m_path);
                store.ensureExperiment("shared");
            } catch (const std::exception& e) {
                errors[i] = e.what();
            }
        });
    }
    for (auto& thread : threads) thread.join();
    for (const auto& error : errors) EXPECT_EQ("", error);
    RunStore store(m_path);
    EXPECT_EQ(RunStore::kSchemaVersion, store.schemaVersion());
}

}  // namespace
}  // namespace sage

#include "store/schema_migrations.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <iterator>
#include <string>

#include "store/run_store.h"
#include "store/store_error.h"

namespace sage {
namespace {

// Version 1: runs, their records and the interned metric names.
void createCoreTables(SQLite::Database& db) {
    db.exec("PRAGMA application_id = " + std::to_string(kStoreApplicationId));
    db.exec(R"sql(
CREATE TABLE experiments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL
);

-- Timestamps are unix seconds; started_at and finished_at stay NULL until they happen.
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    config_json TEXT NOT NULL DEFAULT '',
    seed INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    notes TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_experiment ON runs(experiment_id);

-- The config flattened to dotted keys, for diffing runs. value has no declared type so numbers
-- stay numbers and strings stay strings.
CREATE TABLE params (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE metric_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- One row per (run, key, step): writing a step again replaces it. NULL value means NaN, which
-- SQLite cannot store.
CREATE TABLE metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key_id INTEGER NOT NULL REFERENCES metric_keys(id),
    step INTEGER NOT NULL,
    wall_time REAL NOT NULL,
    value REAL,
    PRIMARY KEY (run_id, key_id, step)
) WITHOUT ROWID;

-- counts: little-endian float32, one per equal-width bin over [low, high].
CREATE TABLE histograms (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key_id INTEGER NOT NULL REFERENCES metric_keys(id),
    step INTEGER NOT NULL,
    low REAL NOT NULL,
    high REAL NOT NULL,
    counts BLOB NOT NULL,
    UNIQUE (run_id, key_id, step)
);

-- The per-slate records of SAGE.md section 5; idx keeps the order of slates within a step.
-- items: little-endian int64; logp_old, logp_new, token_ratio: little-endian float32.
-- rewards: a JSON object {component: value} in the order reported.
CREATE TABLE slates (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    grp INTEGER NOT NULL,
    items BLOB NOT NULL,
    logp_old BLOB NOT NULL,
    logp_new BLOB NOT NULL,
    token_ratio BLOB NOT NULL,
    log_ratio REAL,
    ratio REAL,
    pbar_old REAL,
    pbar_new REAL,
    denominator REAL,
    coefficient REAL,
    branch TEXT NOT NULL DEFAULT '',
    boost REAL,
    pos_cap REAL,
    list_entropy REAL,
    neg_scale REAL,
    advantage REAL,
    rewards TEXT NOT NULL DEFAULT '{}',
    UNIQUE (run_id, step, idx)
);

CREATE TABLE evals (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    key_id INTEGER NOT NULL REFERENCES metric_keys(id),
    value REAL,
    UNIQUE (run_id, step, key_id)
);

CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    path TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX checkpoints_by_run ON checkpoints(run_id, step);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    wall_time REAL NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX events_by_run ON events(run_id);
)sql");
}

// Version 2: what the run list needs without scanning metrics (latest_metrics, backfilled from
// the version-1 rows), tags, and soft delete.
void addRunListTables(SQLite::Database& db) {
    db.exec(R"sql(
ALTER TABLE runs ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;

CREATE TABLE run_tags (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    UNIQUE (run_id, tag)
);
CREATE INDEX run_tags_by_tag ON run_tags(tag);

-- Maintained on every metric write. min and max skip NaN (NULL).
CREATE TABLE latest_metrics (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    key_id INTEGER NOT NULL REFERENCES metric_keys(id),
    step INTEGER NOT NULL,
    last REAL,
    min REAL,
    max REAL,
    PRIMARY KEY (run_id, key_id)
) WITHOUT ROWID;

INSERT INTO latest_metrics (run_id, key_id, step, last, min, max)
SELECT m.run_id, m.key_id, m.step, m.value, agg.lo, agg.hi
FROM metrics m
JOIN (SELECT run_id, key_id, MAX(step) AS last_step, MIN(value) AS lo, MAX(value) AS hi
      FROM metrics GROUP BY run_id, key_id) agg
  ON m.run_id = agg.run_id AND m.key_id = agg.key_id AND m.step = agg.last_step;
)sql");
}

// Version 3: which process holds a run, so that opening the store tells a run whose process was
// killed (interrupted) from a live run of another process. owner_start tells a process from a
// later one that reuses its pid; heartbeat_at is refreshed while the owner lives.
void addRunOwner(SQLite::Database& db) {
    db.exec(R"sql(
ALTER TABLE runs ADD COLUMN owner_host TEXT;
ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
ALTER TABLE runs ADD COLUMN owner_start TEXT;
ALTER TABLE runs ADD COLUMN heartbeat_at REAL;
)sql");
}

constexpr SchemaMigration kMigrations[] = {
    {1, "core tables", &createCoreTables},
    {2, "latest metrics, tags and soft delete", &addRunListTables},
    {3, "run owner and heartbeat", &addRunOwner},
};
static_assert(std::size(kMigrations) == RunStore::kSchemaVersion,
              "RunStore::kSchemaVersion must equal the number of schema migrations");

}  // namespace

const std::vector<SchemaMigration>& schemaMigrations() {
    static const std::vector<SchemaMigration> migrations(std::begin(kMigrations),
                                                         std::end(kMigrations));
    return migrations;
}

int latestSchemaVersion() { return static_cast<int>(schemaMigrations().size()); }

int readSchemaVersion(SQLite::Database& db) {
    return db.execAndGet("PRAGMA user_version").getInt();
}

int migrateSchema(SQLite::Database& db, int targetVersion) {
    if (targetVersion < 0 || targetVersion > latestSchemaVersion()) {
        throw StoreError("Cannot migrate " + db.getFilename() + " to schema version " +
                         std::to_string(targetVersion) + ": this build knows versions 0 to " +
                         std::to_string(latestSchemaVersion()) + ".");
    }
    int applied = 0;
    for (const SchemaMigration& step : schemaMigrations()) {
        if (step.version > targetVersion) break;
        try {
            SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
            // Another connection may have migrated the file since we last looked; decide under
            // the write lock.
            if (readSchemaVersion(db) >= step.version) continue;
            step.apply(db);
            db.exec("PRAGMA user_version = " + std::to_string(step.version));
            transaction.commit();
            ++applied;
        } catch (const SQLite::Exception& e) {
            throw StoreError("Upgrading the run store " + db.getFilename() + " to schema version " +
                             std::to_string(step.version) + " (" + step.summary +
                             ") failed: " + e.what() + ". The file was left at version " +
                             std::to_string(step.version - 1) +
                             "; make sure it is writable and not damaged, then open it again.");
        }
    }
    return applied;
}

}  // namespace sage

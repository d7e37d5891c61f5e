#include "store/run_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <utility>

#include "store/process_identity.h"
#include "store/schema_migrations.h"

// Arrays are stored as raw host-order blobs and documented as little-endian.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "The run store writes little-endian blobs; add byte swapping for this target."
#endif

namespace sage {
namespace {

constexpr int kBusyTimeoutMs = 5000;

double unixNow() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string remedyFor(int code) {
    switch (code & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return "another program held the file locked for longer than the busy timeout; close "
                   "other programs writing to it and try again";
        case SQLITE_FULL:
            return "the disk is full; free some space and try again";
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH:
            return "the file or its folder is read-only; check the permissions";
        case SQLITE_CANTOPEN:
            return "check that the folder exists and that you may write there";
        case SQLITE_CORRUPT:
            return "the file is damaged; restore it from a backup";
        case SQLITE_IOERR:
            return "the disk reported an error; check the drive and try again";
        case SQLITE_CONSTRAINT:
            return "a record broke a constraint of the store, for example it names a run that is "
                   "not in this file";
        default:
            return "see the SQLite message";
    }
}

StoreError storeError(const std::string& path, const std::string& action,
                      const SQLite::Exception& e) {
    return StoreError("Run store " + path + ": " + action + " failed: " + e.what() + " (" +
                      remedyFor(e.getExtendedErrorCode()) + ").");
}

// Runs `work`, turning SQLite's exceptions into StoreErrors that name the file and the action.
template <typename Work>
auto guarded(const std::string& path, const std::string& action, Work&& work) -> decltype(work()) {
    try {
        return work();
    } catch (const SQLite::Exception& e) {
        throw storeError(path, action, e);
    }
}

StoreError notAStore(const std::string& path, const std::string& why) {
    return StoreError(path + " is not a SAGE run store (" + why +
                      "). Choose another file, or move this one out of the way to start a new "
                      "store there.");
}

std::string runLabel(int64_t runId) { return "run " + std::to_string(runId); }

// SQLite stores NaN as NULL; NULL reads back as NaN.
void bindReal(SQLite::Statement& statement, int index, double value) {
    if (std::isnan(value)) {
        statement.bind(index);
    } else {
        statement.bind(index, value);
    }
}

// NaN stands for NULL: MIN and MAX skip it, as SQLite's COALESCE(MIN(a, b), a, b) does.
double minSkippingNaN(double a, double b) { return std::isnan(a) ? b : std::isnan(b) ? a : std::min(a, b); }
double maxSkippingNaN(double a, double b) { return std::isnan(a) ? b : std::isnan(b) ? a : std::max(a, b); }

/// What one batch does to a metric's latest_metrics row, folded in memory so that the row is
/// written once per batch rather than once per step: the value at the highest step (the later
/// one on a tie) and the min and max.
struct LatestOfBatch {
    int64_t step = 0;
    double last = 0.0, min = 0.0, max = 0.0;

    static LatestOfBatch first(int64_t step, double value) { return {step, value, value, value}; }
    void add(int64_t rowStep, double value) {
        if (rowStep >= step) last = value;
        step = std::max(step, rowStep);
        min = minSkippingNaN(min, value);
        max = maxSkippingNaN(max, value);
    }
};

double readReal(const SQLite::Column& column) {
    return column.isNull() ? std::numeric_limits<double>::quiet_NaN() : column.getDouble();
}

template <typename T>
void bindArray(SQLite::Statement& statement, int index, const std::vector<T>& values) {
    static_assert(std::is_trivially_copyable_v<T>);
    // A zero-length blob, not NULL, for an empty array.
    const void* data = values.empty() ? static_cast<const void*>("") : values.data();
    statement.bind(index, data, static_cast<int>(values.size() * sizeof(T)));
}

template <typename T>
std::vector<T> readArray(const SQLite::Column& column) {
    const void* data = column.getBlob();  // before getBytes(), as sqlite3_column_bytes asks
    const auto bytes = static_cast<size_t>(column.getBytes());
    std::vector<T> values(bytes / sizeof(T));
    if (!values.empty()) std::memcpy(values.data(), data, values.size() * sizeof(T));
    return values;
}

// Rewards as a JSON object in reported order; JSON has no NaN or infinity, so those are strings.
std::string rewardsToJson(const NamedValues& rewards) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const auto& [name, value] : rewards) {
        if (std::isnan(value)) {
            object[name] = "NaN";
        } else if (std::isinf(value)) {
            object[name] = value > 0 ? "Infinity" : "-Infinity";
        } else {
            object[name] = value;
        }
    }
    return object.dump();
}

NamedValues rewardsFromJson(const std::string& text) {
    NamedValues rewards;
    const auto object = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!object.is_object()) return rewards;
    for (const auto& [name, value] : object.items()) {
        double number = std::numeric_limits<double>::quiet_NaN();
        if (value.is_number()) {
            number = value.get<double>();
        } else if (value == "Infinity") {
            number = std::numeric_limits<double>::infinity();
        } else if (value == "-Infinity") {
            number = -std::numeric_limits<double>::infinity();
        }
        rewards.emplace_back(name, number);
    }
    return rewards;
}

EventLevel parseEventLevel(const std::string& text) {
    if (text == toString(EventLevel::Warning)) return EventLevel::Warning;
    if (text == toString(EventLevel::Error)) return EventLevel::Error;
    return EventLevel::Info;
}

// Dotted keys for objects ("optimizer.lr"), indices for arrays ("rewards.0.weight").
void flattenConfig(const nlohmann::json& node, const std::string& prefix,
                   std::vector<std::pair<std::string, nlohmann::json>>& out) {
    const auto childKey = [&prefix](const std::string& key) {
        return prefix.empty() ? key : prefix + "." + key;
    };
    if (node.is_object() && !node.empty()) {
        for (const auto& [key, value] : node.items()) flattenConfig(value, childKey(key), out);
    } else if (node.is_array() && !node.empty()) {
        for (size_t i = 0; i < node.size(); ++i)
            flattenConfig(node[i], childKey(std::to_string(i)), out);
    } else {
        out.emplace_back(prefix, node);
    }
}

// SQLite integers are signed 64-bit; larger unsigned values are kept as REAL.
bool exceedsInt64(const nlohmann::json& value) {
    return value.is_number_unsigned() &&
           value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
}

void bindJsonScalar(SQLite::Statement& statement, int index, const nlohmann::json& value) {
    if (value.is_null()) {
        statement.bind(index);
    } else if (value.is_boolean()) {
        statement.bind(index, value.get<bool>() ? 1 : 0);
    } else if (value.is_number_integer() && !exceedsInt64(value)) {
        statement.bind(index, value.get<int64_t>());
    } else if (value.is_number()) {
        statement.bind(index, value.get<double>());
    } else if (value.is_string()) {
        statement.bind(index, value.get<std::string>());
    } else {
        statement.bind(index, value.dump());  // empty object or array
    }
}

RunStatus readStatus(const std::string& text, std::string& error) {
    if (const auto status = parseRunStatus(text)) return *status;
    // Only a damaged or hand-edited file gets here; show the run rather than hide the list.
    if (error.empty()) error = "unknown status '" + text + "' in the store";
    return RunStatus::Failed;
}

constexpr const char* kRunColumns = R"sql(
    SELECT r.id, r.experiment_id, e.name, r.name, r.status, r.config_json, r.seed, r.created_at,
           COALESCE(r.started_at, 0), COALESCE(r.finished_at, 0),
           COALESCE((SELECT MAX(lm.step) FROM latest_metrics lm WHERE lm.run_id = r.id), -1),
           r.notes, r.error, r.deleted, COALESCE(r.owner_host, ''), COALESCE(r.owner_pid, 0),
           COALESCE(r.heartbeat_at, 0)
    FROM runs r JOIN experiments e ON e.id = r.experiment_id
)sql";

RunSummary readRunSummary(SQLite::Statement& query) {
    RunSummary run;
    run.id = query.getColumn(0).getInt64();
    run.experimentId = query.getColumn(1).getInt64();
    run.experiment = query.getColumn(2).getString();
    run.name = query.getColumn(3).getString();
    run.error = query.getColumn(12).getString();
    run.status = readStatus(query.getColumn(4).getString(), run.error);
    run.configJson = query.getColumn(5).getString();
    run.seed = query.getColumn(6).getInt64();
    run.createdAt = query.getColumn(7).getDouble();
    run.startedAt = query.getColumn(8).getDouble();
    run.finishedAt = query.getColumn(9).getDouble();
    run.lastStep = query.getColumn(10).getInt64();
    run.notes = query.getColumn(11).getString();
    run.deleted = query.getColumn(13).getInt() != 0;
    run.ownerHost = query.getColumn(14).getString();
    run.ownerPid = query.getColumn(15).getInt64();
    run.heartbeatAt = query.getColumn(16).getDouble();
    return run;
}

}  // namespace

bool RunStore::Batch::empty() const {
    return steps.empty() && histograms.empty() && slates.empty() && evals.empty() &&
           events.empty() && checkpoints.empty();
}

RunStore::RunStore(const std::string& path) : m_path(path) {
    try {
        m_db = std::make_unique<SQLite::Database>(
            path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
    } catch (const SQLite::Exception& e) {
        throw StoreError("Cannot open the run store " + path + ": " + e.what() + " (" +
                         remedyFor(e.getExtendedErrorCode()) + ").");
    }
    checkIsCurrentOrOlderStore();
    configureConnection();
    // migrateSchema throws StoreErrors of its own that name the failed step.
    guarded(m_path, "upgrading the schema", [&] { migrateSchema(*m_db, kSchemaVersion); });
    try {
        markInterruptedRuns();
    } catch (const StoreError&) {
        // The file is usable; the runs are marked by the next connection that gets the lock.
    }
}

RunStore::~RunStore() = default;

void RunStore::checkIsCurrentOrOlderStore() {
    int version = 0;
    int applicationId = 0;
    int objects = 0;
    try {
        // One statement, so all three come from one snapshot even while another process is
        // creating the store.
        SQLite::Statement query(*m_db, R"sql(
            SELECT (SELECT user_version FROM pragma_user_version),
                   (SELECT application_id FROM pragma_application_id),
                   (SELECT COUNT(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'))sql");
        query.executeStep();
        version = query.getColumn(0).getInt();
        applicationId = query.getColumn(1).getInt();
        objects = query.getColumn(2).getInt();
    } catch (const SQLite::Exception& e) {
        if ((e.getErrorCode() & 0xff) == SQLITE_NOTADB) {
            throw notAStore(m_path, "it is not a SQLite database");
        }
        throw storeError(m_path, "reading the schema version", e);
    }
    if (version == 0) {
        // Version 0 is a new, empty file; anything in it belongs to another program.
        if (objects > 0 || (applicationId != 0 && applicationId != kStoreApplicationId)) {
            throw notAStore(m_path, "it is a SQLite database of another program");
        }
        return;
    }
    if (applicationId != kStoreApplicationId) {
        throw notAStore(m_path, "it is a SQLite database of another program");
    }
    if (version > kSchemaVersion) {
        throw StoreError("The run store " + m_path + " has schema version " +
                         std::to_string(version) +
                         ", but this build of SAGE Dashboard only knows "
                         "versions up to " +
                         std::to_string(kSchemaVersion) +
                         ". Upgrade SAGE Dashboard to open it; the file was left unchanged.");
    }
}

void RunStore::configureConnection() {
    const std::string mode = guarded(m_path, "switching to WAL journaling", [&] {
        return m_db->execAndGet("PRAGMA journal_mode = WAL").getString();
    });
    if (mode != "wal") {
        throw StoreError("Could not switch the run store " + m_path +
                         " to WAL journaling (SQLite answered '" + mode +
                         "'). Keep the store on a local disk (WAL does not work on network "
                         "shares) and open it again.");
    }
    guarded(m_path, "configuring the connection", [&] {
        m_db->exec("PRAGMA synchronous = NORMAL");
        // Checkpoint after 10,000 WAL pages (about 40 MB) rather than SQLite's 1,000: each
        // checkpoint copies pages into the file and syncs twice, and a trainer's transactions
        // rewrite the same metric pages, so fewer checkpoints write much less
        // (docs/PERFORMANCE.md, store write rate).
        m_db->exec("PRAGMA wal_autocheckpoint = 10000");
        m_db->exec("PRAGMA foreign_keys = ON");
    });
}

int RunStore::schemaVersion() const {
    return guarded(m_path, "reading the schema version", [&] { return readSchemaVersion(*m_db); });
}

std::string RunStore::journalMode() const {
    return guarded(m_path, "reading the journal mode",
                   [&] { return m_db->execAndGet("PRAGMA journal_mode").getString(); });
}

SQLite::Database& RunStore::database() { return *m_db; }

int64_t RunStore::dataVersion() const {
    return guarded(m_path, "reading the data version",
                   [&] { return m_db->execAndGet("PRAGMA data_version").getInt64(); });
}

void RunStore::requireRun(int64_t runId, const std::string& action) const {
    SQLite::Statement query(*m_db, "SELECT 1 FROM runs WHERE id = ?1");
    query.bind(1, runId);
    if (!query.executeStep()) {
        throw StoreError("Run store " + m_path + ": " + action + " failed: " + runLabel(runId) +
                         " does not exist in this file (refresh the run list).");
    }
}

// ---- Experiments and runs ----

int64_t RunStore::ensureExperiment(const std::string& name) {
    return guarded(m_path, "creating experiment '" + name + "'", [&] {
        SQLite::Statement insert(*m_db,
                                 "INSERT INTO experiments (name, created_at) VALUES (?1, ?2) "
                                 "ON CONFLICT (name) DO NOTHING");
        insert.bind(1, name);
        insert.bind(2, unixNow());
        insert.exec();
        SQLite::Statement query(*m_db, "SELECT id FROM experiments WHERE name = ?1");
        query.bind(1, name);
        query.executeStep();
        return query.getColumn(0).getInt64();
    });
}

int64_t RunStore::createRun(const std::string& experiment, const std::string& name,
                            const std::string& configJson, int64_t seed) {
    std::vector<std::pair<std::string, nlohmann::json>> params;
    if (!configJson.empty()) {
        nlohmann::json config;
        try {
            config = nlohmann::json::parse(configJson);
        } catch (const nlohmann::json::exception& e) {
            throw StoreError("Run store " + m_path + ": the config of new run '" + name +
                             "' is not valid JSON (" + e.what() +
                             "); pass the config as RunConfig writes it.");
        }
        flattenConfig(config, "", params);
    }
    return guarded(m_path, "creating run '" + name + "'", [&] {
        SQLite::Transaction transaction(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        const int64_t experimentId = ensureExperiment(experiment);
        const ProcessIdentity& owner = ProcessIdentity::current();
        SQLite::Statement insert(*m_db, R"sql(
            INSERT INTO runs (experiment_id, name, status, config_json, seed, created_at,
                              owner_host, owner_pid, owner_start, heartbeat_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?6))sql");
        insert.bind(1, experimentId);
        insert.bind(2, name);
        insert.bind(3, toString(RunStatus::Created));
        insert.bind(4, configJson);
        insert.bind(5, seed);
        insert.bind(6, unixNow());
        insert.bind(7, owner.host);
        insert.bind(8, owner.pid);
        insert.bind(9, owner.startToken);
        insert.exec();
        const int64_t runId = m_db->getLastInsertRowid();

        SQLite::Statement param(*m_db,
                                "INSERT INTO params (run_id, key, value) VALUES (?1, ?2, ?3) "
                                "ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value");
        for (const auto& [key, value] : params) {
            param.bind(1, runId);
            param.bind(2, key);
            bindJsonScalar(param, 3, value);
            param.exec();
            param.reset();
        }
        transaction.commit();
        return runId;
    });
}

void RunStore::setRunStatus(int64_t runId, RunStatus status, const std::string& error) {
    const std::string action = "setting the status of " + runLabel(runId);
    guarded(m_path, action, [&] {
        // finished_at is set exactly while the run is in a terminal state.
        SQLite::Statement update(*m_db, R"sql(
            UPDATE runs SET
                status = ?2,
                started_at = CASE WHEN ?3 AND started_at IS NULL THEN ?4 ELSE started_at END,
                finished_at = CASE WHEN ?5 THEN ?4 ELSE NULL END,
                error = CASE WHEN ?6 <> '' THEN ?6 ELSE error END
            WHERE id = ?1)sql");
        update.bind(1, runId);
        update.bind(2, toString(status));
        update.bind(3, status == RunStatus::Running ? 1 : 0);
        update.bind(4, unixNow());
        update.bind(5, isTerminal(status) ? 1 : 0);
        update.bind(6, error);
        if (update.exec() == 0) requireRun(runId, action);
    });
}

namespace {

// UPDATE runs SET <column> = value WHERE id = runId; the column name is one of ours, never user
// text.
template <typename Value>
int updateRunColumn(SQLite::Database& db, const char* column, int64_t runId, const Value& value) {
    SQLite::Statement update(db, std::string("UPDATE runs SET ") + column + " = ?2 WHERE id = ?1");
    update.bind(1, runId);
    update.bind(2, value);
    return update.exec();
}

}  // namespace

void RunStore::setNotes(int64_t runId, const std::string& notes) {
    const std::string action = "saving the notes of " + runLabel(runId);
    guarded(m_path, action, [&] {
        if (updateRunColumn(*m_db, "notes", runId, notes) == 0) requireRun(runId, action);
    });
}

void RunStore::setRunName(int64_t runId, const std::string& name) {
    const std::string action = "renaming " + runLabel(runId);
    guarded(m_path, action, [&] {
        if (updateRunColumn(*m_db, "name", runId, name) == 0) requireRun(runId, action);
    });
}

void RunStore::softDeleteRun(int64_t runId) {
    const std::string action = "deleting " + runLabel(runId);
    guarded(m_path, action, [&] {
        if (updateRunColumn(*m_db, "deleted", runId, 1) == 0) requireRun(runId, action);
    });
}

void RunStore::restoreRun(int64_t runId) {
    const std::string action = "restoring " + runLabel(runId);
    guarded(m_path, action, [&] {
        if (updateRunColumn(*m_db, "deleted", runId, 0) == 0) requireRun(runId, action);
    });
}

void RunStore::setTags(int64_t runId, const std::vector<std::string>& tags) {
    const std::string action = "saving the tags of " + runLabel(runId);
    guarded(m_path, action, [&] {
        SQLite::Transaction transaction(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        requireRun(runId, action);
        SQLite::Statement clear(*m_db, "DELETE FROM run_tags WHERE run_id = ?1");
        clear.bind(1, runId);
        clear.exec();
        SQLite::Statement insert(*m_db,
                                 "INSERT INTO run_tags (run_id, tag) VALUES (?1, ?2) "
                                 "ON CONFLICT (run_id, tag) DO NOTHING");
        for (const std::string& tag : tags) {
            insert.bind(1, runId);
            insert.bind(2, tag);
            insert.exec();
            insert.reset();
        }
        transaction.commit();
    });
}

// ---- Crash recovery and resume ----

namespace {

/// A run that may have lost its process, as read before taking the write lock.
struct HeldRun {
    int64_t id = 0;
    std::string status;
    std::string ownerHost;
    std::optional<int64_t> ownerPid;
    std::optional<double> heartbeat;
    double lastSign = 0.0;  // heartbeat, else started_at, else created_at
    double startedAt = 0.0;
    int64_t lastStep = 0;
};

template <typename T>
std::optional<T> optionalColumn(const SQLite::Column& column) {
    if (column.isNull()) return std::nullopt;
    if constexpr (std::is_same_v<T, double>) {
        return column.getDouble();
    } else {
        return column.getInt64();
    }
}

template <typename T>
void bindOptional(SQLite::Statement& statement, int index, const std::optional<T>& value) {
    if (value) {
        statement.bind(index, *value);
    } else {
        statement.bind(index);
    }
}

/// Why the run's owner counts as gone, or empty while it may still be training.
std::string whyOwnerIsGone(const HeldRun& run, const std::string& ownerStart, double now) {
    const ProcessIdentity& self = ProcessIdentity::current();
    const std::string owner = run.ownerPid ? "process " + std::to_string(*run.ownerPid) +
                                                 " on " + run.ownerHost
                                           : "an older build of SAGE";
    if (run.ownerPid && run.ownerHost == self.host) {
        if (isLocalProcessAlive(*run.ownerPid, ownerStart)) return {};
        return owner + " ended without finishing the run";
    }
    // Runs of older builds have no owner; a `created` one may be about to start.
    if (!run.ownerPid && run.status == toString(RunStatus::Created)) return {};
    const double silent = now - run.lastSign;
    if (silent <= RunStore::kLeaseTimeoutSeconds) return {};
    return "no heartbeat from " + owner + " for " + std::to_string(static_cast<int64_t>(silent)) +
           " s";
}

}  // namespace

int RunStore::markInterruptedRuns() {
    return guarded(m_path, "marking interrupted runs", [&] {
        // A read first: the common case, nothing to mark, takes no write lock.
        SQLite::Statement query(*m_db, R"sql(
            SELECT r.id, r.status, COALESCE(r.owner_host, ''), r.owner_pid,
                   COALESCE(r.owner_start, ''), r.heartbeat_at,
                   COALESCE(r.heartbeat_at, r.started_at, r.created_at),
                   COALESCE(r.started_at, r.created_at),
                   COALESCE((SELECT MAX(lm.step) FROM latest_metrics lm WHERE lm.run_id = r.id), 0)
            FROM runs r WHERE r.status IN (?1, ?2, ?3) ORDER BY r.id)sql");
        query.bind(1, toString(RunStatus::Created));
        query.bind(2, toString(RunStatus::Running));
        query.bind(3, toString(RunStatus::Paused));
        const double now = unixNow();
        std::vector<std::pair<HeldRun, std::string>> gone;
        while (query.executeStep()) {
            HeldRun run;
            run.id = query.getColumn(0).getInt64();
            run.status = query.getColumn(1).getString();
            run.ownerHost = query.getColumn(2).getString();
            run.ownerPid = optionalColumn<int64_t>(query.getColumn(3));
            run.heartbeat = optionalColumn<double>(query.getColumn(5));
            run.lastSign = query.getColumn(6).getDouble();
            run.startedAt = query.getColumn(7).getDouble();
            run.lastStep = query.getColumn(8).getInt64();
            std::string why = whyOwnerIsGone(run, query.getColumn(4).getString(), now);
            if (!why.empty()) gone.emplace_back(std::move(run), std::move(why));
        }
        query.reset();
        if (gone.empty()) return 0;

        SQLite::Transaction transaction(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        // Only when nothing changed since the read: a resume or a heartbeat in between wins.
        SQLite::Statement update(*m_db, R"sql(
            UPDATE runs SET status = ?5, finished_at = ?6, error = ?7
            WHERE id = ?1 AND status = ?2 AND owner_pid IS ?3 AND heartbeat_at IS ?4)sql");
        SQLite::Statement event(*m_db, R"sql(
            INSERT INTO events (run_id, step, wall_time, level, message)
            VALUES (?1, ?2, ?3, ?4, ?5))sql");
        int marked = 0;
        for (const auto& [run, why] : gone) {
            const std::string message = "interrupted after step " + std::to_string(run.lastStep) +
                                        ": " + why +
                                        "; resume the run to continue from its last checkpoint";
            update.bind(1, run.id);
            update.bind(2, run.status);
            bindOptional(update, 3, run.ownerPid);
            bindOptional(update, 4, run.heartbeat);
            update.bind(5, toString(RunStatus::Interrupted));
            update.bind(6, now);
            update.bind(7, message);
            const int changed = update.exec();
            update.reset();
            if (changed == 0) continue;
            event.bind(1, run.id);
            event.bind(2, run.lastStep);
            event.bind(3, std::max(0.0, now - run.startedAt));
            event.bind(4, toString(EventLevel::Warning));
            event.bind(5, message);
            event.exec();
            event.reset();
            ++marked;
        }
        transaction.commit();
        return marked;
    });
}

bool RunStore::claimResumableRun(int64_t runId) {
    return guarded(m_path, "resuming " + runLabel(runId), [&] {
        const ProcessIdentity& owner = ProcessIdentity::current();
        SQLite::Statement update(*m_db, R"sql(
            UPDATE runs SET status = ?5, owner_host = ?6, owner_pid = ?7, owner_start = ?8,
                            heartbeat_at = ?9, started_at = COALESCE(started_at, ?9),
                            finished_at = NULL, error = ''
            WHERE id = ?1 AND status IN (?2, ?3, ?4))sql");
        update.bind(1, runId);
        update.bind(2, toString(RunStatus::Stopped));
        update.bind(3, toString(RunStatus::Failed));
        update.bind(4, toString(RunStatus::Interrupted));
        update.bind(5, toString(RunStatus::Running));
        update.bind(6, owner.host);
        update.bind(7, owner.pid);
        update.bind(8, owner.startToken);
        update.bind(9, unixNow());
        return update.exec() == 1;
    });
}

void RunStore::heartbeat(int64_t runId) {
    guarded(m_path, "refreshing the heartbeat of " + runLabel(runId), [&] {
        const ProcessIdentity& owner = ProcessIdentity::current();
        SQLite::Statement update(*m_db, R"sql(
            UPDATE runs SET heartbeat_at = ?2 WHERE id = ?1 AND owner_host = ?3 AND owner_pid = ?4)sql");
        update.bind(1, runId);
        update.bind(2, unixNow());
        update.bind(3, owner.host);
        update.bind(4, owner.pid);
        update.exec();
    });
}

void RunStore::truncateRun(int64_t runId, int64_t afterStep) {
    const std::string action = "discarding the steps of " + runLabel(runId) + " after step " +
                               std::to_string(afterStep);
    guarded(m_path, action, [&] {
        SQLite::Transaction transaction(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        requireRun(runId, action);
        for (const char* table : {"metrics", "histograms", "slates", "evals", "checkpoints"}) {
            SQLite::Statement remove(*m_db, std::string("DELETE FROM ") + table +
                                                " WHERE run_id = ?1 AND step > ?2");
            remove.bind(1, runId);
            remove.bind(2, afterStep);
            remove.exec();
        }
        SQLite::Statement clear(*m_db, "DELETE FROM latest_metrics WHERE run_id = ?1");
        clear.bind(1, runId);
        clear.exec();
        SQLite::Statement rebuild(*m_db, R"sql(
            INSERT INTO latest_metrics (run_id, key_id, step, last, min, max)
            SELECT m.run_id, m.key_id, m.step, m.value, agg.lo, agg.hi
            FROM metrics m
            JOIN (SELECT key_id, MAX(step) AS last_step, MIN(value) AS lo, MAX(value) AS hi
                  FROM metrics WHERE run_id = ?1 GROUP BY key_id) agg
              ON m.key_id = agg.key_id AND m.step = agg.last_step
            WHERE m.run_id = ?1)sql");
        rebuild.bind(1, runId);
        rebuild.exec();
        transaction.commit();
    });
}

std::string RunStore::storedCheckpointPath(const std::string& path) const {
    namespace fs = std::filesystem;
    std::error_code error;
    const fs::path folder = fs::absolute(m_path, error).parent_path();
    const fs::path relative = fs::absolute(path, error).lexically_relative(folder);
    if (error || relative.empty() || *relative.begin() == "..") return path;
    return relative.generic_string();
}

std::string RunStore::resolvedCheckpointPath(const std::string& stored) const {
    namespace fs = std::filesystem;
    if (fs::path(stored).is_absolute()) return stored;
    std::error_code error;
    return (fs::absolute(m_path, error).parent_path() / stored).lexically_normal().string();
}

std::vector<CheckpointRecord> RunStore::checkpoints(int64_t runId) const {
    return guarded(m_path, "reading the checkpoints of " + runLabel(runId), [&] {
        SQLite::Statement query(*m_db,
                                "SELECT step, path, created_at FROM checkpoints WHERE run_id = ?1 "
                                "ORDER BY step, id");
        query.bind(1, runId);
        std::vector<CheckpointRecord> records;
        while (query.executeStep()) {
            records.push_back({query.getColumn(0).getInt64(),
                               resolvedCheckpointPath(query.getColumn(1).getString()),
                               query.getColumn(2).getDouble()});
        }
        return records;
    });
}

std::vector<std::string> RunStore::forgetOldCheckpoints(int64_t runId, int keep) {
    return guarded(m_path, "forgetting old checkpoints of " + runLabel(runId), [&] {
        SQLite::Transaction transaction(*m_db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement query(*m_db, R"sql(
            SELECT id, path FROM checkpoints WHERE run_id = ?1
            ORDER BY step DESC, id DESC LIMIT -1 OFFSET ?2)sql");
        query.bind(1, runId);
        query.bind(2, std::max(0, keep));
        std::vector<int64_t> ids;
        std::vector<std::string> paths;
        while (query.executeStep()) {
            ids.push_back(query.getColumn(0).getInt64());
            paths.push_back(resolvedCheckpointPath(query.getColumn(1).getString()));
        }
        SQLite::Statement remove(*m_db, "DELETE FROM checkpoints WHERE id = ?1");
        for (int64_t id : ids) {
            remove.bind(1, id);
            remove.exec();
            remove.reset();
        }
        transaction.commit();
        return paths;
    });
}

std::vector<RunSummary> RunStore::listRuns(bool includeDeleted) const {
    return guarded(m_path, "listing runs", [&] {
        // One snapshot for the runs and their tags.
        SQLite::Transaction transaction(*m_db);
        std::vector<RunSummary> runs;
        SQLite::Statement query(
            *m_db, std::string(kRunColumns) + " WHERE ?1 OR r.deleted = 0 ORDER BY r.id");
        query.bind(1, includeDeleted ? 1 : 0);
        std::map<int64_t, size_t> indexById;
        while (query.executeStep()) {
            runs.push_back(readRunSummary(query));
            indexById[runs.back().id] = runs.size() - 1;
        }
        SQLite::Statement tags(*m_db, "SELECT run_id, tag FROM run_tags ORDER BY run_id, id");
        while (tags.executeStep()) {
            const auto it = indexById.find(tags.getColumn(0).getInt64());
            if (it != indexById.end())
                runs[it->second].tags.push_back(tags.getColumn(1).getString());
        }
        transaction.commit();
        return runs;
    });
}

std::optional<RunSummary> RunStore::run(int64_t runId) const {
    return guarded(m_path, "reading " + runLabel(runId), [&]() -> std::optional<RunSummary> {
        SQLite::Transaction transaction(*m_db);
        SQLite::Statement query(*m_db, std::string(kRunColumns) + " WHERE r.id = ?1");
        query.bind(1, runId);
        if (!query.executeStep()) return std::nullopt;
        RunSummary summary = readRunSummary(query);
        SQLite::Statement tags(*m_db, "SELECT tag FROM run_tags WHERE run_id = ?1 ORDER BY id");
        tags.bind(1, runId);
        while (tags.executeStep()) summary.tags.push_back(tags.getColumn(0).getString());
        transaction.commit();
        return summary;
    });
}

std::vector<ExperimentSummary> RunStore::listExperiments() const {
    return guarded(m_path, "listing experiments", [&] {
        SQLite::Statement query(*m_db, R"sql(
            SELECT e.id, e.name, e.created_at,
                   COALESCE(SUM(r.deleted = 0), 0), COALESCE(SUM(r.deleted = 1), 0)
            FROM experiments e LEFT JOIN runs r ON r.experiment_id = e.id
            GROUP BY e.id ORDER BY e.name)sql");
        std::vector<ExperimentSummary> experiments;
        while (query.executeStep()) {
            experiments.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getString(),
                                   query.getColumn(2).getDouble(), query.getColumn(3).getInt64(),
                                   query.getColumn(4).getInt64()});
        }
        return experiments;
    });
}

void RunStore::renameExperiment(int64_t experimentId, const std::string& name) {
    const std::string action = "renaming experiment " + std::to_string(experimentId);
    guarded(m_path, action, [&] {
        SQLite::Statement update(*m_db, "UPDATE experiments SET name = ?2 WHERE id = ?1");
        update.bind(1, experimentId);
        update.bind(2, name);
        if (update.exec() == 0)
            throw StoreError("Run store " + m_path + ": " + action +
                             " failed: there is no such experiment.");
    });
}

bool RunStore::purgeRun(int64_t runId) {
    return guarded(m_path, "purging " + runLabel(runId), [&] {
        // Only a run already in the bin: purging is the one delete that cannot be undone.
        std::vector<CheckpointRecord> files = checkpoints(runId);
        SQLite::Statement purge(*m_db, "DELETE FROM runs WHERE id = ?1 AND deleted = 1");
        purge.bind(1, runId);
        if (purge.exec() == 0) return false;
        // After the commit: a file the store no longer names is garbage, a name without its file
        // would not be.
        std::error_code ignored;
        for (const CheckpointRecord& file : files) {
            std::filesystem::remove(file.path, ignored);
            std::filesystem::remove(std::filesystem::path(file.path).parent_path(), ignored);
        }
        return true;
    });
}

int RunStore::purgeDeletedRuns() {
    return guarded(m_path, "purging deleted runs", [&] {
        return m_db->exec("DELETE FROM runs WHERE deleted = 1");
    });
}

// ---- Reading records ----

std::vector<std::string> RunStore::metricKeys(int64_t runId) const {
    return guarded(m_path, "listing the metrics of " + runLabel(runId), [&] {
        SQLite::Statement query(*m_db, R"sql(
            SELECT k.name FROM latest_metrics lm JOIN metric_keys k ON k.id = lm.key_id
            WHERE lm.run_id = ?1 ORDER BY k.name)sql");
        query.bind(1, runId);
        std::vector<std::string> keys;
        while (query.executeStep()) keys.push_back(query.getColumn(0).getString());
        return keys;
    });
}

std::vector<MetricPoint> RunStore::metricSeries(int64_t runId, const std::string& key,
                                                int64_t afterStep) const {
    return guarded(m_path, "reading metric '" + key + "' of " + runLabel(runId), [&] {
        SQLite::Statement query(*m_db, R"sql(
            SELECT m.step, m.wall_time, m.value
            FROM metrics m JOIN metric_keys k ON k.id = m.key_id
            WHERE m.run_id = ?1 AND k.name = ?2 AND m.step > ?3
            ORDER BY m.step)sql");
        query.bind(1, runId);
        query.bind(2, key);
        query.bind(3, afterStep);
        std::vector<MetricPoint> points;
        while (query.executeStep()) {
            points.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getDouble(),
                              readReal(query.getColumn(2))});
        }
        return points;
    });
}

std::vector<MetricBucket> RunStore::metricEnvelope(int64_t runId, const std::string& key,
                                                   int64_t fromStep, int64_t toStep,
                                                   int buckets) const {
    std::vector<MetricBucket> envelope;
    if (buckets <= 0 || toStep < fromStep) return envelope;
    return guarded(m_path, "reading the envelope of '" + key + "' of " + runLabel(runId), [&] {
        // Integer bucket index over the step range; the primary key (run, key, step) serves
        // the range scan, so only the rows in range are visited.
        SQLite::Statement query(*m_db, R"sql(
            SELECT ((m.step - ?3) * ?5) / (?4 - ?3 + 1) AS b, MIN(m.step), MAX(m.step),
                   COUNT(*), MIN(m.value), MAX(m.value)
            FROM metrics m
            WHERE m.run_id = ?1 AND m.key_id = (SELECT id FROM metric_keys WHERE name = ?2)
              AND m.step BETWEEN ?3 AND ?4
            GROUP BY b ORDER BY b)sql");
        query.bind(1, runId);
        query.bind(2, key);
        query.bind(3, fromStep);
        query.bind(4, toStep);
        query.bind(5, static_cast<int64_t>(buckets));
        while (query.executeStep()) {
            envelope.push_back({query.getColumn(1).getInt64(), query.getColumn(2).getInt64(),
                                query.getColumn(3).getInt64(), readReal(query.getColumn(4)),
                                readReal(query.getColumn(5))});
        }
        return envelope;
    });
}

std::vector<std::string> RunStore::evalKeys(int64_t runId) const {
    return guarded(m_path, "listing the evaluation metrics of " + runLabel(runId), [&] {
        SQLite::Statement query(*m_db, R"sql(
            SELECT DISTINCT k.name FROM evals e JOIN metric_keys k ON k.id = e.key_id
            WHERE e.run_id = ?1 ORDER BY k.name)sql");
        query.bind(1, runId);
        std::vector<std::string> keys;
        while (query.executeStep()) keys.push_back(query.getColumn(0).getString());
        return keys;
    });
}

std::vector<MetricPoint> RunStore::evalSeries(int64_t runId, const std::string& key,
                                              int64_t afterStep) const {
    return guarded(m_path, "reading evaluation '" + key + "' of " + runLabel(runId), [&] {
        // evals has no wall time; borrow the step's `reward` row so a wall-time axis works.
        SQLite::Statement query(*m_db, R"sql(
            SELECT e.step, m.wall_time, e.value
            FROM evals e JOIN metric_keys k ON k.id = e.key_id
            LEFT JOIN metrics m ON m.run_id = e.run_id AND m.step = e.step
                 AND m.key_id = (SELECT id FROM metric_keys WHERE name = 'reward')
            WHERE e.run_id = ?1 AND k.name = ?2 AND e.step > ?3
            ORDER BY e.step)sql");
        query.bind(1, runId);
        query.bind(2, key);
        query.bind(3, afterStep);
        std::vector<MetricPoint> points;
        while (query.executeStep()) {
            points.push_back({query.getColumn(0).getInt64(), readReal(query.getColumn(1)),
                              readReal(query.getColumn(2))});
        }
        return points;
    });
}

std::vector<LatestMetric> RunStore::latestMetrics(int64_t runId) const {
    return guarded(m_path, "reading the latest metrics of " + runLabel(runId), [&] {
        SQLite::Statement query(*m_db, R"sql(
            SELECT k.name, lm.step, lm.last, lm.min, lm.max
            FROM latest_metrics lm JOIN metric_keys k ON k.id = lm.key_id
            WHERE lm.run_id = ?1 ORDER BY k.name)sql");
        query.bind(1, runId);
        std::vector<LatestMetric> latest;
        while (query.executeStep()) {
            latest.push_back({query.getColumn(0).getString(), query.getColumn(1).getInt64(),
                              readReal(query.getColumn(2)), readReal(query.getColumn(3)),
                              readReal(query.getColumn(4))});
        }
        return latest;
    });
}

std::vector<EventRecord> RunStore::events(int64_t runId) const {
    return guarded(m_path, "reading the events of " + runLabel(runId), [&] {
        SQLite::Statement query(
            *m_db,
            "SELECT step, wall_time, level, message FROM events WHERE run_id = ?1 ORDER BY id");
        query.bind(1, runId);
        std::vector<EventRecord> events;
        while (query.executeStep()) {
            events.push_back({query.getColumn(0).getInt64(), query.getColumn(1).getDouble(),
                              parseEventLevel(query.getColumn(2).getString()),
                              query.getColumn(3).getString()});
        }
        return events;
    });
}

std::vector<int64_t> RunStore::slateSteps(int64_t runId) const {
    return guarded(m_path, "listing the slate steps of " + runLabel(runId), [&] {
        SQLite::Statement query(*m_db,
                                "SELECT DISTINCT step FROM slates WHERE run_id = ?1 ORDER BY step");
        query.bind(1, runId);
        std::vector<int64_t> steps;
        while (query.executeStep()) steps.push_back(query.getColumn(0).getInt64());
        return steps;
    });
}

std::vector<SlateRecord> RunStore::slates(int64_t runId, int64_t step) const {
    return guarded(m_path, "reading the slates of " + runLabel(runId), [&] {
        SQLite::Statement query(*m_db, R"sql(
            SELECT user_id, grp, items, logp_old, logp_new, token_ratio, log_ratio, ratio,
                   pbar_old, pbar_new, denominator, coefficient, branch, boost, pos_cap,
                   list_entropy, neg_scale, advantage, rewards
            FROM slates WHERE run_id = ?1 AND step = ?2 ORDER BY idx)sql");
        query.bind(1, runId);
        query.bind(2, step);
        std::vector<SlateRecord> slates;
        while (query.executeStep()) {
            SlateRecord slate;
            slate.step = step;
            slate.user = query.getColumn(0).getInt64();
            slate.group = query.getColumn(1).getInt();
            slate.items = readArray<int64_t>(query.getColumn(2));
            slate.logpOld = readArray<float>(query.getColumn(3));
            slate.logpNew = readArray<float>(query.getColumn(4));
            slate.tokenRatio = readArray<float>(query.getColumn(5));
            slate.logRatio = readReal(query.getColumn(6));
            slate.ratio = readReal(query.getColumn(7));
            slate.pbarOld = readReal(query.getColumn(8));
            slate.pbarNew = readReal(query.getColumn(9));
            slate.denominator = readReal(query.getColumn(10));
            slate.coefficient = readReal(query.getColumn(11));
            slate.branch = query.getColumn(12).getString();
            slate.boost = readReal(query.getColumn(13));
            slate.posCap = readReal(query.getColumn(14));
            slate.listEntropy = readReal(query.getColumn(15));
            slate.negScale = readReal(query.getColumn(16));
            slate.advantage = readReal(query.getColumn(17));
            slate.rewards = rewardsFromJson(query.getColumn(18).getString());
            slates.push_back(std::move(slate));
        }
        return slates;
    });
}

std::vector<HistogramRecord> RunStore::histograms(int64_t runId, const std::string& key) const {
    return guarded(m_path, "reading histogram '" + key + "' of " + runLabel(runId), [&] {
        SQLite::Statement query(*m_db, R"sql(
            SELECT h.step, h.low, h.high, h.counts
            FROM histograms h JOIN metric_keys k ON k.id = h.key_id
            WHERE h.run_id = ?1 AND k.name = ?2 ORDER BY h.step)sql");
        query.bind(1, runId);
        query.bind(2, key);
        std::vector<HistogramRecord> histograms;
        while (query.executeStep()) {
            histograms.push_back({query.getColumn(0).getInt64(), key,
                                  query.getColumn(1).getDouble(), query.getColumn(2).getDouble(),
                                  readArray<float>(query.getColumn(3))});
        }
        return histograms;
    });
}

std::vector<EvalRecord> RunStore::evals(int64_t runId) const {
    return guarded(m_path, "reading the evaluations of " + runLabel(runId), [&] {
        SQLite::Statement query(*m_db, R"sql(
            SELECT e.step, k.name, e.value
            FROM evals e JOIN metric_keys k ON k.id = e.key_id
            WHERE e.run_id = ?1 ORDER BY e.step, e.id)sql");
        query.bind(1, runId);
        std::vector<EvalRecord> evals;
        while (query.executeStep()) {
            const int64_t step = query.getColumn(0).getInt64();
            if (evals.empty() || evals.back().step != step) evals.push_back({step, {}});
            evals.back().values.emplace_back(query.getColumn(1).getString(),
                                             readReal(query.getColumn(2)));
        }
        return evals;
    });
}

// ---- Writing records ----

int64_t RunStore::internKey(const std::string& name) {
    if (const auto it = m_keyIds.find(name); it != m_keyIds.end()) return it->second;
    SQLite::Statement insert(
        *m_db, "INSERT INTO metric_keys (name) VALUES (?1) ON CONFLICT (name) DO NOTHING");
    insert.bind(1, name);
    insert.exec();
    SQLite::Statement query(*m_db, "SELECT id FROM metric_keys WHERE name = ?1");
    query.bind(1, name);
    query.executeStep();
    const int64_t id = query.getColumn(0).getInt64();
    m_keyIds.emplace(name, id);
    return id;
}

void RunStore::writeBatch(int64_t runId, const Batch& batch) {
    if (batch.empty()) return;
    try {
        guarded(m_path, "writing records of " + runLabel(runId), [&] {
            // IMMEDIATE: take the write lock up front, so the busy timeout applies instead of a
            // deferred read transaction failing to upgrade.
            SQLite::Transaction transaction(*m_db, SQLite::TransactionBehavior::IMMEDIATE);

            if (!batch.steps.empty()) {
                SQLite::Statement metric(*m_db, R"sql(
                    INSERT INTO metrics (run_id, key_id, step, wall_time, value)
                    VALUES (?1, ?2, ?3, ?4, ?5)
                    ON CONFLICT (run_id, key_id, step)
                    DO UPDATE SET wall_time = excluded.wall_time, value = excluded.value)sql");
                // Rows in the table's order (metric, then step): consecutive inserts land on the
                // same B-tree leaf instead of a different one for every metric of a step. The
                // stable sort keeps a step written twice in its order, so the later value wins.
                struct Row {
                    int64_t keyId, step;
                    double wallTime, value;
                };
                std::vector<Row> rows;
                for (const StepScalars& step : batch.steps)
                    for (const auto& [key, value] : step.values)
                        rows.push_back({internKey(key), step.step, step.wallTime, value});
                std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
                    return a.keyId != b.keyId ? a.keyId < b.keyId : a.step < b.step;
                });
                std::map<int64_t, LatestOfBatch> latestOfBatch;  // by key id
                for (const Row& row : rows) {
                    metric.bind(1, runId);
                    metric.bind(2, row.keyId);
                    metric.bind(3, row.step);
                    metric.bind(4, row.wallTime);
                    bindReal(metric, 5, row.value);
                    metric.exec();
                    metric.reset();
                    const auto [entry, isNew] =
                        latestOfBatch.try_emplace(row.keyId, LatestOfBatch::first(row.step, row.value));
                    if (!isNew) entry->second.add(row.step, row.value);
                }
                // SET expressions see the old row; MIN/MAX of a NULL (NaN) side fall back to the
                // other through COALESCE.
                SQLite::Statement latest(*m_db, R"sql(
                    INSERT INTO latest_metrics (run_id, key_id, step, last, min, max)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                    ON CONFLICT (run_id, key_id) DO UPDATE SET
                        last = CASE WHEN excluded.step >= step THEN excluded.last ELSE last END,
                        step = MAX(step, excluded.step),
                        min = COALESCE(MIN(min, excluded.min), min, excluded.min),
                        max = COALESCE(MAX(max, excluded.max), max, excluded.max))sql");
                for (const auto& [keyId, folded] : latestOfBatch) {
                    latest.bind(1, runId);
                    latest.bind(2, keyId);
                    latest.bind(3, folded.step);
                    bindReal(latest, 4, folded.last);
                    bindReal(latest, 5, folded.min);
                    bindReal(latest, 6, folded.max);
                    latest.exec();
                    latest.reset();
                }
            }

            if (!batch.histograms.empty()) {
                SQLite::Statement insert(*m_db, R"sql(
                    INSERT INTO histograms (run_id, key_id, step, low, high, counts)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                    ON CONFLICT (run_id, key_id, step) DO UPDATE SET
                        low = excluded.low, high = excluded.high, counts = excluded.counts)sql");
                for (const HistogramRecord& histogram : batch.histograms) {
                    insert.bind(1, runId);
                    insert.bind(2, internKey(histogram.key));
                    insert.bind(3, histogram.step);
                    insert.bind(4, histogram.low);
                    insert.bind(5, histogram.high);
                    bindArray(insert, 6, histogram.counts);
                    insert.exec();
                    insert.reset();
                }
            }

            if (!batch.slates.empty()) {
                // Slates append after those already stored for the step, keeping report order.
                SQLite::Statement insert(*m_db, R"sql(
                    INSERT INTO slates (run_id, step, idx, user_id, grp, items, logp_old, logp_new,
                                        token_ratio, log_ratio, ratio, pbar_old, pbar_new,
                                        denominator, coefficient, branch, boost, pos_cap,
                                        list_entropy, neg_scale, advantage, rewards)
                    VALUES (?1, ?2,
                            (SELECT COALESCE(MAX(idx) + 1, 0) FROM slates
                             WHERE run_id = ?1 AND step = ?2),
                            ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                            ?18, ?19, ?20, ?21))sql");
                for (const SlateRecord& slate : batch.slates) {
                    insert.bind(1, runId);
                    insert.bind(2, slate.step);
                    insert.bind(3, slate.user);
                    insert.bind(4, slate.group);
                    bindArray(insert, 5, slate.items);
                    bindArray(insert, 6, slate.logpOld);
                    bindArray(insert, 7, slate.logpNew);
                    bindArray(insert, 8, slate.tokenRatio);
                    bindReal(insert, 9, slate.logRatio);
                    bindReal(insert, 10, slate.ratio);
                    bindReal(insert, 11, slate.pbarOld);
                    bindReal(insert, 12, slate.pbarNew);
                    bindReal(insert, 13, slate.denominator);
                    bindReal(insert, 14, slate.coefficient);
                    insert.bind(15, slate.branch);
                    bindReal(insert, 16, slate.boost);
                    bindReal(insert, 17, slate.posCap);
                    bindReal(insert, 18, slate.listEntropy);
                    bindReal(insert, 19, slate.negScale);
                    bindReal(insert, 20, slate.advantage);
                    insert.bind(21, rewardsToJson(slate.rewards));
                    insert.exec();
                    insert.reset();
                }
            }

            if (!batch.evals.empty()) {
                SQLite::Statement insert(*m_db, R"sql(
                    INSERT INTO evals (run_id, step, key_id, value) VALUES (?1, ?2, ?3, ?4)
                    ON CONFLICT (run_id, step, key_id) DO UPDATE SET value = excluded.value)sql");
                for (const EvalRecord& eval : batch.evals) {
                    for (const auto& [key, value] : eval.values) {
                        insert.bind(1, runId);
                        insert.bind(2, eval.step);
                        insert.bind(3, internKey(key));
                        bindReal(insert, 4, value);
                        insert.exec();
                        insert.reset();
                    }
                }
            }

            if (!batch.checkpoints.empty()) {
                SQLite::Statement insert(*m_db, R"sql(
                    INSERT INTO checkpoints (run_id, step, path, created_at)
                    VALUES (?1, ?2, ?3, ?4))sql");
                for (const CheckpointRecord& checkpoint : batch.checkpoints) {
                    insert.bind(1, runId);
                    insert.bind(2, checkpoint.step);
                    insert.bind(3, storedCheckpointPath(checkpoint.path));
                    insert.bind(4, checkpoint.createdAt > 0.0 ? checkpoint.createdAt : unixNow());
                    insert.exec();
                    insert.reset();
                }
            }

            if (!batch.events.empty()) {
                SQLite::Statement insert(*m_db, R"sql(
                    INSERT INTO events (run_id, step, wall_time, level, message)
                    VALUES (?1, ?2, ?3, ?4, ?5))sql");
                for (const EventRecord& event : batch.events) {
                    insert.bind(1, runId);
                    insert.bind(2, event.step);
                    insert.bind(3, event.wallTime);
                    insert.bind(4, toString(event.level));
                    insert.bind(5, event.message);
                    insert.exec();
                    insert.reset();
                }
            }

            transaction.commit();
        });
    } catch (...) {
        // Keys interned in the rolled-back transaction are gone from the file.
        m_keyIds.clear();
        throw;
    }
}

}  // namespace sage

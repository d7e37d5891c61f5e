#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/store_error.h"
#include "store/store_types.h"
#include "training/training_records.h"

namespace SQLite {
class Database;
}

namespace sage {

/// One connection to a run store (a SQLite file, ARCHITECTURE.md "The run store").
/// Not thread-safe by design: each thread opens its own RunStore on the same path.
class RunStore {
public:
    /// The schema version this build writes; files with a higher user_version are refused.
    static constexpr int kSchemaVersion = 3;
    /// A run held by a process of another host counts as interrupted once its heartbeat is this
    /// old (RunLease beats every few seconds); on this host the owner's pid is checked instead.
    static constexpr double kLeaseTimeoutSeconds = 60.0;

    /// Opens (creating when missing) and migrates the file. Throws StoreError with the path and a
    /// remedy when the file is not a store, is from a newer version, or cannot be written.
    explicit RunStore(const std::string& path);
    ~RunStore();
    RunStore(const RunStore&) = delete;
    RunStore& operator=(const RunStore&) = delete;

    const std::string& path() const { return m_path; }
    int schemaVersion() const;
    std::string journalMode() const;

    // Experiments and runs.
    int64_t ensureExperiment(const std::string& name);
    /// The new run is `created` and owned by this process (ProcessIdentity::current()).
    int64_t createRun(const std::string& experiment, const std::string& name,
                      const std::string& configJson, int64_t seed);
    void setRunStatus(int64_t runId, RunStatus status, const std::string& error = {});
    void setNotes(int64_t runId, const std::string& notes);
    void setTags(int64_t runId, const std::vector<std::string>& tags);
    void setRunName(int64_t runId, const std::string& name);
    void softDeleteRun(int64_t runId);
    void restoreRun(int64_t runId);

    // Crash recovery and resume.
    /// Runs `created`, `running` or `paused` whose owner is gone become `interrupted`, each with
    /// a warning event; returns how many. The owner is gone when it ran on this host and its
    /// process has ended, or ran elsewhere (or is unknown, for runs of older builds) and its
    /// heartbeat is older than kLeaseTimeoutSeconds. The constructor calls it, so a killed run
    /// shows `interrupted` whenever the store is next opened.
    int markInterruptedRuns();
    /// Takes a stopped, failed or interrupted run back to `running`, owned by this process, with
    /// its error cleared; false (and nothing changes) when the run is in any other state, for
    /// example because another process resumed it first.
    bool claimResumableRun(int64_t runId);
    /// Refreshes the heartbeat of a run this process owns; a run owned elsewhere is left alone.
    void heartbeat(int64_t runId);
    /// Deletes the run's metrics, histograms, slates, evaluations and checkpoint records after
    /// `afterStep` and recomputes its latest metrics, so that a run resumed from the checkpoint of
    /// `afterStep` logs each later step exactly once. Events stay: they are the run's history.
    void truncateRun(int64_t runId, int64_t afterStep);
    /// The run's checkpoint records, oldest first, with absolute paths.
    std::vector<CheckpointRecord> checkpoints(int64_t runId) const;
    /// Forgets all but the newest `keep` checkpoint records of the run and returns the paths of
    /// those forgotten, for the caller to delete.
    std::vector<std::string> forgetOldCheckpoints(int64_t runId, int keep);

    std::vector<RunSummary> listRuns(bool includeDeleted = false) const;
    /// Every experiment with its run counts, by name.
    std::vector<ExperimentSummary> listExperiments() const;
    /// Throws StoreError when the name is taken by another experiment.
    void renameExperiment(int64_t experimentId, const std::string& name);
    /// Removes a soft-deleted run and all its records for good, checkpoint files included; false
    /// when it is not deleted.
    bool purgeRun(int64_t runId);
    /// Purges every soft-deleted run; returns how many.
    int purgeDeletedRuns();
    std::optional<RunSummary> run(int64_t runId) const;

    // Reading metrics.
    std::vector<std::string> metricKeys(int64_t runId) const;
    /// Points with step > afterStep, in step order (afterStep = -1: the whole series).
    std::vector<MetricPoint> metricSeries(int64_t runId, const std::string& key,
                                          int64_t afterStep = -1) const;
    /// A min/max envelope of one metric over [fromStep, toStep] in at most `buckets` equal step
    /// ranges, computed by SQLite: a long series is drawn without reading every row.
    std::vector<MetricBucket> metricEnvelope(int64_t runId, const std::string& key,
                                             int64_t fromStep, int64_t toStep, int buckets) const;
    std::vector<LatestMetric> latestMetrics(int64_t runId) const;
    /// The names of the run's evaluation metrics ("eval/...").
    std::vector<std::string> evalKeys(int64_t runId) const;
    /// One evaluation metric as a series (step > afterStep); wallTime is that of the step's
    /// `reward` row when there is one, else NaN.
    std::vector<MetricPoint> evalSeries(int64_t runId, const std::string& key,
                                        int64_t afterStep = -1) const;
    std::vector<EventRecord> events(int64_t runId) const;
    std::vector<int64_t> slateSteps(int64_t runId) const;
    std::vector<SlateRecord> slates(int64_t runId, int64_t step) const;
    std::vector<HistogramRecord> histograms(int64_t runId, const std::string& key) const;
    std::vector<EvalRecord> evals(int64_t runId) const;

    /// Changes whenever another connection commits (PRAGMA data_version): cheap change polling.
    int64_t dataVersion() const;

    // Writing records: everything in one call is one transaction.
    struct Batch {
        std::vector<StepScalars> steps;
        std::vector<HistogramRecord> histograms;
        std::vector<SlateRecord> slates;
        std::vector<EvalRecord> evals;
        std::vector<EventRecord> events;
        /// Committed with the records above, so a checkpoint row never names a step whose
        /// metrics are not in the file.
        std::vector<CheckpointRecord> checkpoints;
        bool empty() const;
    };
    void writeBatch(int64_t runId, const Batch& batch);

    SQLite::Database& database();

private:
    void checkIsCurrentOrOlderStore();
    void configureConnection();
    /// The id of a metric name, inserting it when new; cached because every step repeats them.
    int64_t internKey(const std::string& name);
    void requireRun(int64_t runId, const std::string& action) const;
    /// Checkpoint paths are kept relative to the store's folder when they lie under it, so a
    /// store moved together with its checkpoints still finds them.
    std::string storedCheckpointPath(const std::string& path) const;
    std::string resolvedCheckpointPath(const std::string& stored) const;

    std::string m_path;
    std::unique_ptr<SQLite::Database> m_db;
    // Only holds ids of committed rows: cleared when a write transaction rolls back.
    std::unordered_map<std::string, int64_t> m_keyIds;
};

}  // namespace sage

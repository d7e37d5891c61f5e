#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "store/run_status.h"

namespace sage {

struct RunSummary {
    int64_t id = 0;
    int64_t experimentId = 0;
    std::string experiment;
    std::string name;
    RunStatus status = RunStatus::Created;
    std::string configJson;
    int64_t seed = 0;
    double createdAt = 0.0;   // unix seconds
    double startedAt = 0.0;   // 0 until started
    double finishedAt = 0.0;  // 0 until terminal
    int64_t lastStep = -1;    // highest logged step, -1 when none
    std::string notes;
    std::vector<std::string> tags;
    std::string error;
    bool deleted = false;
    // The process that created or last resumed the run; empty host and 0 when unknown.
    std::string ownerHost;
    int64_t ownerPid = 0;
    double heartbeatAt = 0.0;  // unix seconds; 0 when never
};

/// A resume checkpoint of a run: the state after `step` completed steps, in the file `path`.
struct CheckpointRecord {
    int64_t step = 0;
    std::string path;
    double createdAt = 0.0;  // unix seconds
};

struct MetricPoint {
    int64_t step = 0;
    double wallTime = 0.0;
    double value = 0.0;
};

struct LatestMetric {
    std::string key;
    int64_t step = 0;
    double last = 0.0;
    double min = 0.0;
    double max = 0.0;
};

struct ExperimentSummary {
    int64_t id = 0;
    std::string name;
    double createdAt = 0.0;  // unix seconds
    int64_t runCount = 0;      // runs not soft-deleted
    int64_t deletedCount = 0;  // soft-deleted runs, until purged
};

/// One bucket of a min/max envelope over a step range (RunStore::metricEnvelope).
struct MetricBucket {
    int64_t firstStep = 0;
    int64_t lastStep = 0;
    int64_t count = 0;  // points in the bucket, NaN included
    double min = 0.0;   // NaN when every value in the bucket is NaN
    double max = 0.0;
};

}  // namespace sage

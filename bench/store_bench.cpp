// sage_store_bench: metric rows written per second through the run store, against raw sqlite3.
//   raw        sqlite3 C API: one prepared INSERT into a table of the same shape as `metrics`
//              (same columns, same primary key, WITHOUT ROWID), every row in one transaction.
//   store      the trainer's path: StoreSink::onStep for every step, flushed by RunStore::writeBatch
//              every `--flush-every` steps (default: that of logging.flush_every_steps), and
//              optionally at a second cadence (`--also-flush-every`) for comparison.
//   one batch  RunStore::writeBatch with every step in one transaction, as raw does.
// All three use WAL and synchronous=NORMAL, write the same values into a new file in the same
// folder, and run interleaved (raw, store, one batch, raw, ...) so that machine noise hits all
// alike. Prints a Markdown table of medians over the repetitions; "vs raw" is the median of the
// per-repetition ratios.
#include <sqlite3.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "bench_support.h"
#include "config/run_config.h"
#include "store/run_store.h"
#include "store/store_sink.h"

namespace {

using namespace sage::bench;

void check(int code, sqlite3* db, const char* what) {
    if (code != SQLITE_OK && code != SQLITE_DONE && code != SQLITE_ROW)
        throw std::runtime_error(std::string("raw sqlite3: ") + what + ": " + sqlite3_errmsg(db));
}

void exec(sqlite3* db, const char* sql) { check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql); }

std::vector<sage::StepScalars> makeSteps(int steps, int keys) {
    std::vector<std::string> names;
    for (int k = 0; k < keys; ++k) names.push_back("bench/metric_" + std::to_string(k));
    std::vector<sage::StepScalars> out(steps);
    for (int s = 0; s < steps; ++s) {
        out[s].step = s + 1;
        out[s].wallTime = 0.05 * s;
        for (int k = 0; k < keys; ++k) out[s].values.emplace_back(names[k], std::sin(0.01 * s + k));
    }
    return out;
}

/// Seconds to write every value with raw prepared inserts in one transaction.
double writeRaw(const std::string& path, const std::vector<sage::StepScalars>& steps) {
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
    double seconds = 0.0;
    try {
        exec(db, "PRAGMA journal_mode = WAL");
        exec(db, "PRAGMA synchronous = NORMAL");
        exec(db, R"sql(CREATE TABLE metrics (
            run_id INTEGER NOT NULL, key_id INTEGER NOT NULL, step INTEGER NOT NULL,
            wall_time REAL NOT NULL, value REAL, PRIMARY KEY (run_id, key_id, step)) WITHOUT ROWID)sql");
        sqlite3_stmt* insert = nullptr;
        const auto start = Clock::now();
        exec(db, "BEGIN IMMEDIATE");
        check(sqlite3_prepare_v2(db, "INSERT INTO metrics (run_id, key_id, step, wall_time, value) "
                                     "VALUES (?1, ?2, ?3, ?4, ?5)", -1, &insert, nullptr), db, "prepare");
        for (const auto& step : steps) {
            int64_t key = 0;
            for (const auto& [name, value] : step.values) {
                sqlite3_bind_int64(insert, 1, 1);
                sqlite3_bind_int64(insert, 2, ++key);
                sqlite3_bind_int64(insert, 3, step.step);
                sqlite3_bind_double(insert, 4, step.wallTime);
                sqlite3_bind_double(insert, 5, value);
                check(sqlite3_step(insert), db, "insert");
                sqlite3_reset(insert);
            }
        }
        sqlite3_finalize(insert);
        exec(db, "COMMIT");
        seconds = secondsSince(start);
    } catch (...) {
        sqlite3_close(db);
        throw;
    }
    sqlite3_close(db);
    return seconds;
}

/// Seconds to write every step through the trainer's store writer.
double writeThroughSink(const std::string& path, const std::vector<sage::StepScalars>& steps,
                        int flushEvery) {
    int64_t run = 0;
    {
        sage::RunStore store(path);
        run = store.createRun("bench", "store", "{}", 0);
    }
    sage::StoreSink sink(path, run, flushEvery);
    const auto start = Clock::now();
    for (const auto& step : steps) sink.onStep(step);
    sink.flush();
    return secondsSince(start);
}

/// Seconds to write every step with one RunStore::writeBatch (one transaction).
double writeOneBatch(const std::string& path, const std::vector<sage::StepScalars>& steps) {
    sage::RunStore store(path);
    const int64_t run = store.createRun("bench", "batch", "{}", 0);
    sage::RunStore::Batch batch;
    batch.steps = steps;
    const auto start = Clock::now();
    store.writeBatch(run, batch);
    return secondsSince(start);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options options(argc, argv,
                              "sage_store_bench [--steps N] [--keys K] [--repeats R] "
                              "[--flush-every S] [--also-flush-every S] [--dir FOLDER] "
                              "[--only raw|store|batch]");
        const int steps = static_cast<int>(options.integer("steps", 4000));
        const int keys = static_cast<int>(options.integer("keys", 50));
        const int repeats = static_cast<int>(options.integer("repeats", 5));
        const int flushEvery =
            static_cast<int>(options.integer("flush-every", sage::RunConfig{}.logging.flushEverySteps));
        const int alsoFlushEvery = static_cast<int>(options.integer("also-flush-every", 0));
        const ScratchDir scratch(options.text("dir", ""));
        const std::string only = options.text("only", "");  // one path alone, for a profiler
        const auto data = makeSteps(steps, keys);
        const double rows = static_cast<double>(steps) * keys;

        struct Variant {
            std::string id;
            std::string name;
            std::function<double(const std::string&)> write;
            std::vector<double> rowsPerSecond;
        };
        const auto throughSink = [&](int every) -> Variant {
            return {"store", "RunStore via StoreSink, a transaction every " + std::to_string(every) + " steps",
                    [&, every](const std::string& path) { return writeThroughSink(path, data, every); }, {}};
        };
        std::vector<Variant> variants{
            {"raw", "raw sqlite3 prepared inserts, one transaction",
             [&](const std::string& path) { return writeRaw(path, data); }, {}},
            throughSink(flushEvery),
            {"batch", "RunStore::writeBatch, one transaction",
             [&](const std::string& path) { return writeOneBatch(path, data); }, {}},
        };
        if (alsoFlushEvery > 0) variants.insert(variants.begin() + 2, throughSink(alsoFlushEvery));
        for (int r = 0; r < repeats; ++r)
            for (auto& v : variants) {
                if (!only.empty() && v.id != only) continue;
                const double seconds = v.write(scratch.freshFile("store.sqlite"));
                v.rowsPerSecond.push_back(rows / seconds);
                std::fprintf(stderr, "  repetition %d/%d: %s: %.0f rows/s\n", r + 1, repeats,
                             v.name.c_str(), rows / seconds);
            }

        if (!only.empty()) return 0;
        // Each repetition's rate against the raw one of the same repetition, then the median.
        const auto percentOfRaw = [&](const Variant& v) {
            std::vector<double> ratios;
            for (int r = 0; r < repeats; ++r)
                ratios.push_back(100.0 * v.rowsPerSecond[r] / variants[0].rowsPerSecond[r]);
            return median(ratios);
        };
        std::printf("| path | metric rows/s (median of %d) | min | max | vs raw |\n", repeats);
        std::printf("|---|---:|---:|---:|---:|\n");
        for (const auto& v : variants) {
            const auto [low, high] = std::minmax_element(v.rowsPerSecond.begin(), v.rowsPerSecond.end());
            std::printf("| %s | %.0f | %.0f | %.0f | %.1f %% |\n", v.name.c_str(), median(v.rowsPerSecond),
                        *low, *high, percentOfRaw(v));
        }
        std::printf("\n%d steps × %d metrics = %.0f rows per repetition.\n", steps, keys, rows);
        const double percent = percentOfRaw(variants[1]);
        std::printf("\n**Target: the trainer's store path (a transaction every %d steps) writes ≥ 50 %% of the "
                    "raw rate: %.1f %%, %s.**\n",
                    flushEvery, percent, percent >= 50.0 ? "met" : "missed");
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sage_store_bench: %s\n", e.what());
        return 1;
    }
}

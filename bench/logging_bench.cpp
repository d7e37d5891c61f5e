// sage_logging_bench: what logging costs the RL trainer. Two trainers with the same configuration
// and seed (so they do identical work) train side by side in one process:
//   logged  the sinks a training job attaches: the StoreSink writing into a SQLite file, with the
//           scalars, histograms and per-slate records at the configuration's schedule;
//   null    a sink that discards everything.
// They alternate step by step (which goes first alternates too), so the machine's noise hits both
// alike; the logged side's final flush counts too. Step times are summed per block of `--block`
// steps (default 10) and the cost gets a 95 % interval from the paired block differences. CPU time is reported beside wall-clock time: other
// programs on a shared machine inflate the first but hardly the second. Prints a Markdown table.
#include <time.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_config.h"
#include "bench_support.h"
#include "store/run_store.h"
#include "store/store_sink.h"
#include "training/fan_out_sink.h"
#include "training/null_sink.h"
#include "training/trainer.h"

namespace {

using namespace sage::bench;

double processCpuSeconds() {
    timespec now{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

/// One side of the comparison: its step times, wall-clock and CPU, summed per block.
struct Side {
    std::vector<double> wall, cpu;

    void startBlock() {
        wall.push_back(0.0);
        cpu.push_back(0.0);
    }
    template <typename Work>
    void time(Work&& work) {
        const auto start = Clock::now();
        const double cpuStart = processCpuSeconds();
        work();
        wall.back() += secondsSince(start);
        cpu.back() += processCpuSeconds() - cpuStart;
    }
};

/// Forwards to a sink and adds up the wall-clock time spent inside it: the direct cost of the
/// sink's own work (the paired difference also sees indirect costs, but through the noise).
class TimedSink final : public sage::TrainingSink {
public:
    explicit TimedSink(sage::TrainingSink& inner) : m_inner(inner) {}
    void onRunStarted(int64_t total) override { timed([&] { m_inner.onRunStarted(total); }); }
    void onStep(const sage::StepScalars& s) override { timed([&] { m_inner.onStep(s); }); }
    void onHistogram(const sage::HistogramRecord& h) override { timed([&] { m_inner.onHistogram(h); }); }
    void onSlates(const std::vector<sage::SlateRecord>& s) override { timed([&] { m_inner.onSlates(s); }); }
    void onEval(const sage::EvalRecord& e) override { timed([&] { m_inner.onEval(e); }); }
    void onEvent(const sage::EventRecord& e) override { timed([&] { m_inner.onEvent(e); }); }
    void flush() override { timed([&] { m_inner.flush(); }); }
    double seconds() const { return m_seconds; }

private:
    template <typename Work>
    void timed(Work&& work) {
        const auto start = Clock::now();
        work();
        m_seconds += secondsSince(start);
    }
    sage::TrainingSink& m_inner;
    double m_seconds = 0.0;
};

/// The logged side's extra time in % of the null side's, with a 95 % interval from the paired
/// block differences.
struct Cost {
    double percent, halfWidth;
};

Cost costOf(const std::vector<double>& logged, const std::vector<double>& null) {
    const auto n = static_cast<double>(logged.size());
    double diff = 0.0, base = 0.0;
    for (size_t i = 0; i < logged.size(); ++i) {
        diff += logged[i] - null[i];
        base += null[i];
    }
    const double meanDiff = diff / n, meanBase = base / n;
    double variance = 0.0;
    for (size_t i = 0; i < logged.size(); ++i) variance += std::pow(logged[i] - null[i] - meanDiff, 2);
    variance /= std::max(1.0, n - 1.0);
    return {100.0 * meanDiff / meanBase, 100.0 * 1.96 * std::sqrt(variance / n) / meanBase};
}

double sum(const std::vector<double>& values) {
    double total = 0.0;
    for (double v : values) total += v;
    return total;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options options(argc, argv,
                              "sage_logging_bench --config PRESET.json [--set key=value] [--steps N] "
                              "[--block S] [--dir FOLDER]");
        sage::RunConfig config = configFromOptions(options, "resources/presets/synthetic.json");
        config.training.steps = static_cast<int>(options.integer("steps", config.training.steps));
        const int block = static_cast<int>(options.integer("block", 10));
        const ScratchDir scratch(options.text("dir", ""));

        const std::string dbPath = scratch.freshFile("logging.sqlite");
        int64_t runId = 0;
        {
            sage::RunStore store(dbPath);
            runId = store.createRun("bench", config.name, sage::toJson(config).dump(), config.training.seed);
        }
        // As TrainingJob wires it: the store writer behind the fan-out sink.
        sage::StoreSink storeSink(dbPath, runId, config.logging.flushEverySteps);
        sage::FanOutSink fanOut({&storeSink});
        TimedSink logged(fanOut);
        sage::NullSink discard;
        sage::TrainerControl loggedControl, nullControl;
        sage::Trainer withLogging(config, logged, loggedControl);
        sage::Trainer withoutLogging(config, discard, nullControl);
        const auto stepOf = [](sage::Trainer& trainer) {
            return [&trainer] {
                if (!trainer.step()) throw std::runtime_error("a trainer stopped before its last step");
            };
        };

        Side loggedSide, nullSide;
        for (int step = 0; step < config.training.steps; ++step) {
            if (step % block == 0) {
                loggedSide.startBlock();
                nullSide.startBlock();
            }
            if (step % 2 == 0) {
                loggedSide.time(stepOf(withLogging));
                nullSide.time(stepOf(withoutLogging));
            } else {
                nullSide.time(stepOf(withoutLogging));
                loggedSide.time(stepOf(withLogging));
            }
        }
        loggedSide.time([&] { logged.flush(); });
        const Cost wall = costOf(loggedSide.wall, nullSide.wall);
        const Cost cpu = costOf(loggedSide.cpu, nullSide.cpu);

        sage::RunStore readBack(dbPath);
        const auto metricKeys = readBack.metricKeys(runId).size();
        const auto slateSteps = readBack.slateSteps(runId).size();
        const auto histograms = readBack.histograms(runId, "hist/log_ratio").size();

        const double ms = 1000.0 / config.training.steps;
        std::printf("| sink | wall-clock ms per step | CPU ms per step (all threads) |\n|---|---:|---:|\n");
        std::printf("| null sink | %.2f | %.2f |\n", ms * sum(nullSide.wall), ms * sum(nullSide.cpu));
        std::printf("| StoreSink (scalars every %d, ρ histogram, slates every %d, flush every %d steps) | %.2f | %.2f |\n",
                    config.logging.everySteps, config.logging.slatesEverySteps, config.logging.flushEverySteps,
                    ms * sum(loggedSide.wall), ms * sum(loggedSide.cpu));
        std::printf("| difference (cost of logging) | %+.2f %% ± %.2f | %+.2f %% ± %.2f |\n", wall.percent,
                    wall.halfWidth, cpu.percent, cpu.halfWidth);
        const double inside = 100.0 * logged.seconds() / sum(nullSide.wall);
        std::printf("| time inside the sinks, measured around each call | %+.2f %% (%.2f ms per step) | |\n",
                    inside, ms * logged.seconds());
        std::printf("\n%d steps per side with training.threads = %d (0: every core), alternating step by step; "
                    "± is a 95 %% interval from the paired sums of %zu blocks of %d steps. The logged run wrote "
                    "%zu metric series, %zu histograms and the slates of %zu steps.\n",
                    config.training.steps, config.training.threads, loggedSide.wall.size(), block, metricKeys,
                    histograms, slateSteps);
        // Met when the sinks' own time is within the target and the side-by-side difference does
        // not show more (its interval reaches down to 2 % or below).
        const bool met = inside <= 2.0 && wall.percent - wall.halfWidth <= 2.0;
        std::printf("\n**Target: logging costs ≤ 2 %% of step time: %s (inside the sinks %.2f %%; side by side "
                    "%+.2f %% ± %.2f).**\n",
                    met ? "met" : "missed", inside, wall.percent, wall.halfWidth);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "sage_logging_bench: %s\n", e.what());
        return 1;
    }
}

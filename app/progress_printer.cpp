#include "progress_printer.h"

#include <unistd.h>

#include <string>

namespace sage {
namespace {

std::string clockText(double seconds) {
    const auto total = static_cast<long>(seconds + 0.5);
    char text[32];
    if (total >= 3600) std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
    else std::snprintf(text, sizeof text, "%02ld:%02ld", total / 60, total % 60);
    return text;
}

}  // namespace

ProgressPrinter::ProgressPrinter(int64_t totalSteps, std::FILE* out)
    : m_totalSteps(totalSteps),
      m_out(out),
      m_interactive(isatty(fileno(out)) != 0),
      m_start(std::chrono::steady_clock::now()),
      m_lastPrint(m_start) {}

void ProgressPrinter::onStep(const StepScalars& scalars) {
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const int decile = static_cast<int>(10 * scalars.step / std::max<int64_t>(1, m_totalSteps));
    const bool last = scalars.step >= m_totalSteps;
    if (m_interactive) {
        if (!last && now - m_lastPrint < std::chrono::milliseconds(200)) return;
    } else if (decile == m_lastDecile && !last) {
        return;
    }
    m_lastPrint = now;
    m_lastDecile = decile;
    const double rate = scalars.step / std::max(1e-9, elapsed);
    const double eta = (m_totalSteps - scalars.step) / std::max(1e-9, rate);
    // RL runs show their reward, supervised runs their loss.
    const char* label = nullptr;
    double value = 0.0;
    for (const auto& [key, v] : scalars.values) {
        if (key == "reward" || key == "sft/loss") {
            label = key.c_str();
            value = v;
        }
    }
    if (!label) return;  // an evaluation-only record
    std::fprintf(m_out, "%sstep %lld/%lld  %5.1f%%  %.2f steps/s  elapsed %s  ETA %s  %s %.4f%s",
                 m_interactive ? "\r\033[K" : "", static_cast<long long>(scalars.step),
                 static_cast<long long>(m_totalSteps), 100.0 * scalars.step / m_totalSteps, rate,
                 clockText(elapsed).c_str(), clockText(eta).c_str(), label, value,
                 m_interactive ? "" : "\n");
    m_lineOpen = m_interactive;
    std::fflush(m_out);
}

void ProgressPrinter::onEvent(const EventRecord& event) {
    if (event.level == EventLevel::Info) return;
    finish();
    std::fprintf(m_out, "%s at step %lld: %s\n", toString(event.level).c_str(),
                 static_cast<long long>(event.step), event.message.c_str());
}

void ProgressPrinter::finish() {
    if (m_lineOpen) std::fputc('\n', m_out);
    m_lineOpen = false;
    std::fflush(m_out);
}

}  // namespace sage

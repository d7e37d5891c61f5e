#include "report/slate_diagnostics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "report/report_markdown.h"
#include "store/run_store.h"

namespace sage {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Running sums for a Pearson correlation of the advantage with one quantity.
struct Correlation {
    double n = 0, a = 0, aa = 0, x = 0, xx = 0, ax = 0;

    void add(double advantage, double value) {
        n += 1;
        a += advantage, aa += advantage * advantage;
        x += value, xx += value * value;
        ax += advantage * value;
    }
    double value() const {
        const double denominator = std::sqrt((n * aa - a * a) * (n * xx - x * x));
        return denominator > 0.0 ? (n * ax - a * x) / denominator : kNaN;
    }
};

struct Accumulator {
    int64_t slates = 0, positives = 0, negatives = 0;
    double positiveRatio = 0, ratioAboveOne = 0, coefficientAboveOne = 0, boostExtra = 0, eligible = 0;
    double negativeScale = 0, capActive = 0, negativeCoefficient = 0;
    double negativeEntropy = 0, positiveEntropy = 0;
    std::vector<std::string> components;
    std::vector<Correlation> withComponent;
    Correlation withEntropy;

    void add(const SlateRecord& slate) {
        ++slates;
        const double a = slate.advantage;
        if (a > 0) {
            ++positives;
            positiveRatio += slate.ratio;
            ratioAboveOne += slate.ratio > 1.0;
            coefficientAboveOne += slate.coefficient > 1.0;
            boostExtra += slate.coefficient - std::min(slate.ratio, 1.0);
            eligible += slate.boost > 0.0;
            positiveEntropy += slate.listEntropy;
        } else if (a < 0) {
            ++negatives;
            negativeScale += slate.negScale;
            capActive += slate.branch == "neg_cap";
            negativeCoefficient += slate.coefficient;
            negativeEntropy += slate.listEntropy;
        }
        for (const auto& [name, value] : slate.rewards) {
            auto it = std::find(components.begin(), components.end(), name);
            if (it == components.end()) {
                components.push_back(name);
                withComponent.emplace_back();
                it = components.end() - 1;
            }
            withComponent[static_cast<size_t>(it - components.begin())].add(a, value);
        }
        withEntropy.add(a, slate.listEntropy);
    }

    ArmSlateDiagnostics result(const std::string& arm) const {
        const auto share = [](double sum, int64_t count) { return count > 0 ? sum / double(count) : kNaN; };
        ArmSlateDiagnostics d;
        d.arm = arm;
        d.slates = slates, d.positives = positives, d.negatives = negatives;
        d.positiveRatioMean = share(positiveRatio, positives);
        d.positiveRatioAboveOne = share(ratioAboveOne, positives);
        d.positiveCoefficientAboveOne = share(coefficientAboveOne, positives);
        d.boostExtraMean = share(boostExtra, positives);
        d.boostEligible = share(eligible, positives);
        d.positiveEntropyMean = share(positiveEntropy, positives);
        d.negativeScaleMean = share(negativeScale, negatives);
        d.negativeCapActive = share(capActive, negatives);
        d.negativeCoefficientMean = share(negativeCoefficient, negatives);
        d.negativeEntropyMean = share(negativeEntropy, negatives);
        for (size_t m = 0; m < components.size(); ++m)
            d.advantageCorrelation.push_back({components[m], withComponent[m].value()});
        d.advantageEntropyCorrelation = withEntropy.value();
        return d;
    }
};

std::string number(double value, const char* pattern = "%.3g") { return formatValue(value, pattern); }

std::string percent(double share) { return std::isnan(share) ? "—" : number(100.0 * share, "%.1f") + " %"; }

}  // namespace

std::vector<DatasetSlateDiagnostics> buildSlateDiagnostics(const RunStore& store,
                                                           const ExperimentReport& report) {
    std::vector<DatasetSlateDiagnostics> out;
    for (const DatasetReport& dataset : report.datasets()) {
        DatasetSlateDiagnostics diagnostics{dataset.dataset, {}};
        for (const ArmResult& arm : dataset.arms) {
            Accumulator sums;
            for (int64_t runId : arm.runIds)
                for (int64_t step : store.slateSteps(runId))
                    for (const SlateRecord& slate : store.slates(runId, step)) sums.add(slate);
            if (sums.slates > 0) diagnostics.arms.push_back(sums.result(arm.arm));
        }
        out.push_back(std::move(diagnostics));
    }
    return out;
}

std::string slateDiagnosticsMarkdown(const DatasetSlateDiagnostics& diagnostics) {
    if (diagnostics.arms.empty()) return {};
    std::ostringstream out;
    out << "\n## Per-slate diagnostics: " << diagnostics.dataset << "\n\n"
        << "From the stored slates (every `logging.slates_every_steps` steps), pooled over seeds; "
           "ratios and coefficients as of the last inner epoch that scored each slate. A positive "
           "(A > 0) gets c = min(r, Γ⁺): SAGE's boost adds to GBPO's min(r, 1) only where r > 1. "
           "A negative gets c = min(r, Λ·p̄/(1 − p̄)); \"cap set c\" is the share where that cap, not "
           "r, was the smaller. \"boost-eligible\" is the share of positives with b > 0 under the arm's "
           "`boost_mode`; every arm records it, only SAGE with ε_boost > 0 acts on it.\n\n"
        << "| arm | slates | A > 0 | mean r (A > 0) | r > 1 (A > 0) | c > 1 (A > 0) | "
           "mean c − min(r, 1) (A > 0) | boost-eligible (A > 0) | mean Λ (A < 0) | cap set c (A < 0) | "
           "mean c (A < 0) | mean Ĥ (A > 0) | mean Ĥ (A < 0) |\n"
        << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const ArmSlateDiagnostics& d : diagnostics.arms) {
        out << "| " << escapeCell(d.arm) << " | " << d.slates << " | "
            << percent(d.slates > 0 ? double(d.positives) / double(d.slates) : kNaN) << " | "
            << number(d.positiveRatioMean, "%.4f") << " | " << percent(d.positiveRatioAboveOne) << " | "
            << percent(d.positiveCoefficientAboveOne) << " | " << number(d.boostExtraMean, "%.4f") << " | "
            << percent(d.boostEligible) << " | " << number(d.negativeScaleMean) << " | "
            << percent(d.negativeCapActive) << " | " << number(d.negativeCoefficientMean) << " | "
            << number(d.positiveEntropyMean) << " | " << number(d.negativeEntropyMean) << " |\n";
    }
    // The advantage's composition: its correlation with each reward component.
    std::vector<std::string> components;
    for (const ArmSlateDiagnostics& d : diagnostics.arms)
        for (const auto& [name, value] : d.advantageCorrelation)
            if (std::find(components.begin(), components.end(), name) == components.end())
                components.push_back(name);
    out << "\nWhat the advantages follow: Pearson correlation of A with each reward component of the "
           "slate and with its list entropy Ĥ.\n\n| arm |";
    for (const std::string& name : components) out << " " << name << " |";
    out << " Ĥ |\n|---|";
    for (size_t m = 0; m <= components.size(); ++m) out << "---:|";
    out << '\n';
    for (const ArmSlateDiagnostics& d : diagnostics.arms) {
        out << "| " << escapeCell(d.arm) << " |";
        for (const std::string& name : components) {
            double value = kNaN;
            for (const auto& [component, correlation] : d.advantageCorrelation)
                if (component == name) value = correlation;
            out << " " << number(value, "%+.2f") << " |";
        }
        out << " " << number(d.advantageEntropyCorrelation, "%+.2f") << " |\n";
    }
    return out.str();
}

}  // namespace sage

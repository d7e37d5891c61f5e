#include "training/step_trace.h"

#include <algorithm>
#include <cmath>

#include "objectives/slate_quantities.h"
#include "training/batch_statistics.h"

namespace sage {
namespace {

/// Mean of `values` over the entries where `keep` holds; 0 when none does.
template <typename Keep>
double meanWhere(const std::vector<double>& values, const std::vector<double>& advantages, Keep keep) {
    double sum = 0.0;
    size_t count = 0;
    for (size_t i = 0; i < values.size(); ++i) {
        if (!keep(advantages[i])) continue;
        sum += values[i];
        ++count;
    }
    return count ? sum / static_cast<double>(count) : 0.0;
}

}  // namespace

NamedValues stepMetrics(const StepTrace& t) {
    NamedValues v;
    const double updates = std::max(1, t.updates);
    std::vector<double> sequenceRatios;
    sequenceRatios.reserve(t.sequenceLogRatios.size());
    for (double rho : t.sequenceLogRatios)
        sequenceRatios.push_back(std::exp(std::clamp(rho, -kSequenceLogRatioClamp, kSequenceLogRatioClamp)));
    const auto seq = summarize(sequenceRatios);
    const auto token = summarize(t.tokenRatios);
    v.insert(v.end(), {{"ratio/seq_mean", seq.mean},  {"ratio/seq_std", seq.std},
                       {"ratio/seq_min", seq.min},    {"ratio/seq_max", seq.max},
                       {"ratio/seq_p01", seq.p01},    {"ratio/seq_p50", seq.p50},
                       {"ratio/seq_p99", seq.p99},    {"ratio/token_mean", token.mean},
                       {"ratio/token_max", token.max},
                       {"log_ratio/mean", summarize(t.sequenceLogRatios).mean}});

    const auto positive = [](double a) { return a > 0; };
    const auto negative = [](double a) { return a < 0; };
    v.push_back({"coef/pos_mean", meanWhere(t.coefficients, t.advantages, positive)});
    v.push_back({"coef/neg_mean", meanWhere(t.coefficients, t.advantages, negative)});
    // Every objective reports its bounds (for clip objectives: the clip bounds, see metrics.md).
    const std::vector<double> boosted(t.boostApplied.begin(), t.boostApplied.end());
    v.insert(v.end(), {{"bound/pos_cap_mean", meanWhere(t.posCaps, t.advantages, positive)},
                       {"bound/neg_scale_mean", meanWhere(t.negScales, t.advantages, negative)},
                       {"bound/neg_cap_mean", meanWhere(t.negCaps, t.advantages, negative)},
                       {"bound/pos_active_frac", t.posActive / updates},
                       {"bound/neg_active_frac", t.negActive / updates},
                       {"boost/applied_frac", meanWhere(boosted, t.advantages, positive)}});
    if (t.hasClip) {
        v.insert(v.end(), {{"clip_ratio/low_mean", t.clipLow / updates},
                           {"clip_ratio/high_mean", t.clipHigh / updates},
                           {"clip_ratio/region_mean", t.clipRegion / updates}});
    }
    v.insert(v.end(), {{"approx_kl_old", summarize(t.approxKlOld).mean},
                       {"kl", summarize(t.klReference).mean},
                       {"loss/policy", t.policyLoss / updates},
                       {"loss/kl", t.klLoss / updates},
                       {"loss/sft", t.sftLoss / updates},
                       {"loss/total", t.totalLoss / updates},
                       {"grad_norm", t.gradNorm / updates}});
    return v;
}

}  // namespace sage

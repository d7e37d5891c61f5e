#include "envelope_downsampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sage::ui {

namespace {

constexpr size_t kNone = size_t(-1);

// The bucket loop, compiled once per filter so the per-point test has no runtime switch.
template <bool kDropNonPositive>
void reduce(const std::vector<double>& x, const std::vector<double>& y, size_t begin, size_t end,
            double xLow, double xHigh, int buckets, XYPoints& out) {
    const double width = (xHigh - xLow) / double(buckets);
    const auto xBegin = x.begin();
    size_t i = begin;
    for (int b = 0; b < buckets && i < end; ++b) {
        // The bucket ends at the first point at or past the next edge (the last takes the rest).
        const size_t stop =
            b + 1 == buckets
                ? end
                : size_t(std::lower_bound(xBegin + long(i), xBegin + long(end),
                                          xLow + width * double(b + 1)) -
                         xBegin);
        // NaN fails both comparisons, so it is skipped without a test of its own.
        size_t lo = kNone, hi = kNone;
        double low = std::numeric_limits<double>::infinity(), high = -low;
        for (size_t j = i; j < stop; ++j) {
            const double v = y[j];
            if (kDropNonPositive && !(v > 0.0)) continue;
            if (v < low) {
                low = v;
                lo = j;
            }
            if (v > high) {
                high = v;
                hi = j;
            }
        }
        // A bucket of only +inf (or only -inf) has one of the two.
        if (lo == kNone) lo = hi;
        if (hi == kNone) hi = lo;
        // Both extremes in x order, so the drawn line passes through each; the window's first
        // and last points too, so a live curve ends at its newest value.
        size_t picks[4];
        size_t count = 0;
        if (i == begin) picks[count++] = i;
        if (lo != kNone) {
            picks[count++] = lo;
            picks[count++] = hi;
        }
        if (stop == end) picks[count++] = stop - 1;
        std::sort(picks, picks + count);
        for (size_t k = 0; k < count; ++k) {
            if (k > 0 && picks[k] == picks[k - 1]) continue;
            if (kDropNonPositive && !(y[picks[k]] > 0.0)) continue;
            if (std::isnan(y[picks[k]])) continue;
            out.x.push_back(x[picks[k]]);
            out.y.push_back(y[picks[k]]);
        }
        i = stop;
    }
}

}  // namespace

XYPoints minMaxEnvelope(const std::vector<double>& x, const std::vector<double>& y, double xLow,
                        double xHigh, int buckets, bool dropNonPositive) {
    XYPoints out;
    const size_t n = std::min(x.size(), y.size());
    if (n == 0) return out;
    if (xHigh < xLow) std::swap(xLow, xHigh);
    buckets = std::max(buckets, 1);
    const auto xEnd = x.begin() + long(n);
    const size_t begin = size_t(std::lower_bound(x.begin(), xEnd, xLow) - x.begin());
    const size_t end = size_t(std::upper_bound(x.begin(), xEnd, xHigh) - x.begin());
    const auto keep = [dropNonPositive](double v) { return dropNonPositive ? v > 0.0 : !std::isnan(v); };
    const auto push = [&](size_t i) {
        if (!keep(y[i])) return;
        out.x.push_back(x[i]);
        out.y.push_back(y[i]);
    };
    const bool everyPoint = end - begin <= size_t(buckets) * 2;
    const size_t capacity = (everyPoint ? end - begin : size_t(buckets) * 2 + 2) + 2;
    out.x.reserve(capacity);
    out.y.reserve(capacity);
    // The neighbours outside the window are drawn as they are, so the line reaches the frame.
    if (begin > 0) push(begin - 1);
    if (everyPoint) {
        for (size_t i = begin; i < end; ++i) push(i);
    } else if (dropNonPositive) {
        reduce<true>(x, y, begin, end, xLow, xHigh, buckets, out);
    } else {
        reduce<false>(x, y, begin, end, xLow, xHigh, buckets, out);
    }
    if (end < n) push(end);
    return out;
}

}  // namespace sage::ui

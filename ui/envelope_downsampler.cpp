#include "envelope_downsampler.h"

#include <algorithm>
#include <cmath>

namespace sage::ui {

XYPoints minMaxEnvelope(const std::vector<double>& x, const std::vector<double>& y, double xLow,
                        double xHigh, int buckets) {
    XYPoints out;
    const size_t n = std::min(x.size(), y.size());
    if (n == 0) return out;
    if (xHigh < xLow) std::swap(xLow, xHigh);
    size_t begin = size_t(std::lower_bound(x.begin(), x.begin() + long(n), xLow) - x.begin());
    size_t end = size_t(std::upper_bound(x.begin(), x.begin() + long(n), xHigh) - x.begin());
    // One neighbour outside each edge, so the line reaches the frame when panned.
    if (begin > 0) --begin;
    if (end < n) ++end;
    const size_t count = end - begin;
    buckets = std::max(buckets, 1);
    const auto push = [&out](double px, double py) {
        out.x.push_back(px);
        out.y.push_back(py);
    };
    if (count <= size_t(buckets) * 2) {
        out.x.reserve(count);
        out.y.reserve(count);
        for (size_t i = begin; i < end; ++i)
            if (!std::isnan(y[i])) push(x[i], y[i]);
        return out;
    }
    out.x.reserve(size_t(buckets) * 2 + 2);
    out.y.reserve(size_t(buckets) * 2 + 2);
    const double span = xHigh - xLow;
    size_t i = begin;
    // The outside neighbours are drawn as they are.
    if (x[i] < xLow) {
        if (!std::isnan(y[i])) push(x[i], y[i]);
        ++i;
    }
    size_t stop = end;
    const bool tail = stop > i && x[stop - 1] > xHigh;
    if (tail) --stop;
    constexpr size_t kNone = size_t(-1);
    const auto bucketOf = [&](size_t k) {
        return span > 0 ? std::min(buckets - 1, int((x[k] - xLow) / span * buckets)) : 0;
    };
    while (i < stop) {
        const int bucket = bucketOf(i);
        size_t lo = kNone, hi = kNone;
        size_t j = i;
        for (; j < stop && bucketOf(j) == bucket; ++j) {
            if (std::isnan(y[j])) continue;
            if (lo == kNone || y[j] < y[lo]) lo = j;
            if (hi == kNone || y[j] > y[hi]) hi = j;
        }
        if (lo != kNone) {
            // Both extremes, in x order, so the drawn line passes through each.
            const size_t first = std::min(lo, hi), second = std::max(lo, hi);
            push(x[first], y[first]);
            if (second != first) push(x[second], y[second]);
        }
        i = j;
    }
    if (tail && !std::isnan(y[stop])) push(x[stop], y[stop]);
    return out;
}

}  // namespace sage::ui

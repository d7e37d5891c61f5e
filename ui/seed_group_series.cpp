#include "seed_group_series.h"

#include <algorithm>
#include <limits>
#include <map>

namespace sage::ui {

bool SeedGroupSeries::update(const std::vector<const Series*>& members) {
    std::vector<size_t> sizes;
    for (const Series* s : members) sizes.push_back(s->size());
    if (sizes == memberSizes) return false;
    memberSizes = sizes;
    struct Accumulated {
        size_t count = 0;
        double sum = 0.0, wallSum = 0.0;
        double low = std::numeric_limits<double>::infinity();
        double high = -std::numeric_limits<double>::infinity();
    };
    std::map<double, Accumulated> byStep;
    for (const Series* s : members)
        for (size_t i = 0; i < s->size(); ++i) {
            Accumulated& a = byStep[s->steps[i]];
            ++a.count;
            a.sum += s->values[i];
            a.wallSum += s->wallTimes[i];
            a.low = std::min(a.low, s->values[i]);
            a.high = std::max(a.high, s->values[i]);
        }
    mean = low = high = Series{};
    for (const auto& [step, a] : byStep) {
        if (a.count != members.size()) continue;  // a step some seed has not reached yet
        const double n = double(a.count);
        const double wall = a.wallSum / n;
        for (Series* out : {&mean, &low, &high}) {
            out->steps.push_back(step);
            out->wallTimes.push_back(wall);
            out->lastStep = qint64(step);
        }
        mean.values.push_back(a.sum / n);
        low.values.push_back(a.low);
        high.values.push_back(a.high);
    }
    return true;
}

}  // namespace sage::ui

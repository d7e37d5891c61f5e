#pragma once
#include <vector>

#include "series_cache.h"

namespace sage::ui {

/// One metric of a group of seeds as one curve: at every step that all the runs have logged, the
/// mean of their values, and the lowest and highest value (the band). Wall time is the mean too.
struct SeedGroupSeries {
    Series mean;
    Series low;
    Series high;
    std::vector<size_t> memberSizes;  // what the members held when it was computed

    /// Recomputes from the members if any of them changed size since; false when nothing did.
    bool update(const std::vector<const Series*>& members);
};

}  // namespace sage::ui

#pragma once
#include <torch/types.h>

#include <vector>

#include "model/token_space.h"

namespace sage {

/// The semantic-ID catalogue as one padded table per code level: row p of level l lists the codes
/// that follow the p-th distinct l-code prefix towards some real item, and where each leads. Beam
/// search then scores only real continuations (tens of codes) instead of masking the whole
/// vocabulary, which with an item-level last code is the catalogue again for every beam.
class PrefixChildren {
public:
    struct Level {
        torch::Tensor codes;  // [prefixes, width] int64 codes of this level (padding: 0)
        torch::Tensor valid;  // [prefixes, width] bool: false on padding
        torch::Tensor next;   // [prefixes, width] int64: the child's prefix row at level + 1, or
                              // the item at the last level (padding: 0)
    };

    /// space must be a semantic-ID space; level 0 has one prefix, the empty one (row 0).
    explicit PrefixChildren(const TokenSpace& space);

    int levels() const { return static_cast<int>(m_levels.size()); }
    const Level& level(int l) const { return m_levels.at(l); }
    void moveTo(c10::Device device);

private:
    std::vector<Level> m_levels;
};

}  // namespace sage

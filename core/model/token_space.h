#pragma once
#include <cstdint>
#include <vector>

namespace sage {

/// How items become tokens (ENVIRONMENTS.md 1). `item_id`: one token per item. `semantic_id`: an
/// item is its tuple of codes, one token per level, each level with its own codebook. Token ids are
/// laid out level after level, then one begin-of-sequence token.
class TokenSpace {
public:
    /// One level of `items` codes: the item-ID action space.
    static TokenSpace itemIds(int64_t items);
    /// codes[item][level] in [0, levelSizes[level]).
    static TokenSpace semanticIds(std::vector<std::vector<int32_t>> codes,
                                  std::vector<int64_t> levelSizes);

    int64_t items() const { return m_items; }
    int levels() const { return static_cast<int>(m_levelSizes.size()); }
    int64_t levelSize(int level) const { return m_levelSizes[level]; }
    int64_t levelOffset(int level) const { return m_offsets[level]; }
    int64_t vocabulary() const { return m_offsets.back() + 1; }  // + BOS
    int64_t beginToken() const { return m_offsets.back(); }
    bool isItemIds() const { return m_codes.empty(); }

    /// The tokens of an item, levels() of them.
    void appendTokens(int64_t item, std::vector<int64_t>& out) const;
    /// The code of an item at a level (item_id: the item itself).
    int64_t code(int64_t item, int level) const;
    /// The token id of a code at a level.
    int64_t token(int level, int64_t code) const { return m_offsets[level] + code; }

private:
    int64_t m_items = 0;
    std::vector<int64_t> m_levelSizes;
    std::vector<int64_t> m_offsets;  // levels() + 1 entries: the last is the BOS token id
    std::vector<std::vector<int32_t>> m_codes;
};

}  // namespace sage

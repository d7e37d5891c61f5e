#include "model/token_space.h"

#include <stdexcept>

namespace sage {
namespace {

std::vector<int64_t> offsetsOf(const std::vector<int64_t>& sizes) {
    std::vector<int64_t> offsets{0};
    for (int64_t size : sizes) offsets.push_back(offsets.back() + size);
    return offsets;
}

}  // namespace

TokenSpace TokenSpace::itemIds(int64_t items) {
    TokenSpace space;
    space.m_items = items;
    space.m_levelSizes = {items};
    space.m_offsets = offsetsOf(space.m_levelSizes);
    return space;
}

TokenSpace TokenSpace::semanticIds(std::vector<std::vector<int32_t>> codes,
                                   std::vector<int64_t> levelSizes) {
    for (size_t item = 0; item < codes.size(); ++item) {
        if (codes[item].size() != levelSizes.size())
            throw std::invalid_argument("semantic ID of item " + std::to_string(item) + " has " +
                                        std::to_string(codes[item].size()) + " levels, expected " +
                                        std::to_string(levelSizes.size()));
        for (size_t level = 0; level < levelSizes.size(); ++level)
            if (codes[item][level] < 0 || codes[item][level] >= levelSizes[level])
                throw std::invalid_argument("semantic ID code out of its codebook at item " +
                                            std::to_string(item));
    }
    TokenSpace space;
    space.m_items = static_cast<int64_t>(codes.size());
    space.m_levelSizes = std::move(levelSizes);
    space.m_offsets = offsetsOf(space.m_levelSizes);
    space.m_codes = std::move(codes);
    return space;
}

int64_t TokenSpace::code(int64_t item, int level) const {
    return isItemIds() ? item : m_codes[item][level];
}

void TokenSpace::appendTokens(int64_t item, std::vector<int64_t>& out) const {
    for (int level = 0; level < levels(); ++level) out.push_back(token(level, code(item, level)));
}

}  // namespace sage

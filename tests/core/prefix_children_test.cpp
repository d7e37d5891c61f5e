#include <gtest/gtest.h>

#include <set>

#include "model/prefix_children.h"

namespace sage {
namespace {

// 7 items, 3 levels; first codes 0 and 2 (no item starts with 1), second codes shared across them.
TokenSpace threeLevelSpace() {
    return TokenSpace::semanticIds({{2, 0, 1}, {0, 1, 0}, {0, 1, 2}, {2, 0, 0}, {0, 3, 0}, {2, 1, 0}, {0, 1, 1}},
                                   {3, 4, 3});
}

// Walks from the root along an item's codes; returns what the last level leads to.
int64_t follow(const PrefixChildren& table, const TokenSpace& space, int64_t item) {
    int64_t row = 0;
    for (int l = 0; l < table.levels(); ++l) {
        const auto& level = table.level(l);
        int64_t found = -1;
        for (int64_t j = 0; j < level.codes.size(1); ++j)
            if (level.valid[row][j].item<bool>() && level.codes[row][j].item<int64_t>() == space.code(item, l))
                found = level.next[row][j].item<int64_t>();
        if (found < 0) return -1;
        row = found;
    }
    return row;
}

TEST(PrefixChildren, EveryPathLeadsToItsItemAndNothingElseIsAllowed) {
    const auto space = threeLevelSpace();
    const PrefixChildren table(space);
    ASSERT_EQ(table.levels(), 3);
    for (int64_t item = 0; item < space.items(); ++item) EXPECT_EQ(follow(table, space, item), item);
    // Level 0: the root row, codes 0 and 2 only, ascending.
    const auto& root = table.level(0);
    ASSERT_EQ(root.codes.size(0), 1);
    EXPECT_EQ(root.valid.sum().item<int64_t>(), 2);
    EXPECT_EQ(root.codes[0][0].item<int64_t>(), 0);
    EXPECT_EQ(root.codes[0][1].item<int64_t>(), 2);
    // Level 1: prefixes (2) and (0); level 2: (2,0), (0,1), (0,3), (2,1); the valid entries of the
    // last level are exactly the catalogue, each item once.
    EXPECT_EQ(table.level(1).codes.size(0), 2);
    EXPECT_EQ(table.level(2).codes.size(0), 4);
    EXPECT_EQ(table.level(2).codes.size(1), 3);  // (0,1) has three children
    std::multiset<int64_t> items;
    const auto& last = table.level(2);
    for (int64_t r = 0; r < last.codes.size(0); ++r)
        for (int64_t j = 0; j < last.codes.size(1); ++j)
            if (last.valid[r][j].item<bool>()) items.insert(last.next[r][j].item<int64_t>());
    EXPECT_EQ(items, (std::multiset<int64_t>{0, 1, 2, 3, 4, 5, 6}));
}

TEST(PrefixChildren, RefusesAnItemIdSpace) {
    EXPECT_THROW(PrefixChildren(TokenSpace::itemIds(5)), std::invalid_argument);
}

}  // namespace
}  // namespace sage

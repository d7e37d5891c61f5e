#include "semantic_id/prefix_trie.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <map>

namespace sage {
namespace {

// Every complete path the trie admits, found by walking allowedNext from the root.
std::map<std::vector<int32_t>, int64_t> enumeratePaths(const PrefixTrie& trie) {
    std::map<std::vector<int32_t>, int64_t> paths;
    std::vector<int32_t> prefix;
    std::function<void(int)> walk = [&](int node) {
        if (trie.level(node) == trie.depth()) {
            EXPECT_TRUE(trie.allowedNext(node).empty());
            EXPECT_TRUE(paths.emplace(prefix, trie.item(node)).second);
            return;
        }
        EXPECT_EQ(trie.item(node), -1);
        EXPECT_FALSE(trie.allowedNext(node).empty()) << "dead end at level " << trie.level(node);
        for (int32_t code : trie.allowedNext(node)) {
            prefix.push_back(code);
            walk(trie.child(node, code));
            prefix.pop_back();
        }
    };
    walk(PrefixTrie::kRoot);
    return paths;
}

const std::vector<std::vector<int32_t>> kCodes{{0, 1, 0}, {0, 1, 1}, {0, 2, 0}, {1, 0, 0}};

TEST(PrefixTrie, AllowsExactlyTheCatalogue) {
    const PrefixTrie trie(kCodes, {2, 3, 2});
    EXPECT_EQ(trie.depth(), 3);
    EXPECT_EQ(trie.itemCount(), 4);
    EXPECT_EQ(trie.nodeCount(), 1 + 2 + 3 + 4);
    EXPECT_EQ(trie.allowedNext(PrefixTrie::kRoot), (std::vector<int32_t>{0, 1}));
    const int zero = trie.find({0});
    EXPECT_EQ(trie.allowedNext(zero), (std::vector<int32_t>{1, 2}));
    EXPECT_EQ(trie.allowedNext(trie.find({0, 1})), (std::vector<int32_t>{0, 1}));
    EXPECT_EQ(trie.allowedNext(trie.find({1, 0})), (std::vector<int32_t>{0}));
    EXPECT_EQ(trie.child(zero, 0), PrefixTrie::kNone);
    EXPECT_EQ(trie.find({1, 1}), PrefixTrie::kNone);
    EXPECT_EQ(trie.itemOf({0, 2, 0}), 2);
    EXPECT_EQ(trie.itemOf({0, 2, 1}), -1);
    EXPECT_EQ(trie.itemOf({0, 2}), -1);  // a prefix is not an item

    const auto paths = enumeratePaths(trie);
    ASSERT_EQ(paths.size(), kCodes.size());
    for (size_t j = 0; j < kCodes.size(); ++j) EXPECT_EQ(paths.at(kCodes[j]), int64_t(j));
}

TEST(PrefixTrie, MasksForOneNodeAndForABeam) {
    const PrefixTrie trie(kCodes, {2, 3, 2});
    EXPECT_TRUE(torch::equal(trie.allowedMask(0, PrefixTrie::kRoot), torch::tensor({true, true})));
    const int zero = trie.find({0});
    EXPECT_TRUE(torch::equal(trie.allowedMask(1, zero), torch::tensor({false, true, true})));
    EXPECT_THROW(trie.allowedMask(0, zero), std::invalid_argument);  // node is at level 1
    EXPECT_THROW(trie.allowedMask(3, zero), std::invalid_argument);

    const int one = trie.find({1});
    const torch::Tensor masks =
        trie.allowedMasks(1, torch::tensor({int64_t(zero), int64_t(one), int64_t(-1)}));
    EXPECT_TRUE(torch::equal(
        masks,
        torch::tensor({false, true, true, true, false, false, false, false, false}).view({3, 3})));
    const torch::Tensor next =
        trie.advance(torch::tensor({int64_t(zero), int64_t(one), int64_t(-1)}),
                     torch::tensor({int64_t(2), int64_t(2), int64_t(0)}));
    EXPECT_EQ(next[0].item<int64_t>(), trie.find({0, 2}));
    EXPECT_EQ(next[1].item<int64_t>(), PrefixTrie::kNone);
    EXPECT_EQ(next[2].item<int64_t>(), PrefixTrie::kNone);
}

TEST(PrefixTrie, RejectsDuplicateRaggedOrOutOfRangeCodes) {
    EXPECT_THROW(PrefixTrie({{0, 1}, {0, 1}}, {2, 2}), std::invalid_argument);
    EXPECT_THROW(PrefixTrie({{0, 1}, {0}}, {2, 2}), std::invalid_argument);
    EXPECT_THROW(PrefixTrie({{0, 2}}, {2, 2}), std::invalid_argument);
    EXPECT_THROW(PrefixTrie({{0, -1}}, {2, 2}), std::invalid_argument);
}

TEST(PrefixTrie, AdmitsExactlyTheCatalogueOfRqKMeansCodes) {
    torch::manual_seed(4);
    RqKMeansOptions options;
    options.levels = 3;
    options.codebookSize = 6;
    const SemanticIds ids = rqKMeans(torch::randn({700, 10}), options);
    const PrefixTrie trie(ids);
    EXPECT_EQ(trie.depth(), 4);
    for (int64_t j = 0; j < ids.itemCount(); ++j) {
        int node = PrefixTrie::kRoot;
        for (int l = 0; l < trie.depth(); ++l) {
            ASSERT_TRUE(trie.allowedMask(l, node)[ids.codes[j][l]].item<bool>());
            node = trie.child(node, ids.codes[j][l]);
        }
        EXPECT_EQ(trie.item(node), j);
    }
    const auto paths = enumeratePaths(trie);
    ASSERT_EQ(paths.size(), 700u);
    for (int64_t j = 0; j < ids.itemCount(); ++j) EXPECT_EQ(paths.at(ids.codes[j]), j);
}

}  // namespace
}  // namespace sage

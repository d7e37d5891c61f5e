#include "model/prefix_children.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>

#include "semantic_id/prefix_trie.h"

namespace sage {

PrefixChildren::PrefixChildren(const TokenSpace& space) {
    if (space.isItemIds()) throw std::invalid_argument("PrefixChildren: an item-ID space has no code levels");
    // The constrained-decoding trie already holds every prefix's sorted child codes; this lays
    // them out as one padded tensor per level, the trie's nodes renumbered row by row.
    std::vector<std::vector<int32_t>> codes(space.items(), std::vector<int32_t>(space.levels()));
    std::vector<int> sizes;
    for (int l = 0; l < space.levels(); ++l) sizes.push_back(static_cast<int>(space.levelSize(l)));
    for (int64_t item = 0; item < space.items(); ++item)
        for (int l = 0; l < space.levels(); ++l) codes[item][l] = static_cast<int32_t>(space.code(item, l));
    const PrefixTrie trie(codes, sizes);
    std::vector<std::vector<int>> nodesAt(space.levels() + 1);
    std::vector<int64_t> rowOf(trie.nodeCount());
    for (int node = 0; node < trie.nodeCount(); ++node) {
        auto& level = nodesAt[trie.level(node)];
        rowOf[node] = static_cast<int64_t>(level.size());
        level.push_back(node);
    }
    for (int l = 0; l < space.levels(); ++l) {
        const auto rows = static_cast<int64_t>(nodesAt[l].size());
        size_t width = 1;
        for (int node : nodesAt[l]) width = std::max(width, trie.allowedNext(node).size());
        Level out;
        out.codes = torch::zeros({rows, static_cast<int64_t>(width)}, torch::kLong);
        out.valid = torch::zeros({rows, static_cast<int64_t>(width)}, torch::kBool);
        out.next = torch::zeros({rows, static_cast<int64_t>(width)}, torch::kLong);
        auto codeAt = out.codes.accessor<int64_t, 2>();
        auto validAt = out.valid.accessor<bool, 2>();
        auto nextAt = out.next.accessor<int64_t, 2>();
        for (int64_t r = 0; r < rows; ++r) {
            const auto& children = trie.allowedNext(nodesAt[l][r]);
            for (size_t j = 0; j < children.size(); ++j) {
                const int child = trie.child(nodesAt[l][r], children[j]);
                codeAt[r][j] = children[j];
                validAt[r][j] = true;
                nextAt[r][j] = l + 1 < space.levels() ? rowOf[child] : trie.item(child);
            }
        }
        m_levels.push_back(std::move(out));
    }
}

void PrefixChildren::moveTo(c10::Device device) {
    for (auto& l : m_levels) {
        l.codes = l.codes.to(device);
        l.valid = l.valid.to(device);
        l.next = l.next.to(device);
    }
}

}  // namespace sage

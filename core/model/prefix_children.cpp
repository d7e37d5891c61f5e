#include "model/prefix_children.h"

#include <map>
#include <stdexcept>

namespace sage {

PrefixChildren::PrefixChildren(const TokenSpace& space) {
    if (space.isItemIds()) throw std::invalid_argument("PrefixChildren: an item-ID space has no code levels");
    const int levels = space.levels();
    // Rows of the prefixes of each length, numbered in order of first appearance.
    std::vector<std::map<std::vector<int64_t>, int64_t>> rowOf(levels);
    rowOf[0][{}] = 0;
    // children[l][row]: code → the child's row at level l + 1 (or the item at the last level).
    std::vector<std::vector<std::map<int64_t, int64_t>>> children(levels);
    children[0].resize(1);
    for (int64_t item = 0; item < space.items(); ++item) {
        std::vector<int64_t> prefix;
        int64_t row = 0;
        for (int l = 0; l < levels; ++l) {
            const int64_t code = space.code(item, l);
            prefix.push_back(code);
            int64_t next = item;
            if (l + 1 < levels) {
                auto [it, added] = rowOf[l + 1].emplace(prefix, static_cast<int64_t>(rowOf[l + 1].size()));
                if (added) children[l + 1].emplace_back();
                next = it->second;
            }
            children[l][row].emplace(code, next);
            row = next;
        }
    }
    for (int l = 0; l < levels; ++l) {
        const auto rows = static_cast<int64_t>(children[l].size());
        size_t width = 1;
        for (const auto& c : children[l]) width = std::max(width, c.size());
        Level out;
        out.codes = torch::zeros({rows, static_cast<int64_t>(width)}, torch::kLong);
        out.valid = torch::zeros({rows, static_cast<int64_t>(width)}, torch::kBool);
        out.next = torch::zeros({rows, static_cast<int64_t>(width)}, torch::kLong);
        auto codes = out.codes.accessor<int64_t, 2>();
        auto valid = out.valid.accessor<bool, 2>();
        auto next = out.next.accessor<int64_t, 2>();
        for (int64_t r = 0; r < rows; ++r) {
            int64_t j = 0;
            for (const auto& [code, child] : children[l][r]) {
                codes[r][j] = code;
                valid[r][j] = true;
                next[r][j] = child;
                ++j;
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

#include "semantic_id/prefix_trie.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sage {

PrefixTrie::PrefixTrie(const SemanticIds& ids) : PrefixTrie(ids.codes, ids.codebookSizes) {}

PrefixTrie::PrefixTrie(const std::vector<std::vector<int32_t>>& codes,
                       std::vector<int> codebookSizes)
    : m_depth(static_cast<int>(codebookSizes.size())),
      m_itemCount(static_cast<int64_t>(codes.size())),
      m_codebookSizes(std::move(codebookSizes)) {
    if (m_depth == 0) throw std::invalid_argument("PrefixTrie: no code levels");
    addNode(0);
    for (int64_t j = 0; j < m_itemCount; ++j) {
        if (static_cast<int>(codes[j].size()) != m_depth)
            throw std::invalid_argument("PrefixTrie: item " + std::to_string(j) + " has " +
                                        std::to_string(codes[j].size()) + " codes, expected " +
                                        std::to_string(m_depth));
        int node = kRoot;
        for (int l = 0; l < m_depth; ++l) {
            const int32_t code = codes[j][l];
            if (code < 0 || code >= m_codebookSizes[l])
                throw std::invalid_argument("PrefixTrie: item " + std::to_string(j) + " has code " +
                                            std::to_string(code) + " at level " +
                                            std::to_string(l) + ", outside [0, " +
                                            std::to_string(m_codebookSizes[l]) + ")");
            auto& childCodes = m_childCodes[node];
            const auto at = std::lower_bound(childCodes.begin(), childCodes.end(), code);
            const auto index = at - childCodes.begin();
            if (at != childCodes.end() && *at == code) {
                node = m_childNodes[node][index];
                continue;
            }
            const int next = addNode(l + 1);  // may reallocate: index again afterwards
            m_childCodes[node].insert(m_childCodes[node].begin() + index, code);
            m_childNodes[node].insert(m_childNodes[node].begin() + index, next);
            node = next;
        }
        if (m_item[node] != -1)
            throw std::invalid_argument("PrefixTrie: items " + std::to_string(m_item[node]) +
                                        " and " + std::to_string(j) + " have the same codes");
        m_item[node] = j;
    }
}

int PrefixTrie::addNode(int level) {
    m_level.push_back(level);
    m_childCodes.emplace_back();
    m_childNodes.emplace_back();
    m_item.push_back(-1);
    return static_cast<int>(m_level.size()) - 1;
}

int PrefixTrie::child(int node, int32_t code) const {
    if (node < 0 || node >= nodeCount()) return kNone;
    const auto& childCodes = m_childCodes[node];
    const auto at = std::lower_bound(childCodes.begin(), childCodes.end(), code);
    if (at == childCodes.end() || *at != code) return kNone;
    return m_childNodes[node][at - childCodes.begin()];
}

int PrefixTrie::find(const std::vector<int32_t>& prefix) const {
    int node = kRoot;
    for (int32_t code : prefix) {
        node = child(node, code);
        if (node == kNone) return kNone;
    }
    return node;
}

int64_t PrefixTrie::itemOf(const std::vector<int32_t>& path) const {
    const int node = find(path);
    return node == kNone ? -1 : m_item[node];
}

at::Tensor PrefixTrie::allowedMask(int level, int prefixId) const {
    if (level < 0 || level >= m_depth)
        throw std::invalid_argument("PrefixTrie::allowedMask: level " + std::to_string(level) +
                                    " outside [0, " + std::to_string(m_depth) + ")");
    if (prefixId < 0 || prefixId >= nodeCount() || m_level[prefixId] != level)
        throw std::invalid_argument("PrefixTrie::allowedMask: node " + std::to_string(prefixId) +
                                    " is not a prefix at level " + std::to_string(level));
    torch::Tensor mask = torch::zeros({m_codebookSizes[level]}, torch::kBool);
    bool* data = mask.data_ptr<bool>();
    for (int32_t code : m_childCodes[prefixId]) data[code] = true;
    return mask;
}

at::Tensor PrefixTrie::allowedMasks(int level, const at::Tensor& prefixIds) const {
    if (level < 0 || level >= m_depth)
        throw std::invalid_argument("PrefixTrie::allowedMasks: level " + std::to_string(level) +
                                    " outside [0, " + std::to_string(m_depth) + ")");
    const torch::Tensor ids = prefixIds.to(torch::kInt64).contiguous();
    const int64_t batch = ids.numel();
    const int64_t width = m_codebookSizes[level];
    torch::Tensor masks = torch::zeros({batch, width}, torch::kBool);
    bool* data = masks.data_ptr<bool>();
    const int64_t* node = ids.data_ptr<int64_t>();
    for (int64_t b = 0; b < batch; ++b) {
        if (node[b] == kNone) continue;
        if (node[b] < 0 || node[b] >= nodeCount() || m_level[node[b]] != level)
            throw std::invalid_argument("PrefixTrie::allowedMasks: node " +
                                        std::to_string(node[b]) + " is not a prefix at level " +
                                        std::to_string(level));
        for (int32_t code : m_childCodes[node[b]]) data[b * width + code] = true;
    }
    return masks;
}

at::Tensor PrefixTrie::advance(const at::Tensor& prefixIds, const at::Tensor& codes) const {
    const torch::Tensor ids = prefixIds.to(torch::kInt64).contiguous();
    const torch::Tensor next = codes.to(torch::kInt64).contiguous();
    if (ids.numel() != next.numel())
        throw std::invalid_argument("PrefixTrie::advance: node ids and codes differ in size");
    torch::Tensor out = torch::empty_like(ids);
    const int64_t* node = ids.data_ptr<int64_t>();
    const int64_t* code = next.data_ptr<int64_t>();
    int64_t* result = out.data_ptr<int64_t>();
    for (int64_t b = 0; b < ids.numel(); ++b)
        result[b] = node[b] == kNone
                        ? kNone
                        : child(static_cast<int>(node[b]), static_cast<int32_t>(code[b]));
    return out;
}

}  // namespace sage

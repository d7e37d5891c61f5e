#pragma once
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

#include "semantic_id/rq_kmeans.h"

namespace sage {

/// The constrained-decoding trie over items' semantic IDs (ENVIRONMENTS.md section 1): it admits
/// exactly the catalogue. Nodes are prefixes, numbered from the root (kRoot, the empty prefix);
/// a node at level l (l codes long) allows the codes of level l that lead to some real item, and a
/// node at level depth() is one item.
class PrefixTrie {
public:
    static constexpr int kRoot = 0;
    static constexpr int kNone = -1;

    /// codes: per item, the same number of codes; each code in [0, codebookSizes[level]).
    /// Throws std::invalid_argument on ragged or out-of-range codes or two items with one path.
    PrefixTrie(const std::vector<std::vector<int32_t>>& codes, std::vector<int> codebookSizes);
    explicit PrefixTrie(const SemanticIds& ids);

    int depth() const { return m_depth; }
    int64_t itemCount() const { return m_itemCount; }
    int nodeCount() const { return static_cast<int>(m_level.size()); }
    const std::vector<int>& codebookSizes() const { return m_codebookSizes; }
    /// How many codes lead to the node (0 for the root).
    int level(int node) const { return m_level.at(node); }

    /// The codes allowed after this prefix, ascending (empty at a complete path).
    const std::vector<int32_t>& allowedNext(int node) const { return m_childCodes.at(node); }
    /// The node one code further down, or kNone where that code leads to no item.
    int child(int node, int32_t code) const;
    /// The node of a prefix, or kNone.
    int find(const std::vector<int32_t>& prefix) const;
    /// The item at a complete path, or -1 for an inner node.
    int64_t item(int node) const { return m_item.at(node); }
    /// The item whose full code path this is, or -1.
    int64_t itemOf(const std::vector<int32_t>& path) const;

    /// Bool [codebookSizes[level]]: true for the codes allowed after the prefix node, which must
    /// be at `level` (std::invalid_argument otherwise).
    at::Tensor allowedMask(int level, int prefixId) const;
    /// Bool [B, codebookSizes[level]] for int64 node ids [B] (a beam); kNone rows allow nothing.
    at::Tensor allowedMasks(int level, const at::Tensor& prefixIds) const;
    /// Node ids one code further for int64 node ids [B] and codes [B]; kNone where not allowed.
    at::Tensor advance(const at::Tensor& prefixIds, const at::Tensor& codes) const;

private:
    int addNode(int level);

    int m_depth = 0;
    int64_t m_itemCount = 0;
    std::vector<int> m_codebookSizes;
    std::vector<int> m_level;
    std::vector<std::vector<int32_t>> m_childCodes;  // sorted
    std::vector<std::vector<int>> m_childNodes;      // parallel to m_childCodes
    std::vector<int64_t> m_item;
};

}  // namespace sage

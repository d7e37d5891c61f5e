#pragma once
#include <ATen/core/Tensor.h>

#include "data/amazon_data.h"
#include "training/slate_environment.h"

namespace sage {

/// The offline Amazon environment of ENVIRONMENTS.md section 2: a context is a training user cut at
/// a random point, and the user's real next F items score the slate. Validation and test targets
/// are never used for rewards.
class AmazonEnvironment final : public SlateEnvironment {
public:
    /// `itemEmbeddings` [N, d] (row-normalised) serve the relevance reward; `categories` holds one
    /// key per item for Ĥ (the first attribute, else the first semantic code).
    AmazonEnvironment(const AmazonData& data, at::Tensor itemEmbeddings,
                      std::vector<int64_t> categories, int futureItems);

    int64_t itemCount() const override { return m_data.dataset.itemCount; }
    const std::vector<std::string>& components() const override;
    const std::vector<bool>& itemAttributable() const override;
    std::vector<double> weights(const RunConfig::Rewards& rewards) const override;
    std::vector<SlateContext> drawContexts(int count, std::mt19937_64& rng) const override;
    SlateResponse respond(const SlateContext& context, const std::vector<int64_t>& slate,
                          std::mt19937_64& rng) const override;
    double listEntropy(const std::vector<int64_t>& slate) const override;

    /// One key per item for Ĥ: its first attribute where it has one, else `fallback[item]`.
    static std::vector<int64_t> categoryKeys(const SequenceDataset& dataset,
                                             const std::vector<int64_t>& fallback);

private:
    const AmazonData& m_data;
    at::Tensor m_embeddings;  // float32 [N, d], unit rows
    std::vector<int64_t> m_categories;
    int64_t m_categoryCount = 1;
    int m_futureItems;
    std::vector<int64_t> m_trainableUsers;  // users with at least two training items
};

}  // namespace sage

#pragma once
#include <ATen/core/Tensor.h>

#include <string>

#include "config/run_config.h"
#include "data/amazon_data.h"
#include "model/token_space.h"
#include "semantic_id/item_embeddings.h"

namespace sage {

/// Item-embedding options seeded by the run.
ItemEmbeddingOptions embeddingOptions(const RunConfig& config);

/// The action space the configuration names on Amazon data: one token per item, or RQ-KMeans
/// semantic IDs over `itemEmbeddings` (counted on the training split only, ENVIRONMENTS.md 1).
/// `description` receives a line for the run's event log (codebook utilisation, collisions).
TokenSpace amazonTokenSpace(const RunConfig& config, const AmazonData& data,
                            const at::Tensor& itemEmbeddings, std::string& description);

}  // namespace sage

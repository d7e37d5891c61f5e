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
/// The last level is TIGER's collision index, or with environment.collision_level = item the
/// item's own token (that level then has one code per item).
/// RL from an SFT checkpoint reads the codes saved beside it (semanticIdsPath) instead of running
/// RQ-KMeans again: its result can depend on the thread count, and a model is only meaningful with
/// the codes it was trained on. Checkpoints from before codes were saved fall back to recomputing.
/// `description` receives a line for the run's event log (codebook utilisation, collisions).
TokenSpace amazonTokenSpace(const RunConfig& config, const AmazonData& data,
                            const at::Tensor& itemEmbeddings, std::string& description);

/// Where a checkpoint's semantic IDs live beside its model file:
/// dir/sft_best_model.pt -> dir/sft_best_semantic_ids.pt.
std::string semanticIdsPath(const std::string& modelPath);
/// Writes the codes and codebook sizes of a semantic-ID action space.
void saveSemanticIds(const TokenSpace& space, const std::string& path);
/// Reads codes written by saveSemanticIds for a catalogue of `items` items. Throws
/// std::runtime_error naming the file and what is wrong with it.
TokenSpace loadSemanticIds(const std::string& path, int64_t items);

}  // namespace sage

#include "training/action_space.h"

#include "semantic_id/rq_kmeans.h"

namespace sage {

ItemEmbeddingOptions embeddingOptions(const RunConfig& config) {
    ItemEmbeddingOptions options;
    options.seed = static_cast<uint64_t>(config.training.seed);
    return options;
}

TokenSpace amazonTokenSpace(const RunConfig& config, const AmazonData& data,
                            const at::Tensor& itemEmbeddings, std::string& description) {
    if (config.environment.actionSpace != "semantic_id") {
        description = "item_id action space (" + std::to_string(data.dataset.itemCount) + " tokens)";
        return TokenSpace::itemIds(data.dataset.itemCount);
    }
    RqKMeansOptions options;
    options.seed = static_cast<uint64_t>(config.training.seed);
    const auto ids = rqKMeans(itemEmbeddings, options);
    std::vector<int64_t> sizes(ids.codebookSizes.begin(), ids.codebookSizes.end());
    description = "semantic_id action space: " + std::to_string(ids.levels) + " levels of " +
                  std::to_string(options.codebookSize) + " codes + a collision level of " +
                  std::to_string(sizes.back()) + "; utilisation";
    for (double u : ids.utilisation) description += " " + std::to_string(u).substr(0, 5);
    description += ", collision rate " + std::to_string(ids.collisionRate).substr(0, 6);
    return TokenSpace::semanticIds(ids.codes, sizes);
}

}  // namespace sage

#include "training/action_space.h"

#include <torch/serialize.h>
#include <torch/torch.h>

#include <filesystem>
#include <stdexcept>

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
    if (config.training.stage == "rl" && !config.training.initCheckpoint.empty()) {
        const auto saved = semanticIdsPath(config.training.initCheckpoint);
        if (std::filesystem::exists(saved)) {
            auto space = loadSemanticIds(saved, data.dataset.itemCount);
            description = "semantic_id action space: the SFT checkpoint's codes from " + saved + " (" +
                          std::to_string(space.levels()) + " levels, the last of " +
                          std::to_string(space.levelSize(space.levels() - 1)) + " codes)";
            return space;
        }
        description = "no " + saved + " beside the SFT checkpoint (saved before codes were kept): "
                      "semantic IDs recomputed from the seed, which reproduces the SFT codes only with "
                      "the same thread count; ";
    }
    RqKMeansOptions options;
    options.seed = static_cast<uint64_t>(config.training.seed);
    options.levels = config.environment.codeLevels;
    options.codebookSize = config.environment.codebookSize;
    auto ids = rqKMeans(itemEmbeddings, options);
    std::vector<int64_t> sizes(ids.codebookSizes.begin(), ids.codebookSizes.end());
    description += "semantic_id action space: " + std::to_string(ids.levels) + " levels of " +
                  std::to_string(options.codebookSize) + " codes";
    if (config.environment.collisionLevel == "item") {
        // The item itself still tells colliding items apart, and it gives every history item an
        // input embedding of its own instead of only the shared codes.
        for (int64_t item = 0; item < ids.itemCount(); ++item)
            ids.codes[item].back() = static_cast<int32_t>(item);
        description += " + an item level of " + std::to_string(ids.itemCount()) +
                       " tokens (in place of a collision level of " +
                       std::to_string(sizes.back()) + ")";
        sizes.back() = ids.itemCount();
    } else {
        description += " + a collision level of " + std::to_string(sizes.back());
    }
    description += "; utilisation";
    for (double u : ids.utilisation) description += " " + std::to_string(u).substr(0, 5);
    description += ", collision rate " + std::to_string(ids.collisionRate).substr(0, 6);
    return TokenSpace::semanticIds(std::move(ids.codes), std::move(sizes));
}

std::string semanticIdsPath(const std::string& modelPath) {
    std::filesystem::path path(modelPath);
    std::string stem = path.extension() == ".pt" ? path.stem().string() : path.filename().string();
    const std::string model = "_model";
    if (stem.size() >= model.size() && stem.compare(stem.size() - model.size(), model.size(), model) == 0)
        stem.resize(stem.size() - model.size());
    return (path.parent_path() / (stem + "_semantic_ids.pt")).string();
}

void saveSemanticIds(const TokenSpace& space, const std::string& path) {
    if (space.isItemIds()) throw std::invalid_argument("saveSemanticIds: an item_id space has no codes");
    auto codes = torch::empty({space.items(), space.levels()}, torch::kInt32);
    auto access = codes.accessor<int32_t, 2>();
    for (int64_t item = 0; item < space.items(); ++item)
        for (int level = 0; level < space.levels(); ++level)
            access[item][level] = static_cast<int32_t>(space.code(item, level));
    auto sizes = torch::empty({space.levels()}, torch::kLong);
    for (int level = 0; level < space.levels(); ++level) sizes[level] = space.levelSize(level);
    torch::save(std::vector<torch::Tensor>{codes, sizes}, path);
}

TokenSpace loadSemanticIds(const std::string& path, int64_t items) {
    const auto fail = [&](const std::string& what) {
        return std::runtime_error("cannot read the semantic IDs in '" + path + "': " + what +
                                  " (it must be the *_semantic_ids.pt an SFT run wrote beside its "
                                  "model, on the same data)");
    };
    std::vector<torch::Tensor> tensors;
    try {
        torch::load(tensors, path);
    } catch (const std::exception& error) {
        throw fail(error.what());
    }
    if (tensors.size() != 2) throw fail("expected 2 tensors (codes, codebook sizes), found " + std::to_string(tensors.size()));
    const auto codes = tensors[0].to(torch::kInt32).contiguous();
    const auto sizes = tensors[1].to(torch::kLong).contiguous();
    if (codes.dim() != 2 || sizes.dim() != 1 || codes.size(1) != sizes.size(0) || sizes.size(0) == 0)
        throw fail("codes must be [items, levels] and sizes [levels]");
    if (codes.size(0) != items)
        throw fail("it holds codes for " + std::to_string(codes.size(0)) + " items, the data has " +
                   std::to_string(items));
    std::vector<std::vector<int32_t>> rows(items);
    const int32_t* data = codes.data_ptr<int32_t>();
    for (int64_t item = 0; item < items; ++item)
        rows[item].assign(data + item * codes.size(1), data + (item + 1) * codes.size(1));
    std::vector<int64_t> levelSizes(sizes.data_ptr<int64_t>(), sizes.data_ptr<int64_t>() + sizes.numel());
    try {
        return TokenSpace::semanticIds(std::move(rows), std::move(levelSizes));
    } catch (const std::invalid_argument& error) {
        throw fail(error.what());
    }
}

}  // namespace sage

#include "data/amazon_data.h"

#include <filesystem>

namespace sage {

std::string attributesPathFor(const RunConfig::Environment& env) {
    if (!env.attributesPath.empty()) return env.attributesPath;
    // S3-Rec ships <name>.txt with <name>_item2attributes.json beside it.
    const std::filesystem::path data(env.dataPath);
    const auto sibling = data.parent_path() / (data.stem().string() + "_item2attributes.json");
    return std::filesystem::exists(sibling) ? sibling.string() : std::string();
}

AmazonData::AmazonData(const RunConfig::Environment& env)
    : dataset(loadS3RecDataset(env.dataPath, attributesPathFor(env))),
      split(dataset, env.coldMaxTrainCount) {}

}  // namespace sage

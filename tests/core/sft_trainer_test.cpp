#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "config/config_schema.h"
#include "data/amazon_data.h"
#include "data_test_files.h"
#include "semantic_id/prefix_trie.h"
#include "store/run_store.h"
#include "training/action_space.h"
#include "training/training_job.h"

namespace sage {
namespace {

/// Users walk a ring of 30 items one step at a time: the next item is always predictable.
std::string ringSequences(int users) {
    std::mt19937 rng(4);
    std::ostringstream out;
    for (int u = 1; u <= users; ++u) {
        const int start = static_cast<int>(rng() % 30);
        const int length = 6 + static_cast<int>(rng() % 5);
        out << u;
        for (int i = 0; i < length; ++i) out << ' ' << 1 + (start + i) % 30;
        out << '\n';
    }
    return out.str();
}

RunConfig ringConfig(const std::string& dataPath, const std::string& checkpoints) {
    RunConfig config;
    config.name = "ring-sft";
    config.environment.kind = "amazon";
    config.environment.dataPath = dataPath;
    config.model.kind = "transformer";
    config.model.embeddingDim = 32;
    config.model.hiddenDim = 64;
    config.model.layers = 1;
    config.model.heads = 2;
    config.model.dropout = 0.0;
    config.model.historyWindow = 8;
    config.optimizer.learningRate = 0.01;
    config.training.stage = "sft";
    config.training.epochs = 12;
    config.training.batchSize = 32;
    config.training.warmupSteps = 5;
    config.training.patience = 12;
    config.training.threads = 1;
    config.training.checkpointDir = checkpoints;
    config.logging.everySteps = 1;
    return config;
}

double lastValue(const RunStore& store, int64_t run, const std::string& key) {
    const auto series = store.metricSeries(run, key);
    return series.empty() ? std::nan("") : series.back().value;
}

TEST(SftTrainer, LearnsAPredictableCatalogueAndReportsValidationAndTest) {
    const auto data = testing::writeTempFile("ring.txt", ringSequences(240));
    const auto dir = std::filesystem::path(::testing::TempDir()) / "sage_sft_test";
    std::filesystem::remove_all(dir);
    const auto config = ringConfig(data, (dir / "checkpoints").string());
    EXPECT_TRUE(ConfigSchema::instance().validate(config).empty());
    const std::string db = (dir / "runs.sqlite").string();
    std::filesystem::create_directories(dir);

    TrainerControl control;
    const auto result = TrainingJob(config, db, "sft", control).run();
    ASSERT_EQ(result.status, RunStatus::Finished) << result.error;

    RunStore store(db);
    const auto loss = store.metricSeries(result.runId, "sft/loss");
    ASSERT_GE(loss.size(), 50u);
    EXPECT_LT(loss.back().value, 0.5 * loss.front().value);
    // Validation every epoch, test once at the end, under the stored keys.
    EXPECT_EQ(store.metricSeries(result.runId, "val/recall@10").size(), 12u);
    EXPECT_GT(lastValue(store, result.runId, "eval/recall@10"), 0.8);
    EXPECT_GT(lastValue(store, result.runId, "eval/ndcg@10"), 0.5);
    EXPECT_EQ(lastValue(store, result.runId, "eval/invalid_rate"), 0.0);
    EXPECT_FALSE(store.evals(result.runId).empty());
    EXPECT_TRUE(std::filesystem::exists(dir / "checkpoints" / "sft_best_model.pt"));
    EXPECT_TRUE(std::filesystem::exists(dir / "checkpoints" / "sft_best_optimizer.pt"));
    std::filesystem::remove_all(dir);
}

TEST(SftTrainer, SemanticIdsTrainAndEvaluateWithConstrainedBeams) {
    const auto data = testing::writeTempFile("ring_semantic.txt", ringSequences(240));
    const auto dir = std::filesystem::path(::testing::TempDir()) / "sage_sft_semantic";
    // The last level as TIGER's collision index, and as the item's own token.
    for (const auto& [level, named] : {std::pair{"index", "a collision level of"},
                                       std::pair{"item", "an item level of 30 tokens"}}) {
        SCOPED_TRACE(level);
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        auto config = ringConfig(data, "");
        config.environment.actionSpace = "semantic_id";
        config.environment.collisionLevel = level;
        config.training.epochs = 20;
        config.training.patience = 20;
        const std::string db = (dir / "runs.sqlite").string();
        TrainerControl control;
        const auto result = TrainingJob(config, db, "sft", control).run();
        ASSERT_EQ(result.status, RunStatus::Finished) << result.error;
        RunStore store(db);
        const auto events = store.events(result.runId);
        ASSERT_FALSE(events.empty());
        EXPECT_NE(events.front().message.find("semantic_id action space"), std::string::npos);
        EXPECT_NE(events.front().message.find(named), std::string::npos) << events.front().message;
        // Constrained beams only ever rank real, distinct items.
        EXPECT_EQ(lastValue(store, result.runId, "eval/invalid_rate"), 0.0);
        EXPECT_GT(lastValue(store, result.runId, "eval/recall@10"), 0.5);
    }
    std::filesystem::remove_all(dir);
}

std::vector<std::vector<int32_t>> codesOf(const TokenSpace& space) {
    std::vector<std::vector<int32_t>> codes(space.items());
    for (int64_t item = 0; item < space.items(); ++item)
        for (int level = 0; level < space.levels(); ++level)
            codes[item].push_back(static_cast<int32_t>(space.code(item, level)));
    return codes;
}

TEST(SftTrainer, RlReadsTheSemanticIdsSavedWithTheCheckpoint) {
    const auto data = testing::writeTempFile("ring_codes.txt", ringSequences(120));
    const auto dir = std::filesystem::path(::testing::TempDir()) / "sage_sft_codes";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    auto sft = ringConfig(data, (dir / "ckpt").string());
    sft.environment.actionSpace = "semantic_id";
    sft.training.epochs = 1;
    const std::string db = (dir / "runs.sqlite").string();
    TrainerControl control;
    ASSERT_EQ(TrainingJob(sft, db, "sft", control).run().status, RunStatus::Finished);
    const auto model = (dir / "ckpt" / "sft_best_model.pt").string();
    const auto saved = semanticIdsPath(model);
    EXPECT_EQ(saved, (dir / "ckpt" / "sft_best_semantic_ids.pt").string());
    ASSERT_TRUE(std::filesystem::exists(saved));

    // The file holds the codes SFT trained with.
    const AmazonData amazon(sft.environment);
    const auto embeddings = itemEmbeddings(amazon.dataset, amazon.split, embeddingOptions(sft));
    std::string description;
    const auto computed = amazonTokenSpace(sft, amazon, embeddings, description);
    const auto loaded = loadSemanticIds(saved, amazon.dataset.itemCount);
    ASSERT_EQ(codesOf(loaded), codesOf(computed));
    ASSERT_EQ(loaded.levels(), computed.levels());
    for (int level = 0; level < loaded.levels(); ++level) EXPECT_EQ(loaded.levelSize(level), computed.levelSize(level));

    // Codes that RQ-KMeans would not produce here (two items swapped): RL must use the file's.
    auto swapped = codesOf(computed);
    ASSERT_NE(swapped[0], swapped[1]);
    std::swap(swapped[0], swapped[1]);
    std::vector<int64_t> sizes;
    for (int level = 0; level < computed.levels(); ++level) sizes.push_back(computed.levelSize(level));
    saveSemanticIds(TokenSpace::semanticIds(swapped, sizes), saved);
    auto rl = sft;
    rl.training.stage = "rl";
    rl.training.steps = 2;
    rl.training.contexts = 4;
    rl.training.groupSize = 2;
    rl.training.initCheckpoint = model;
    EXPECT_EQ(codesOf(amazonTokenSpace(rl, amazon, embeddings, description)), swapped);
    EXPECT_NE(description.find(saved), std::string::npos) << description;
    const auto result = TrainingJob(rl, db, "rl", control).run();
    ASSERT_EQ(result.status, RunStatus::Finished) << result.error;
    RunStore store(db);
    EXPECT_NE(store.events(result.runId).front().message.find("the SFT checkpoint's codes"), std::string::npos)
        << store.events(result.runId).front().message;

    // A file for another catalogue, or no codes at all, is refused with the file named.
    try {
        loadSemanticIds(saved, amazon.dataset.itemCount + 1);
        ADD_FAILURE() << "a file for another catalogue was accepted";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find(saved), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("codes for 30 items, the data has 31"), std::string::npos)
            << error.what();
    }
    std::ofstream(saved, std::ios::trunc) << "not a tensor archive";
    EXPECT_THROW(amazonTokenSpace(rl, amazon, embeddings, description), std::runtime_error);
    // A checkpoint from before codes were saved: recomputed, and the event log says so.
    std::filesystem::remove(saved);
    EXPECT_EQ(codesOf(amazonTokenSpace(rl, amazon, embeddings, description)), codesOf(computed));
    EXPECT_NE(description.find("recomputed from the seed"), std::string::npos) << description;
    std::filesystem::remove_all(dir);
}

TEST(AmazonTokenSpace, ItemCollisionLevelIsTheItemsOwnTokenAfterTheSameCodes) {
    const auto data = testing::writeTempFile("ring_item_level.txt", ringSequences(120));
    auto config = ringConfig(data, "");
    config.environment.actionSpace = "semantic_id";
    const AmazonData amazon(config.environment);
    const auto embeddings = itemEmbeddings(amazon.dataset, amazon.split, embeddingOptions(config));
    std::string description;
    const auto byIndex = amazonTokenSpace(config, amazon, embeddings, description);
    EXPECT_NE(description.find("a collision level of"), std::string::npos) << description;
    config.environment.collisionLevel = "item";
    const auto byItem = amazonTokenSpace(config, amazon, embeddings, description);
    EXPECT_NE(description.find("an item level of 30 tokens"), std::string::npos) << description;

    const int64_t items = amazon.dataset.itemCount;
    ASSERT_EQ(items, 30);
    ASSERT_EQ(byItem.levels(), byIndex.levels());
    const int last = byItem.levels() - 1;
    // Otherwise the item level would change nothing here.
    ASSERT_LT(byIndex.levelSize(last), items);
    EXPECT_EQ(byItem.levelSize(last), items);
    for (int level = 0; level < last; ++level)
        EXPECT_EQ(byItem.levelSize(level), byIndex.levelSize(level));
    std::set<int64_t> lastTokens;
    std::vector<int64_t> tokens;
    for (int64_t item = 0; item < items; ++item) {
        for (int level = 0; level < last; ++level)
            EXPECT_EQ(byItem.code(item, level), byIndex.code(item, level)) << item << " " << level;
        tokens.clear();
        byItem.appendTokens(item, tokens);
        EXPECT_EQ(tokens.back(), byItem.levelOffset(last) + item);
        lastTokens.insert(tokens.back());
    }
    EXPECT_EQ(static_cast<int64_t>(lastTokens.size()), items);

    // The trie over the codes admits exactly the catalogue: one complete path per item.
    const auto codes = codesOf(byItem);
    std::vector<int> sizes;
    for (int level = 0; level < byItem.levels(); ++level)
        sizes.push_back(static_cast<int>(byItem.levelSize(level)));
    const PrefixTrie trie(codes, sizes);
    int64_t complete = 0;
    for (int node = 0; node < trie.nodeCount(); ++node)
        if (trie.level(node) == trie.depth()) {
            ++complete;
            EXPECT_NE(trie.item(node), -1) << node;
        }
    EXPECT_EQ(complete, items);
    for (int64_t item = 0; item < items; ++item) EXPECT_EQ(trie.itemOf(codes[item]), item);

    // RL reads these codes back from beside the SFT checkpoint unchanged.
    const auto saved =
        (std::filesystem::path(::testing::TempDir()) / "sage_item_level_ids.pt").string();
    saveSemanticIds(byItem, saved);
    const auto loaded = loadSemanticIds(saved, items);
    EXPECT_EQ(codesOf(loaded), codes);
    EXPECT_EQ(loaded.levelSize(last), items);
    std::filesystem::remove(saved);
}

TEST(AmazonTokenSpace, CodeLevelsAndCodebookSizeShapeTheSemanticIds) {
    const auto data = testing::writeTempFile("ring_code_levels.txt", ringSequences(120));
    auto config = ringConfig(data, "");
    config.environment.actionSpace = "semantic_id";
    ConfigSchema::instance().applyAssignment(config, "environment.code_levels=2");
    ConfigSchema::instance().applyAssignment(config, "environment.codebook_size=4");
    const AmazonData amazon(config.environment);
    const auto embeddings = itemEmbeddings(amazon.dataset, amazon.split, embeddingOptions(config));
    std::string description;
    const auto space = amazonTokenSpace(config, amazon, embeddings, description);
    EXPECT_NE(description.find("2 levels of 4 codes"), std::string::npos) << description;
    // Two code levels of 4 and the collision level: 30 items share 16 prefixes, so at least one
    // prefix holds 2 or more of them.
    ASSERT_EQ(space.levels(), 3);
    EXPECT_EQ(space.levelSize(0), 4);
    EXPECT_EQ(space.levelSize(1), 4);
    EXPECT_GE(space.levelSize(2), 2);
    std::set<std::vector<int64_t>> tuples;
    std::vector<int64_t> tokens;
    for (int64_t item = 0; item < space.items(); ++item) {
        tokens.clear();
        space.appendTokens(item, tokens);
        tuples.insert(tokens);
        for (int level = 0; level < 2; ++level) EXPECT_LT(space.code(item, level), 4) << item;
    }
    EXPECT_EQ(static_cast<int64_t>(tuples.size()), space.items());
}

TEST(SftTrainer, MalformedDataFailsTheRunWithFileAndLine) {
    const auto data = testing::writeTempFile("broken.txt", "1 1 2 3\n2 4 x 6\n");
    const auto dir = std::filesystem::path(::testing::TempDir()) / "sage_sft_broken";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string db = (dir / "runs.sqlite").string();
    TrainerControl control;
    const auto result = TrainingJob(ringConfig(data, ""), db, "sft", control).run();
    EXPECT_EQ(result.status, RunStatus::Failed);
    EXPECT_NE(result.error.find("broken.txt:2"), std::string::npos) << result.error;
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace sage

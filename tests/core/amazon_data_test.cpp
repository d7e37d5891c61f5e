// Tests on the real Amazon files in ../shared/data/amazon (never copied into the repository);
// each skips when the files are absent.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <set>

#include "data/leave_one_out_split.h"
#include "data/sequence_dataset.h"
#include "data_test_files.h"
#include "semantic_id/item_embeddings.h"
#include "semantic_id/prefix_trie.h"
#include "semantic_id/rq_kmeans.h"

namespace sage {
namespace {

using sage::testing::amazonFile;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

#define SKIP_WITHOUT(path) \
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "no " << (path)

TEST(AmazonData, BeautyLoadsFastAndMatchesThePublishedCounts) {
    const std::string sequences = amazonFile("Beauty.txt");
    const std::string attributes = amazonFile("Beauty_item2attributes.json");
    SKIP_WITHOUT(sequences);
    const auto start = Clock::now();
    const SequenceDataset data = loadS3RecDataset(sequences, attributes);
    const double seconds = secondsSince(start);
    std::cout << "[ timing   ] Beauty load " << seconds << " s\n";
    EXPECT_LT(seconds, 2.0);
    EXPECT_EQ(data.userCount(), 22363);
    EXPECT_EQ(data.itemCount, 12101);
    EXPECT_EQ(data.interactionCount(), 198502);
    EXPECT_EQ(data.attributeCount, 637);
    for (const auto& list : data.itemAttributes) EXPECT_FALSE(list.empty());
}

TEST(AmazonData, BeautyColdTestTargetsAreAbout14Percent) {
    const std::string sequences = amazonFile("Beauty.txt");
    SKIP_WITHOUT(sequences);
    const LeaveOneOutSplit split(loadS3RecDataset(sequences));
    std::cout << "[ figures  ] Beauty cold test targets " << split.coldTestTargetCount() << " / "
              << split.evaluableUserCount() << " = " << split.coldTestTargetShare()
              << "; cold items " << split.coldItemCount() << "\n";
    EXPECT_EQ(split.evaluableUserCount(), 22363);  // 5-core: every user has targets
    EXPECT_EQ(split.coldTestTargetCount(), 3141);
    EXPECT_NEAR(split.coldTestTargetShare(), 0.14, 0.005);
    EXPECT_EQ(split.trainingInteractionCount(), 198502 - 2 * 22363);
}

TEST(AmazonData, SportsLoads) {
    const std::string sequences = amazonFile("Sports_and_Outdoors.txt");
    SKIP_WITHOUT(sequences);
    const SequenceDataset data =
        loadS3RecDataset(sequences, amazonFile("Sports_and_Outdoors_item2attributes.json"));
    EXPECT_EQ(data.userCount(), 35598);
    EXPECT_EQ(data.itemCount, 18357);
    EXPECT_EQ(data.interactionCount(), 296337);
}

TEST(AmazonData, BeautySemanticIdsAreUniqueAndTheTrieAdmitsTheCatalogue) {
    const std::string sequences = amazonFile("Beauty.txt");
    SKIP_WITHOUT(sequences);
    const SequenceDataset data =
        loadS3RecDataset(sequences, amazonFile("Beauty_item2attributes.json"));
    const LeaveOneOutSplit split(data);

    auto start = Clock::now();
    const torch::Tensor embeddings = itemEmbeddings(data, split);
    const double embedSeconds = secondsSince(start);
    ASSERT_EQ(embeddings.sizes(), (std::vector<int64_t>{12101, 96}));
    EXPECT_FALSE(embeddings.isnan().any().item<bool>());
    // Every Beauty item has attributes, so every row is unit length.
    EXPECT_TRUE(torch::allclose(embeddings.norm(2, 1), torch::ones({12101}), 1e-4, 1e-4));

    start = Clock::now();
    const SemanticIds ids = rqKMeans(embeddings);
    const double rqSeconds = secondsSince(start);
    std::cout << "[ timing   ] Beauty embeddings " << embedSeconds << " s, RQ-KMeans " << rqSeconds
              << " s\n[ figures  ] utilisation";
    for (double u : ids.utilisation) std::cout << ' ' << u;
    std::cout << "; collision rate " << ids.collisionRate << "; largest collision group "
              << ids.maxCollisionGroup << "; residual";
    for (double r : ids.residualError) std::cout << ' ' << r;
    std::cout << "\n";
    EXPECT_LT(embedSeconds + rqSeconds, 60.0);

    std::set<std::vector<int32_t>> tuples(ids.codes.begin(), ids.codes.end());
    EXPECT_EQ(tuples.size(), 12101u);
    EXPECT_GT(ids.utilisation[0], 0.9);
    EXPECT_LT(ids.collisionRate, 0.5);
    const PrefixTrie trie(ids);
    for (int64_t j = 0; j < ids.itemCount(); ++j) EXPECT_EQ(trie.itemOf(ids.codes[j]), j);
}

}  // namespace
}  // namespace sage

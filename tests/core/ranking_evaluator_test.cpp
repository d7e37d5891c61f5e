#include "eval/ranking_evaluator.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>

namespace sage {
namespace {

std::map<std::string, double> asMap(const std::vector<std::pair<std::string, double>>& results) {
    return {results.begin(), results.end()};
}

// Eight items. Cold: 4 and 5. Attributes: 0 {0}, 1 {0, 1}, 2 {1}, 3 {} (first code 7), 4 {2},
// 5 {} (first code 7), 6 {3}, 7 {} (first code 2). Embeddings in 2-D.
EvaluationCatalogue catalogue() {
    EvaluationCatalogue c;
    c.itemCount = 8;
    c.coldItems = {0, 0, 0, 0, 1, 1, 0, 0};
    c.itemAttributes = {{0}, {0, 1}, {1}, {}, {2}, {}, {3}, {}};
    c.firstCodes = {0, 1, 1, 7, 3, 7, 4, 2};
    c.itemEmbeddings = torch::tensor({1.f, 0.f, 0.f, 1.f, 1.f, 1.f, 1.f, 0.f, 0.f, 1.f, -1.f, 0.f,
                                      1.f, 0.f, 1.f, 0.f})
                           .view({8, 2});
    return c;
}

TEST(RankingEvaluator, MatchesAHandComputedCase) {
    RankingEvaluator evaluator(catalogue());
    evaluator.addUser({0, 1, 2}, 1);     // A: hit at rank 1
    evaluator.addUser({4, 3, 4, 9}, 5);  // B: cold target, missed; a repeat and an unknown id
    evaluator.addUser({5, 2, 0}, 5);     // C: cold target at rank 0
    EXPECT_EQ(evaluator.userCount(), 3);
    EXPECT_EQ(evaluator.coldUserCount(), 2);
    const auto results = evaluator.results();
    const auto m = asMap(results);
    ASSERT_EQ(results.size(), RankingEvaluator::keys().size());
    for (size_t i = 0; i < results.size(); ++i)
        EXPECT_EQ(results[i].first, RankingEvaluator::keys()[i]);

    EXPECT_DOUBLE_EQ(m.at("eval/recall@5"), 2.0 / 3.0);
    EXPECT_DOUBLE_EQ(m.at("eval/recall@10"), 2.0 / 3.0);
    const double ndcg = (1.0 / std::log2(3.0) + 0.0 + 1.0) / 3.0;
    EXPECT_DOUBLE_EQ(m.at("eval/ndcg@5"), ndcg);
    EXPECT_DOUBLE_EQ(m.at("eval/ndcg@10"), ndcg);
    EXPECT_DOUBLE_EQ(m.at("eval/cold_recall@10"), 0.5);  // B missed, C hit
    // Labels: A {0, 0, 1, 1} → ln 2; B items 4, 3 → {2, code 7} → ln 2;
    // C items 5, 2, 0 → {code 7, 1, 0} → ln 3.
    EXPECT_NEAR(m.at("eval/entropy@10"), (2.0 * std::log(2.0) + std::log(3.0)) / 3.0, 1e-12);
    // Items 0..5 shown, 6 and 7 never: 6/8.
    EXPECT_DOUBLE_EQ(m.at("eval/coverage@10"), 0.75);
    // Exposure 2, 1, 2, 1, 1, 1, 0, 0; sorted weights −7..7: (−3 − 1 + 1 + 3 + 10 + 14) / 64.
    EXPECT_DOUBLE_EQ(m.at("eval/gini@10"), 24.0 / 64.0);
    // A: (1 + 2(1 − 1/√2)) / 3; B: items 4 (0,1) and 3 (1,0): 1;
    // C: 5 (−1,0), 2 (1,1), 0 (1,0): (1 + 1/√2 + 2 + 1 − 1/√2) / 3 = 4/3.
    const double a = (1.0 + 2.0 * (1.0 - 1.0 / std::sqrt(2.0))) / 3.0;
    EXPECT_NEAR(m.at("eval/ild@10"), (a + 1.0 + 4.0 / 3.0) / 3.0, 1e-6);
    // Ten top-10 slots; cold items fill two valid ones (B's 4, C's 5; B's repeated 4 is invalid).
    EXPECT_DOUBLE_EQ(m.at("eval/cold_exposure@10"), 0.2);
    EXPECT_DOUBLE_EQ(m.at("eval/invalid_rate"), 0.2);
}

TEST(RankingEvaluator, OnlyTheTopTenCountForDiversityButEveryPositionForInvalidRate) {
    EvaluationCatalogue c;
    c.itemCount = 12;
    RankingEvaluator evaluator(c);
    evaluator.addUser({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12}, 10);
    const auto m = asMap(evaluator.results());
    EXPECT_EQ(m.at("eval/recall@10"), 0.0);  // rank 10 is the eleventh place
    EXPECT_DOUBLE_EQ(m.at("eval/coverage@10"), 10.0 / 12.0);
    EXPECT_DOUBLE_EQ(m.at("eval/invalid_rate"), 1.0 / 12.0);
    // No cold flags, no embeddings, no attributes: those keys are left out, entropy is 0.
    EXPECT_EQ(m.count("eval/cold_recall@10"), 0u);
    EXPECT_EQ(m.count("eval/cold_exposure@10"), 0u);
    EXPECT_EQ(m.count("eval/ild@10"), 0u);
    EXPECT_EQ(m.at("eval/entropy@10"), 0.0);
}

TEST(RankingEvaluator, RejectsBadInput) {
    EXPECT_THROW(RankingEvaluator(EvaluationCatalogue{}), std::invalid_argument);
    EvaluationCatalogue c;
    c.itemCount = 3;
    c.coldItems = {1, 0};
    EXPECT_THROW(RankingEvaluator{c}, std::invalid_argument);
    c.coldItems.clear();
    RankingEvaluator evaluator(c);
    EXPECT_TRUE(evaluator.results().empty());
    EXPECT_THROW(evaluator.addUser({0}, 3), std::out_of_range);
}

}  // namespace
}  // namespace sage

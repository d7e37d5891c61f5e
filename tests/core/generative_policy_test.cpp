#include <gtest/gtest.h>

#include <torch/torch.h>

#include <ATen/CPUGeneratorImpl.h>

#include <set>

#include "model/generative_policy.h"

namespace sage {
namespace {

TransformerOptions tinyOptions() {
    TransformerOptions o;
    o.dModel = 16;
    o.layers = 2;
    o.heads = 2;
    o.feedForward = 32;
    o.dropout = 0.0;
    return o;
}

// 12 items with 2-level semantic IDs over codebooks of 3 and 4 codes; not every tuple is an item.
TokenSpace smallSemanticSpace() {
    std::vector<std::vector<int32_t>> codes = {{0, 0}, {0, 1}, {0, 3}, {1, 0}, {1, 1}, {1, 2},
                                               {1, 3}, {2, 0}, {2, 2}, {2, 3}, {0, 2}, {2, 1}};
    return TokenSpace::semanticIds(codes, {3, 4});
}

std::vector<std::vector<int64_t>> histories() {
    return {{1, 2, 3}, {4}, {5, 6, 7, 8, 9, 10, 11}, {0, 11}};
}

// log π(item | history) of every catalogue item as a one-item slate: [items].
torch::Tensor everyItemLogProb(GenerativePolicy& policy, const std::vector<int64_t>& history) {
    const int64_t items = policy.tokens().items();
    const auto contexts = policy.encodeHistories(std::vector<std::vector<int64_t>>(items, history));
    return policy.logProbs(contexts, torch::arange(items, torch::kLong).view({-1, 1})).sum(1);
}

class GenerativePolicyTest : public ::testing::TestWithParam<bool> {
protected:
    GenerativePolicy makePolicy(int64_t slateLength) {
        torch::manual_seed(5);
        const bool semantic = GetParam();
        return GenerativePolicy(semantic ? smallSemanticSpace() : TokenSpace::itemIds(12),
                                tinyOptions(), 5, slateLength);
    }
};

TEST_P(GenerativePolicyTest, SamplesNeverRepeatAnItemNorLeaveTheCatalogue) {
    auto policy = makePolicy(6);
    const auto contexts = policy.encodeHistories(histories());
    auto generator = at::make_generator<at::CPUGeneratorImpl>(3);
    for (int round = 0; round < 5; ++round) {
        const auto out = policy.sample(contexts, 8, 1.5, generator);
        ASSERT_TRUE(out.has_value());
        ASSERT_EQ(out->slates.sizes(), (std::vector<int64_t>{32, 6}));
        auto slates = out->slates.accessor<int64_t, 2>();
        for (int64_t s = 0; s < 32; ++s) {
            std::set<int64_t> seen;
            for (int64_t k = 0; k < 6; ++k) {
                EXPECT_GE(slates[s][k], 0);
                EXPECT_LT(slates[s][k], 12);
                EXPECT_TRUE(seen.insert(slates[s][k]).second) << "repeated item in slate " << s;
            }
        }
        EXPECT_TRUE(torch::isfinite(out->logp).all().item<bool>());
    }
}

TEST_P(GenerativePolicyTest, CachedAndBatchedLogProbsAgree) {
    auto policy = makePolicy(4);
    const auto contexts = policy.encodeHistories(histories());
    auto generator = at::make_generator<at::CPUGeneratorImpl>(9);
    const auto out = policy.sample(contexts, 3, 1.0, generator);
    ASSERT_TRUE(out.has_value());
    const auto repeated = policy.encodeHistories([&] {
        std::vector<std::vector<int64_t>> rows;
        for (const auto& h : histories())
            for (int g = 0; g < 3; ++g) rows.push_back(h);
        return rows;
    }());
    torch::NoGradGuard noGrad;
    const auto batched = policy.logProbs(repeated, out->slates);
    const auto cached = policy.cachedLogProbs(repeated, out->slates);
    EXPECT_LT((batched - cached).abs().max().item<double>(), 1e-5);
    EXPECT_LT((batched - out->logp).abs().max().item<double>(), 1e-5);
}

TEST_P(GenerativePolicyTest, UncachedDecodingDrawsTheSameSlatesAsTheCache) {
    auto policy = makePolicy(4);
    const auto contexts = policy.encodeHistories(histories());
    auto cachedGenerator = at::make_generator<at::CPUGeneratorImpl>(21);
    auto uncachedGenerator = at::make_generator<at::CPUGeneratorImpl>(21);
    const auto cached = policy.sample(contexts, 5, 1.0, cachedGenerator);
    const auto uncached = policy.sample(contexts, 5, 1.0, uncachedGenerator, nullptr,
                                        GenerativePolicy::Decoding::Uncached);
    ASSERT_TRUE(cached.has_value() && uncached.has_value());
    EXPECT_TRUE(torch::equal(cached->slates, uncached->slates));
    EXPECT_LT((cached->logp - uncached->logp).abs().max().item<double>(), 1e-5);
    EXPECT_NEAR(cached->entropy, uncached->entropy, 1e-5);
}

TEST_P(GenerativePolicyTest, SharedContextLogProbsEqualOnePassPerSlateInValuesAndGradients) {
    auto policy = makePolicy(3);
    const auto contexts = policy.encodeHistories(histories());
    auto generator = at::make_generator<at::CPUGeneratorImpl>(13);
    const auto out = policy.sample(contexts, 3, 1.0, generator);
    ASSERT_TRUE(out.has_value());
    // Slates in a shuffled order, as a minibatch holds them: slate s continues context s / 3.
    const auto order = torch::tensor(std::vector<int64_t>{7, 0, 11, 3, 5, 1, 9, 2}, torch::kLong);
    const auto slates = out->slates.index_select(0, order);
    const auto contextOfSlate = order.div(3, "floor");
    std::vector<std::vector<int64_t>> perSlate;
    for (int64_t s = 0; s < order.size(0); ++s) perSlate.push_back(histories()[contextOfSlate[s].item<int64_t>()]);
    const auto weights = torch::randn({order.size(0), slates.size(1) * (GetParam() ? 2 : 1)});

    const auto gradientsOf = [&](const torch::Tensor& logp) {
        policy.model()->zero_grad();
        (logp * weights).sum().backward();
        std::vector<torch::Tensor> grads;
        for (const auto& p : policy.model()->parameters()) grads.push_back(p.grad().clone());
        return grads;
    };
    const auto onePass = policy.logProbs(policy.encodeHistories(perSlate), slates);
    const auto onePassGradients = gradientsOf(onePass);
    const auto shared = policy.logProbs(contexts, contextOfSlate, slates);
    const auto sharedGradients = gradientsOf(shared);

    EXPECT_LT((onePass - shared).abs().max().item<double>(), 1e-5);
    ASSERT_EQ(onePassGradients.size(), sharedGradients.size());
    for (size_t i = 0; i < sharedGradients.size(); ++i) {
        const double scale = std::max(1e-3, onePassGradients[i].abs().max().item<double>());
        EXPECT_LT((onePassGradients[i] - sharedGradients[i]).abs().max().item<double>() / scale, 1e-4)
            << "parameter " << i;
    }
}

TEST_P(GenerativePolicyTest, DecodingAdmitsExactlyTheCatalogue) {
    auto policy = makePolicy(2);
    // Score every item as a one-item slate: each must be finite, and the probabilities of all
    // items must sum to 1, so no mass sits on tuples that are not items.
    torch::NoGradGuard noGrad;
    const auto logp = everyItemLogProb(policy, {3, 4});
    EXPECT_TRUE(torch::isfinite(logp).all().item<bool>());
    EXPECT_NEAR(logp.exp().sum().item<double>(), 1.0, 1e-5);
}

TEST_P(GenerativePolicyTest, BeamSearchFindsTheTrueTopItems) {
    auto policy = makePolicy(3);
    torch::NoGradGuard noGrad;
    for (const auto& history : histories()) {
        const auto exact = everyItemLogProb(policy, history);
        const auto truth = std::get<1>(exact.topk(5));
        const auto found = policy.topItems(policy.encodeHistories({history}), 5, policy.tokens().items());
        EXPECT_TRUE(torch::equal(found.squeeze(0), truth)) << found << truth;
    }
}

TEST(GenerativePolicyBeam, ANarrowBeamKeepsOnlyTheMostProbableFirstCodes) {
    // First code 0 holds one item, codes 1 and 2 five each, and code 0's output bias is lowered:
    // code 0 is the least probable first code, yet its one item is the most probable item. A beam
    // of 2 must drop it; the exact ranking puts it first.
    const TokenSpace space = TokenSpace::semanticIds(
        {{0, 0}, {1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}, {2, 0}, {2, 1}, {2, 2}, {2, 3}, {2, 4}}, {3, 5});
    torch::manual_seed(5);
    GenerativePolicy policy(space, tinyOptions(), 5, 3);
    torch::NoGradGuard noGrad;
    policy.model()->named_parameters()["output_bias"][space.token(0, 0)].fill_(-0.3);
    for (const std::vector<int64_t>& history : {std::vector<int64_t>{1, 2, 3}, {4}, {5, 6, 7, 8, 9, 10}, {0, 10}}) {
        const auto logp = everyItemLogProb(policy, history);
        ASSERT_EQ(std::get<1>(logp.topk(1)).item<int64_t>(), 0) << "item 0 is not the exact top item";
        // A first code's probability is the sum over its items; code 0 must be the least probable.
        std::vector<double> codeProbability(space.levelSize(0), 0.0);
        for (int64_t item = 0; item < space.items(); ++item)
            codeProbability[space.code(item, 0)] += std::exp(logp[item].item<double>());
        ASSERT_EQ(std::min_element(codeProbability.begin(), codeProbability.end()), codeProbability.begin());
        const auto truth = std::get<1>(logp.slice(0, 1).topk(2)) + 1;  // the best 2 without item 0
        const auto found = policy.topItems(policy.encodeHistories({history}), 2, 2);
        EXPECT_TRUE(torch::equal(found.squeeze(0), truth)) << found << truth;
        const auto exact = policy.topItems(policy.encodeHistories({history}), 2, space.items());
        EXPECT_EQ(exact[0][0].item<int64_t>(), 0);
    }
}

TEST_P(GenerativePolicyTest, NextTokenLossLearnsARepeatedPattern) {
    auto policy = makePolicy(2);
    const std::vector<std::vector<int64_t>> sequences = {{0, 1, 2, 3, 4, 5}, {6, 7, 8, 9, 10, 11}};
    torch::optim::Adam optimizer(policy.model()->parameters(), torch::optim::AdamOptions(0.01));
    const double first = policy.nextTokenLoss(sequences).item<double>();
    for (int i = 0; i < 150; ++i) {
        optimizer.zero_grad();
        policy.nextTokenLoss(sequences).backward();
        optimizer.step();
    }
    const double last = policy.nextTokenLoss(sequences).item<double>();
    EXPECT_LT(last, 0.25 * first) << "first " << first << " last " << last;
    // The learnt model ranks the true next item first.
    const auto top = policy.topItems(policy.encodeHistories({{0, 1, 2}}), 1, 12);
    EXPECT_EQ(top.item<int64_t>(), 3);
}

INSTANTIATE_TEST_SUITE_P(Spaces, GenerativePolicyTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                             return info.param ? "semantic_id" : "item_id";
                         });

}  // namespace
}  // namespace sage

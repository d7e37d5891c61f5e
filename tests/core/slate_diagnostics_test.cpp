#include "report/slate_diagnostics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "report_store_fixture.h"
#include "temp_dir.h"

namespace sage {
namespace {

using testing::armLabel;
using testing::FakeRun;
using testing::writeFakeRun;

SlateRecord slate(int64_t step, double advantage, double ratio, double coefficient, const std::string& branch,
                  double boost, double negScale, double entropy) {
    SlateRecord s;
    s.step = step;
    s.items = {1, 2};
    s.logpOld = s.logpNew = s.tokenRatio = {0.0f, 0.0f};
    s.advantage = advantage;
    s.ratio = ratio;
    s.coefficient = coefficient;
    s.branch = branch;
    s.boost = boost;
    s.negScale = negScale;
    s.listEntropy = entropy;
    // click follows A exactly, dislike against it.
    s.rewards = {{"click", 2.0 * advantage + 1.0}, {"dislike", -advantage}};
    return s;
}

class SlateDiagnosticsTest : public ::testing::Test {
protected:
    void SetUp() override {
        store = std::make_unique<RunStore>(dir.file("runs.sqlite"));
        // Two SAGE seeds, two slates each at different steps: the diagnostics pool them.
        FakeRun seed0;
        seed0.label = armLabel("sage", 0);
        seed0.rewards = std::vector<double>(10, 1.0);
        seed0.slates = {slate(5, 1.0, 1.2, 1.2, "ratio", 1.0, 1.0, 0.8),
                        slate(5, -1.0, 1.1, 0.5, "neg_cap", 0.0, 1.5, 0.2)};
        writeFakeRun(*store, seed0);
        FakeRun seed1 = seed0;
        seed1.label = armLabel("sage", 1);
        // The positive here has b = 0, as under boost_mode cold_hit without a cold hit.
        seed1.slates = {slate(10, 0.5, 0.9, 0.9, "ratio", 0.0, 1.0, 0.6),
                        slate(10, -0.5, 0.8, 0.8, "ratio", 0.0, 1.2, 0.4)};
        writeFakeRun(*store, seed1);
        FakeRun baseline;  // logged no slates
        baseline.label = armLabel("gbpo-token", 0, true);
        baseline.rewards = std::vector<double>(10, 1.0);
        writeFakeRun(*store, baseline);
    }

    testing::TempDir dir{"sage_slate_diagnostics"};
    std::unique_ptr<RunStore> store;
};

TEST_F(SlateDiagnosticsTest, PoolsTheSeedsSlatesIntoCoefficientSharesAndAdvantageCorrelations) {
    const auto report = ExperimentReport::build(*store, "suite");
    const auto diagnostics = buildSlateDiagnostics(*store, report);
    ASSERT_EQ(diagnostics.size(), 1u);
    ASSERT_EQ(diagnostics[0].arms.size(), 1u);  // the baseline logged no slates
    const ArmSlateDiagnostics& d = diagnostics[0].arms[0];
    EXPECT_EQ(d.arm, "sage");
    EXPECT_EQ(d.slates, 4);
    EXPECT_EQ(d.positives, 2);
    EXPECT_EQ(d.negatives, 2);
    EXPECT_DOUBLE_EQ(d.positiveRatioMean, (1.2 + 0.9) / 2);
    EXPECT_DOUBLE_EQ(d.positiveRatioAboveOne, 0.5);
    EXPECT_DOUBLE_EQ(d.positiveCoefficientAboveOne, 0.5);
    // Only the first positive's coefficient exceeds GBPO's min(r, 1): by 0.2.
    EXPECT_NEAR(d.boostExtraMean, 0.1, 1e-12);
    EXPECT_DOUBLE_EQ(d.boostEligible, 0.5);
    EXPECT_DOUBLE_EQ(d.negativeScaleMean, (1.5 + 1.2) / 2);
    EXPECT_DOUBLE_EQ(d.negativeCapActive, 0.5);
    EXPECT_DOUBLE_EQ(d.negativeCoefficientMean, (0.5 + 0.8) / 2);
    EXPECT_DOUBLE_EQ(d.positiveEntropyMean, 0.7);
    EXPECT_DOUBLE_EQ(d.negativeEntropyMean, 0.3);
    ASSERT_EQ(d.advantageCorrelation.size(), 2u);
    EXPECT_EQ(d.advantageCorrelation[0].first, "click");
    EXPECT_NEAR(d.advantageCorrelation[0].second, 1.0, 1e-12);
    EXPECT_EQ(d.advantageCorrelation[1].first, "dislike");
    EXPECT_NEAR(d.advantageCorrelation[1].second, -1.0, 1e-12);
    // A = (1, −1, 0.5, −0.5), Ĥ = (0.8, 0.2, 0.6, 0.4): cov 0.7, Σ(A − Ā)² 2.5, Σ(Ĥ − H̄)² 0.2.
    EXPECT_NEAR(d.advantageEntropyCorrelation, 0.7 / std::sqrt(2.5 * 0.2), 1e-12);
}

TEST_F(SlateDiagnosticsTest, MarkdownShowsTheArmsRowsAndNothingWithoutSlates) {
    const auto report = ExperimentReport::build(*store, "suite");
    const auto diagnostics = buildSlateDiagnostics(*store, report);
    const std::string md = slateDiagnosticsMarkdown(diagnostics[0]);
    EXPECT_NE(md.find("## Per-slate diagnostics: synthetic"), std::string::npos) << md;
    EXPECT_NE(md.find("| sage | 4 | 50.0 % | 1.0500 | 50.0 % | 50.0 % | 0.1000 | 50.0 % | 1.35 | 50.0 % | 0.65 | "
                      "0.7 | 0.3 |"),
              std::string::npos)
        << md;
    EXPECT_NE(md.find("| arm | click | dislike | Ĥ |"), std::string::npos) << md;
    EXPECT_NE(md.find("| sage | +1.00 | -1.00 | +0.99 |"), std::string::npos) << md;
    EXPECT_EQ(md.find("gbpo-token"), std::string::npos) << md;
    EXPECT_EQ(slateDiagnosticsMarkdown({"synthetic", {}}), "");
}

}  // namespace
}  // namespace sage

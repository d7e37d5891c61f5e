#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "suite/suite_spec.h"
#include "temp_dir.h"

namespace sage {
namespace {

using nlohmann::json;

std::string messages(const SuiteError& error) { return error.what(); }

// A small valid suite around an inline base configuration.
json miniSuite() {
    return json::parse(R"({
      "experiment": "mini",
      "rl": {"base": {"environment": {"kind": "synthetic", "users": 80, "items": 60, "categories": 6},
                      "training": {"steps": 4, "contexts": 4, "group_size": 4, "slate_length": 3}},
             "set": {"training.steps": 3}},
      "arms": [{"name": "sage", "set": {"objective.kind": "sage"}},
               {"name": "gbpo-token", "set": {"objective.kind": "gbpo", "objective.ratio_level": "token"}},
               {"name": "sage-no-boost", "set": {"objective.kind": "sage", "objective.boost_epsilon": 0}}],
      "seeds": [0, 1],
      "baseline": "gbpo-token"})");
}

TEST(SuiteSpec, ShippedSuitesAreValid) {
    for (const char* name : {"synthetic.json", "beauty.json"}) {
        const std::string path = std::string(SAGE_SUITES_DIR) + "/" + name;
        try {
            const auto spec = SuiteSpec::load(path);
            EXPECT_FALSE(spec.arms().empty()) << name;
            EXPECT_FALSE(spec.baseline().empty()) << name;
        } catch (const SuiteError& error) {
            ADD_FAILURE() << error.what();
        }
    }
    const auto beauty = SuiteSpec::load(std::string(SAGE_SUITES_DIR) + "/beauty.json");
    ASSERT_TRUE(beauty.sft().has_value());
    EXPECT_EQ(beauty.sft()->training.stage, "sft");
    EXPECT_GE(beauty.seeds().size(), 2u);
    const auto synthetic = SuiteSpec::load(std::string(SAGE_SUITES_DIR) + "/synthetic.json");
    EXPECT_FALSE(synthetic.sft().has_value());
    EXPECT_EQ(synthetic.seeds().size(), 3u);
}

TEST(SuiteSpec, ShippedSuitesHaveThePaperArmsWithTheirAblations) {
    const auto spec = SuiteSpec::load(std::string(SAGE_SUITES_DIR) + "/synthetic.json");
    std::map<std::string, const RunConfig*> arms;
    for (const auto& arm : spec.arms()) arms[arm.name] = &arm.config;
    ASSERT_EQ(arms.size(), 8u);
    EXPECT_EQ(arms.at("sage")->objective.kind, "sage");
    EXPECT_EQ(arms.at("gbpo-token")->objective.ratioLevel, "token");
    EXPECT_EQ(arms.at("gbpo-sequence")->objective.ratioLevel, "sequence");
    EXPECT_EQ(arms.at("gspo")->objective.kind, "gspo");
    EXPECT_EQ(arms.at("grpo")->objective.kind, "grpo");
    EXPECT_EQ(arms.at("sage-no-boost")->objective.boostEpsilon, 0.0);
    EXPECT_EQ(arms.at("sage-no-boost")->objective.kappa, arms.at("sage")->objective.kappa);
    EXPECT_EQ(arms.at("sage-no-penalty")->objective.kappa, 0.0);
    EXPECT_EQ(arms.at("sage-group-adv")->objective.advantage, "group");
    // Every arm shares the suite's run sizes.
    std::ifstream file(std::string(SAGE_SUITES_DIR) + "/synthetic.json");
    const int64_t steps = nlohmann::json::parse(file)["rl"]["set"]["training.steps"].get<int64_t>();
    for (const auto& [name, config] : arms) EXPECT_EQ(config->training.steps, steps) << name;
}

TEST(SuiteSpec, ArmsApplyTheirKeysOnTopOfTheBaseAndTheCommandLine) {
    const auto spec = SuiteSpec::fromJson(miniSuite(), "mini.json", {"training.steps=2"});
    ASSERT_EQ(spec.arms().size(), 3u);
    EXPECT_EQ(spec.arms()[1].config.objective.kind, "gbpo");
    EXPECT_EQ(spec.arms()[2].config.objective.boostEpsilon, 0.0);
    EXPECT_EQ(spec.arms()[0].config.training.steps, 2);  // --set wins over the suite's set
    EXPECT_EQ(spec.arms()[0].config.environment.users, 80);
    EXPECT_EQ(spec.dataset(), "synthetic");
}

TEST(SuiteSpec, EveryProblemIsReportedWithWhereItIs) {
    json suite = miniSuite();
    suite["arms"][0]["set"]["objective.kapa"] = 1.0;
    suite["arms"][1]["set"]["objective.kind"] = "ppo";
    suite["arms"][2]["name"] = "sage";
    suite["seeds"] = json::array({0, 0});
    suite["baseline"] = "gbpo";
    suite["color"] = "red";
    try {
        SuiteSpec::fromJson(suite, "bad.json");
        FAIL() << "no error";
    } catch (const SuiteError& error) {
        const std::string text = messages(error);
        EXPECT_NE(text.find("suite file bad.json cannot run"), std::string::npos) << text;
        EXPECT_NE(text.find("arms[0] \"sage\".set.objective.kapa: unknown configuration key"), std::string::npos) << text;
        EXPECT_NE(text.find("arms[1] \"gbpo-token\".set.objective.kind"), std::string::npos) << text;
        EXPECT_NE(text.find("arms[2].name: \"sage\" is used twice"), std::string::npos) << text;
        EXPECT_NE(text.find("seeds[1]: 0 is listed twice"), std::string::npos) << text;
        EXPECT_NE(text.find("baseline: must name one of the arms"), std::string::npos) << text;
        EXPECT_NE(text.find("color: unknown key"), std::string::npos) << text;
        EXPECT_EQ(error.issues().size(), 6u) << text;
    }
}

TEST(SuiteSpec, CrossFieldRulesOfAnArmAreChecked) {
    json suite = miniSuite();
    suite["arms"][0]["set"]["training.slate_length"] = 100;  // more than the 60 items
    try {
        SuiteSpec::fromJson(suite, "bad.json");
        FAIL() << "no error";
    } catch (const SuiteError& error) {
        EXPECT_NE(messages(error).find("arms[0] \"sage\": training.slate_length"), std::string::npos) << error.what();
    }
}

TEST(SuiteSpec, SyntheticEnvironmentHasNoSftStage) {
    json suite = miniSuite();
    suite["sft"] = {{"base", suite["rl"]["base"]}, {"set", {{"training.stage", "sft"}}}};
    try {
        SuiteSpec::fromJson(suite, "bad.json");
        FAIL() << "no error";
    } catch (const SuiteError& error) {
        EXPECT_NE(messages(error).find("synthetic environment has no SFT stage"), std::string::npos) << error.what();
    }
}

TEST(SuiteSpec, RlStageMustBeAnRlConfigurationAndBasePathsAreChecked) {
    json suite = miniSuite();
    suite["rl"]["set"]["training.stage"] = "sft";
    EXPECT_THROW(SuiteSpec::fromJson(suite, "bad.json"), SuiteError);
    json missing = miniSuite();
    missing["rl"]["base"] = "no-such-preset.json";
    try {
        SuiteSpec::fromJson(missing, "/tmp/x/bad.json");
        FAIL() << "no error";
    } catch (const SuiteError& error) {
        EXPECT_NE(messages(error).find("rl.base: no file /tmp/x/no-such-preset.json"), std::string::npos) << error.what();
    }
}

TEST(SuiteSpec, RlArmsMustUseTheSftStagesLastCodeLevel) {
    json suite = json::parse(R"({
      "experiment": "item-level",
      "sft": {"base": "beauty-sft-sid-item.json"},
      "rl": {"base": "beauty-rl-gbpo.json", "set": {"environment.action_space": "semantic_id"}},
      "arms": [{"name": "gbpo", "set": {}}],
      "seeds": [0],
      "baseline": "gbpo"})");
    // Named as if it stood beside the presets, so that the bases resolve there.
    const std::string path = std::string(SAGE_PRESETS_DIR) + "/item-level.json";
    try {
        SuiteSpec::fromJson(suite, path);
        FAIL() << "an RL arm with another last code level than its SFT checkpoint was accepted";
    } catch (const SuiteError& error) {
        EXPECT_NE(messages(error).find(
                      R"(environment.collision_level (SFT "item", RL "index"); make them equal)"),
                  std::string::npos)
            << error.what();
    }
    suite["rl"]["set"]["environment.collision_level"] = "item";
    EXPECT_NO_THROW(SuiteSpec::fromJson(suite, path));
}

TEST(SuiteSpec, FileErrorsNameTheFile) {
    testing::TempDir dir("sage_suite_spec");
    std::ofstream(dir.file("broken.json")) << "{\"arms\": [";
    try {
        SuiteSpec::load(dir.file("broken.json"));
        FAIL() << "no error";
    } catch (const SuiteError& error) {
        EXPECT_NE(messages(error).find("broken.json"), std::string::npos);
        EXPECT_NE(messages(error).find("not valid JSON"), std::string::npos);
    }
    EXPECT_THROW(SuiteSpec::load(dir.file("absent.json")), SuiteError);
}

TEST(SuiteSpec, RestrictKeepsTheNamedArmsAndSeedsAndRejectsOthers) {
    auto spec = SuiteSpec::fromJson(miniSuite(), "mini.json");
    spec.restrict({"sage"}, {1});
    ASSERT_EQ(spec.arms().size(), 1u);
    EXPECT_EQ(spec.arms()[0].name, "sage");
    EXPECT_EQ(spec.seeds(), (std::vector<int64_t>{1}));
    EXPECT_THROW(spec.restrict({"grpo"}, {}), SuiteError);
    EXPECT_THROW(spec.restrict({}, {7}), SuiteError);
}

}  // namespace
}  // namespace sage

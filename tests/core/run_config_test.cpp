#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "config/config_schema.h"
#include "config/run_config.h"

namespace sage {
namespace {

using nlohmann::json;

std::vector<std::string> issueKeys(const ConfigError& error) {
    std::vector<std::string> keys;
    for (const auto& issue : error.issues()) keys.push_back(issue.key);
    return keys;
}

TEST(RunConfig, DefaultsValidate) {
    EXPECT_TRUE(ConfigSchema::instance().validate(RunConfig{}).empty());
}

TEST(RunConfig, JsonRoundTripKeepsEveryField) {
    RunConfig config;
    config.name = "round \"trip\"; ünïcødé";
    config.environment.users = 123;
    config.model.hiddenDim = 77;
    config.objective.dualClip = true;
    config.objective.dualClipC = 4.5;
    config.optimizer.kind = "sgd";
    config.optimizer.learningRate = 2.5e-4;
    config.training.seed = 9007199254740991LL;
    config.training.threads = 2;
    config.logging.slatesEverySteps = 0;
    const json first = toJson(config);
    const RunConfig back = configFromJson(first);
    EXPECT_EQ(toJson(back), first);
    EXPECT_EQ(back.name, config.name);
    EXPECT_EQ(back.training.seed, config.training.seed);
    EXPECT_DOUBLE_EQ(back.optimizer.learningRate, 2.5e-4);
}

TEST(RunConfig, FileRoundTrip) {
    const auto path = (std::filesystem::temp_directory_path() / "sage_config_roundtrip.json").string();
    RunConfig config;
    config.training.steps = 42;
    saveConfigFile(config, path);
    EXPECT_EQ(toJson(loadConfigFile(path)), toJson(config));
    std::remove(path.c_str());
}

TEST(RunConfig, MissingKeysTakeDefaults) {
    const RunConfig config = configFromJson(json::parse(R"({"training": {"steps": 5}})"));
    EXPECT_EQ(config.training.steps, 5);
    EXPECT_EQ(config.training.groupSize, RunConfig{}.training.groupSize);
}

TEST(RunConfig, ReportsEveryBadFieldAtOnce) {
    const json bad = json::parse(R"({
        "training": {"steps": 0, "group_size": 1, "temperature": "hot", "seed": -1},
        "optimizer": {"kind": "lion", "learning_rate": 5.0},
        "objective": {"dual_clip": "yes"},
        "model": {"mystery": 1},
        "logging": {"every_steps": 2.5}
    })");
    try {
        configFromJson(bad);
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& error) {
        const auto keys = issueKeys(error);
        for (const char* key : {"training.steps", "training.group_size", "training.temperature",
                                "training.seed", "optimizer.kind", "optimizer.learning_rate",
                                "objective.dual_clip", "model.mystery", "logging.every_steps"}) {
            EXPECT_NE(std::find(keys.begin(), keys.end(), key), keys.end()) << key;
        }
        EXPECT_EQ(keys.size(), 9u);
        const std::string text = error.what();
        EXPECT_NE(text.find("training.steps: got 0, expected an integer in [1, 1e+07]"), std::string::npos)
            << text;
        EXPECT_NE(text.find("one of \"adamw\", \"adam\", \"sgd\""), std::string::npos) << text;
        EXPECT_NE(text.find("unknown key"), std::string::npos) << text;
    }
}

TEST(RunConfig, CrossFieldRules) {
    RunConfig config;
    config.environment.items = 10;
    config.environment.categories = 11;
    config.training.slateLength = 12;
    config.training.contexts = 1;
    config.training.groupSize = 2;
    config.training.minibatches = 3;
    config.objective.kind = "grpo";
    config.objective.clipLow = 0.0;
    config.objective.clipHigh = 0.0;
    const auto issues = ConfigSchema::instance().validate(config);
    std::vector<std::string> keys;
    for (const auto& issue : issues) keys.push_back(issue.key);
    EXPECT_EQ(keys, (std::vector<std::string>{"training.slate_length", "environment.categories",
                                              "training.minibatches", "objective.clip_high"}));
}

TEST(RunConfig, NotAnObjectOrNotJson) {
    EXPECT_THROW(configFromJson(json::array()), ConfigError);
    const auto path = (std::filesystem::temp_directory_path() / "sage_config_broken.json").string();
    std::ofstream(path) << "{ \"training\": { \"steps\": 3, }";
    try {
        loadConfigFile(path);
        FAIL() << "expected ConfigError";
    } catch (const ConfigError& error) {
        EXPECT_NE(std::string(error.what()).find(path), std::string::npos);
        EXPECT_NE(std::string(error.what()).find("not valid JSON"), std::string::npos);
    }
    std::remove(path.c_str());
    EXPECT_THROW(loadConfigFile(path), ConfigError);  // missing file
}

// Found by fuzz_config_json: nlohmann reports a number too large for a double as out_of_range, not
// parse_error, so it slipped past the "not valid JSON" handler and sage-train ended in
// std::terminate.
TEST(RunConfig, NumberTooLargeForADoubleIsNotValidJson) {
    for (const char* text : {R"({"training": {"temperature": 1e400}})",
                             R"({"environment": 1e400d": "synthetic"})"}) {
        try {
            configFromJsonText(text, "big.json");
            ADD_FAILURE() << "accepted " << text;
        } catch (const ConfigError& error) {
            const std::string message = error.what();
            EXPECT_NE(message.find("big.json"), std::string::npos) << message;
            EXPECT_NE(message.find("not valid JSON"), std::string::npos) << message;
            EXPECT_NE(message.find("number overflow parsing '1e400'"), std::string::npos) << message;
        }
    }
}

TEST(RunConfig, EveryPresetLoadsAndValidates) {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(SAGE_PRESETS_DIR)) {
        if (entry.path().extension() != ".json") continue;
        EXPECT_NO_THROW(loadConfigFile(entry.path().string())) << entry.path();
        ++count;
    }
    EXPECT_GE(count, 2);
}

TEST(RunConfig, ItemLevelPresetDiffersFromBeautySftOnlyInItsLastCodeLevel) {
    const auto presets = std::filesystem::path(SAGE_PRESETS_DIR);
    const auto base = loadConfigFile((presets / "beauty-sft.json").string());
    auto variant = loadConfigFile((presets / "beauty-sft-sid-item.json").string());
    EXPECT_EQ(variant.environment.collisionLevel, "item");
    EXPECT_EQ(variant.name, "beauty-sft-sid-item");
    // Its own checkpoint folder, so that the two SFT runs never overwrite each other's model.
    EXPECT_NE(variant.training.checkpointDir, base.training.checkpointDir);
    variant.environment.collisionLevel = base.environment.collisionLevel;
    variant.name = base.name;
    variant.training.checkpointDir = base.training.checkpointDir;
    EXPECT_EQ(toJson(variant), toJson(base));
}

}  // namespace
}  // namespace sage

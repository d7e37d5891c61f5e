#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "config/config_schema.h"

namespace sage {
namespace {

TEST(ConfigSchema, KeysAreUniqueAndDefaultsInRange) {
    std::set<std::string> keys;
    const RunConfig defaults;
    for (const auto& field : ConfigSchema::instance().fields()) {
        EXPECT_TRUE(keys.insert(field.key).second) << "duplicate " << field.key;
        EXPECT_FALSE(field.check(field.get(defaults)).has_value()) << field.key;
        EXPECT_FALSE(field.label.empty()) << field.key;
    }
}

TEST(ConfigSchema, EveryNumericFieldRejectsBothSidesOfItsRange) {
    const RunConfig defaults;
    for (const auto& field : ConfigSchema::instance().fields()) {
        if (field.kind != FieldKind::Integer && field.kind != FieldKind::Real) continue;
        const bool integer = field.kind == FieldKind::Integer;
        const auto below = integer ? nlohmann::json(static_cast<long long>(field.min) - 1)
                                   : nlohmann::json(field.min - 1e-3 * (1.0 + std::abs(field.min)));
        const auto above = integer ? nlohmann::json(static_cast<long long>(field.max) + 1)
                                   : nlohmann::json(field.max * 1.01 + 1.0);
        EXPECT_TRUE(field.check(below).has_value()) << field.key << " accepted " << below;
        EXPECT_TRUE(field.check(above).has_value()) << field.key << " accepted " << above;
        EXPECT_TRUE(field.check("text").has_value()) << field.key;
        EXPECT_FALSE(field.check(field.get(defaults)).has_value()) << field.key;
        if (integer) {
            EXPECT_TRUE(field.check(1.5).has_value()) << field.key;
        } else {
            EXPECT_TRUE(field.check(std::nan("")).has_value()) << field.key;
        }
    }
}

TEST(ConfigSchema, ChoiceAndBooleanFieldsRejectOtherValues) {
    for (const auto& field : ConfigSchema::instance().fields()) {
        if (field.kind == FieldKind::Choice) {
            EXPECT_TRUE(field.check("no-such-choice").has_value()) << field.key;
            for (const auto& option : field.choices) EXPECT_FALSE(field.check(option).has_value());
        } else if (field.kind == FieldKind::Boolean) {
            EXPECT_TRUE(field.check(1).has_value()) << field.key;
            EXPECT_FALSE(field.check(true).has_value()) << field.key;
        }
    }
}

TEST(ConfigSchema, AssignmentsParseByKind) {
    RunConfig config;
    const auto& schema = ConfigSchema::instance();
    schema.applyAssignment(config, "training.steps=17");
    schema.applyAssignment(config, "optimizer.learning_rate=3e-4");
    schema.applyAssignment(config, "objective.dual_clip=true");
    schema.applyAssignment(config, "optimizer.kind=sgd");
    schema.applyAssignment(config, "name=a=b");  // only the first '=' separates
    EXPECT_EQ(config.training.steps, 17);
    EXPECT_DOUBLE_EQ(config.optimizer.learningRate, 3e-4);
    EXPECT_TRUE(config.objective.dualClip);
    EXPECT_EQ(config.optimizer.kind, "sgd");
    EXPECT_EQ(config.name, "a=b");
}

TEST(ConfigSchema, BadAssignmentsNameTheKey) {
    RunConfig config;
    const auto& schema = ConfigSchema::instance();
    for (const char* bad : {"training.steps=12abc", "training.steps=0", "nosuch.key=1",
                            "training.steps", "objective.dual_clip=maybe", "=3"}) {
        try {
            schema.applyAssignment(config, bad);
            ADD_FAILURE() << "accepted " << bad;
        } catch (const ConfigError& error) {
            ASSERT_EQ(error.issues().size(), 1u);
        }
    }
    EXPECT_EQ(config.training.steps, RunConfig{}.training.steps);  // nothing half-applied
}

// Found by fuzz_config_set: a value that is not UTF-8 (argv is raw bytes) made the error message's
// json::dump() throw nlohmann's type_error past every ConfigError handler, and sage-train ended in
// std::terminate; a text field would have taken bytes the run store cannot write back.
TEST(ConfigSchema, AssignmentsThatAreNotUtf8AreRejectedWithAMessage) {
    const auto& schema = ConfigSchema::instance();
    const std::string defaults = toJson(RunConfig{}).dump();
    for (const char* bad : {"name=\xff", "environment.data_path=a\xc3", "name=\xc0\xaf",
                            "name=\xed\xa0\x80", "name=\xf4\x90\x80\x80",
                            "optimizer.kind=\xe2\x82", "training.steps=9007199\xcb\xf5"}) {
        RunConfig config;
        try {
            schema.applyAssignment(config, bad);
            ADD_FAILURE() << "accepted " << bad;
        } catch (const ConfigError& error) {
            ASSERT_EQ(error.issues().size(), 1u) << bad;
            EXPECT_NE(error.issues()[0].message.find("not valid UTF-8"), std::string::npos) << bad;
        }
        EXPECT_EQ(toJson(config).dump(), defaults) << bad;
    }
    RunConfig config;
    schema.applyAssignment(config, "name=Gr\xc3\xb6\xc3\x9f" "e \xf0\x9f\x9a\x80");  // "Größe 🚀"
    EXPECT_EQ(config.name, "Gr\xc3\xb6\xc3\x9f" "e \xf0\x9f\x9a\x80");
    EXPECT_EQ(configFromJsonText(toJson(config).dump(), "saved.json").name, config.name);
}

TEST(ConfigSchema, MessagesCutLongValuesShort) {
    const auto* name = ConfigSchema::instance().find("name");
    const auto problem = name->check(nlohmann::json(std::vector<int>(1000, 7)));
    ASSERT_TRUE(problem.has_value());
    EXPECT_LT(problem->size(), 120u) << *problem;
    EXPECT_NE(problem->find("..."), std::string::npos);
}

TEST(ConfigSchema, AppliesHidesOptionsThatDoNotMatter) {
    RunConfig config;
    config.objective.kind = "grpo";
    const auto& schema = ConfigSchema::instance();
    const auto* dualC = schema.find("objective.dual_clip_c");
    ASSERT_NE(dualC, nullptr);
    EXPECT_FALSE(dualC->applies(config));
    config.objective.dualClip = true;
    EXPECT_TRUE(dualC->applies(config));
    // SAGE's options appear only for SAGE, and each form's only with that form.
    EXPECT_FALSE(schema.find("objective.kappa")->applies(config));
    config.objective.kind = "sage";
    EXPECT_TRUE(schema.find("objective.kappa")->applies(config));
    EXPECT_FALSE(schema.find("objective.asym_epsilon")->applies(config));
    EXPECT_FALSE(dualC->applies(config));
    config.objective.sageForm = "asym_clip";
    EXPECT_TRUE(schema.find("objective.asym_epsilon")->applies(config));
    EXPECT_FALSE(schema.find("objective.kappa")->applies(config));
    EXPECT_TRUE(dualC->applies(config));
    EXPECT_FALSE(schema.find("objective.ratio_level")->applies(config));
    config.objective.kind = "gbpo";
    EXPECT_TRUE(schema.find("objective.ratio_level")->applies(config));
}

TEST(ConfigSchema, EvaluationScheduleAppliesToRlInEitherEnvironment) {
    RunConfig config;  // synthetic RL: the simulator is evaluated on the schedule too
    const auto* every = ConfigSchema::instance().find("logging.eval_every_steps");
    ASSERT_NE(every, nullptr);
    EXPECT_TRUE(every->applies(config));
    config.environment.kind = "amazon";
    EXPECT_TRUE(every->applies(config));
    config.training.stage = "sft";  // SFT evaluates after every epoch instead
    EXPECT_FALSE(every->applies(config));
}

TEST(ConfigSchema, TrainingDeviceIsAutoCpuOrCuda) {
    const RunConfig defaults;
    EXPECT_EQ(defaults.training.device, "auto");
    const auto* device = ConfigSchema::instance().find("training.device");
    ASSERT_NE(device, nullptr);
    EXPECT_EQ(device->kind, FieldKind::Choice);
    EXPECT_EQ(device->choices, (std::vector<std::string>{"auto", "cpu", "cuda"}));

    RunConfig config;
    ConfigSchema::instance().applyAssignment(config, "training.device=cuda");
    EXPECT_EQ(config.training.device, "cuda");
    EXPECT_EQ(configFromJson(toJson(config)).training.device, "cuda");
    try {
        configFromJson(nlohmann::json{{"training", {{"device", "gpu"}}}});
        ADD_FAILURE() << "accepted training.device = gpu";
    } catch (const ConfigError& error) {
        ASSERT_EQ(error.issues().size(), 1u);
        EXPECT_EQ(error.issues()[0].key, "training.device");
        EXPECT_NE(error.issues()[0].message.find("cuda"), std::string::npos) << error.issues()[0].message;
    }
}

TEST(ConfigSchema, CodeLevelsAndCodebookSizeDefaultToTheSpecAndAreBounded) {
    const RunConfig defaults;
    EXPECT_EQ(defaults.environment.codeLevels, 3);
    EXPECT_EQ(defaults.environment.codebookSize, 256);
    RunConfig config;
    ConfigSchema::instance().applyAssignment(config, "environment.code_levels=2");
    ConfigSchema::instance().applyAssignment(config, "environment.codebook_size=64");
    const auto back = configFromJson(toJson(config));
    EXPECT_EQ(back.environment.codeLevels, 2);
    EXPECT_EQ(back.environment.codebookSize, 64);
    for (const std::string assignment : {"environment.code_levels=0", "environment.codebook_size=1"}) {
        try {
            ConfigSchema::instance().applyAssignment(config, assignment);
            ADD_FAILURE() << "accepted " << assignment;
        } catch (const ConfigError& error) {
            ASSERT_EQ(error.issues().size(), 1u);
            EXPECT_EQ(error.issues()[0].key, assignment.substr(0, assignment.find('=')));
        }
    }
}

TEST(ConfigSchema, EvaluationBeamIsAtLeastTheTopTenAndOnlyForSemanticIds) {
    EXPECT_EQ(RunConfig{}.training.evalBeam, 20);
    RunConfig config;
    const auto* beam = ConfigSchema::instance().find("training.eval_beam");
    ASSERT_NE(beam, nullptr);
    EXPECT_FALSE(beam->applies(config));  // synthetic
    config.environment.kind = "amazon";
    config.environment.actionSpace = "item_id";
    EXPECT_FALSE(beam->applies(config));  // item IDs rank exactly
    config.environment.actionSpace = "semantic_id";
    EXPECT_TRUE(beam->applies(config));
    RunConfig wide;  // a valid configuration to round-trip through JSON
    ConfigSchema::instance().applyAssignment(wide, "training.eval_beam=64");
    EXPECT_EQ(configFromJson(toJson(wide)).training.evalBeam, 64);
    try {
        ConfigSchema::instance().applyAssignment(config, "training.eval_beam=9");
        ADD_FAILURE() << "accepted a beam narrower than the top 10";
    } catch (const ConfigError& error) {
        ASSERT_EQ(error.issues().size(), 1u);
        EXPECT_EQ(error.issues()[0].key, "training.eval_beam");
    }
}

TEST(ConfigSchema, CollisionLevelIsIndexOrItem) {
    EXPECT_EQ(RunConfig{}.environment.collisionLevel, "index");
    RunConfig config;
    ConfigSchema::instance().applyAssignment(config, "environment.collision_level=item");
    EXPECT_EQ(configFromJson(toJson(config)).environment.collisionLevel, "item");
    const auto rejected = [](const std::function<void()>& load) {
        try {
            load();
            ADD_FAILURE() << "accepted environment.collision_level = tiger";
        } catch (const ConfigError& error) {
            ASSERT_EQ(error.issues().size(), 1u);
            EXPECT_EQ(error.issues()[0].key, "environment.collision_level");
            EXPECT_EQ(error.issues()[0].message, R"(got "tiger", expected one of "index", "item")");
        }
    };
    rejected([] {
        configFromJson(nlohmann::json{{"environment", {{"collision_level", "tiger"}}}});
    });
    rejected([&] {
        ConfigSchema::instance().applyAssignment(config, "environment.collision_level=tiger");
    });
    // It only means something for semantic IDs, so the form shows it only there.
    const auto* field = ConfigSchema::instance().find("environment.collision_level");
    ASSERT_NE(field, nullptr);
    config.environment.kind = "amazon";
    EXPECT_FALSE(field->applies(config));
    config.environment.actionSpace = "semantic_id";
    EXPECT_TRUE(field->applies(config));
}

}  // namespace
}  // namespace sage

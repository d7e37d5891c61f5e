#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/run_store.h"
#include "suite/suite_plan.h"
#include "temp_dir.h"

namespace sage {
namespace {

using nlohmann::json;

json miniSuite() {
    return json::parse(R"({
      "experiment": "mini",
      "dataset": "toy",
      "rl": {"base": {"environment": {"kind": "synthetic", "users": 80, "items": 60, "categories": 6},
                      "training": {"steps": 3, "contexts": 4, "group_size": 4, "slate_length": 3, "threads": 0}}},
      "arms": [{"name": "sage", "set": {"objective.kind": "sage"}},
               {"name": "gbpo-token", "set": {"objective.kind": "gbpo"}}],
      "seeds": [0, 1],
      "baseline": "gbpo-token"})");
}

class SuitePlanTest : public ::testing::Test {
protected:
    testing::TempDir dir{"sage_suite_plan"};
    RunStore store{dir.file("runs.sqlite")};
    SuiteSpec spec = SuiteSpec::fromJson(miniSuite(), dir.file("mini.json"));

    // Runs a task's run to the given end state, as a trainer would.
    int64_t leave(const SuiteTask& task, RunStatus status) {
        const int64_t id = SuitePlan::startRun(store, spec.experiment(), task);
        store.setRunStatus(id, RunStatus::Running);
        if (status != RunStatus::Running) store.setRunStatus(id, status);
        return id;
    }
};

TEST_F(SuitePlanTest, TasksAreSeedMajorWithNamesSeedsThreadsAndTags) {
    const SuitePlan plan(spec, store, dir.file("sft"), 2, 1);
    EXPECT_FALSE(plan.sftTask().has_value());
    ASSERT_EQ(plan.armTasks().size(), 4u);
    std::vector<std::string> names;
    for (const auto& t : plan.armTasks()) names.push_back(t.config.name);
    EXPECT_EQ(names, (std::vector<std::string>{"sage/seed0", "gbpo-token/seed0", "sage/seed1", "gbpo-token/seed1"}));
    EXPECT_EQ(plan.armTasks()[2].config.training.seed, 1);
    EXPECT_EQ(plan.armTasks()[0].config.training.threads, 1);  // 0 (every core) capped to 1
    EXPECT_EQ(plan.pendingCount(), 4);

    const int64_t id = SuitePlan::startRun(store, "mini", plan.armTasks()[1]);
    const auto run = store.run(id);
    EXPECT_EQ(run->experiment, "mini");
    EXPECT_EQ(run->name, "gbpo-token/seed0");
    EXPECT_EQ(run->status, RunStatus::Created);
    EXPECT_EQ(run->tags, (std::vector<std::string>{"dataset:toy", "arm:gbpo-token", "baseline"}));
    EXPECT_EQ(json::parse(run->configJson), toJson(plan.armTasks()[1].config));
}

TEST_F(SuitePlanTest, FinishedRunsAreSkippedAndUnfinishedOnesReplaced) {
    const SuitePlan first(spec, store, dir.file("sft"), 2, 2);
    const int64_t finished = leave(first.armTasks()[0], RunStatus::Finished);
    const int64_t killed = leave(first.armTasks()[1], RunStatus::Running);  // a SIGKILLed suite
    const int64_t failed = leave(first.armTasks()[2], RunStatus::Failed);

    const SuitePlan second(spec, store, dir.file("sft"), 2, 2);
    EXPECT_EQ(second.armTasks()[0].finishedRunId, finished);
    EXPECT_EQ(second.armTasks()[1].staleRunIds, (std::vector<int64_t>{killed}));
    EXPECT_EQ(second.armTasks()[2].staleRunIds, (std::vector<int64_t>{failed}));
    EXPECT_EQ(second.pendingCount(), 3);

    const int64_t fresh = SuitePlan::startRun(store, "mini", second.armTasks()[1]);
    const auto old = store.run(killed);
    EXPECT_TRUE(old->deleted);
    EXPECT_EQ(old->status, RunStatus::Interrupted);
    EXPECT_EQ(old->tags.back(), "superseded");
    EXPECT_NE(store.events(killed).back().message.find("superseded by run " + std::to_string(fresh)),
              std::string::npos);
    // Only the fresh run is visible under the task's name.
    int named = 0;
    for (const auto& r : store.listRuns()) named += r.name == "gbpo-token/seed0";
    EXPECT_EQ(named, 1);
}

TEST_F(SuitePlanTest, FinishedRunWithAnotherConfigurationIsAConflictNotASkip) {
    const SuitePlan first(spec, store, dir.file("sft"), 2, 2);
    leave(first.armTasks()[0], RunStatus::Finished);
    const auto longer = SuiteSpec::fromJson(miniSuite(), dir.file("mini.json"), {"training.steps=5"});
    try {
        SuitePlan(longer, store, dir.file("sft"), 2, 2);
        FAIL() << "no error";
    } catch (const SuiteError& error) {
        const std::string text = error.what();
        EXPECT_NE(text.find("sage/seed0"), std::string::npos) << text;
        EXPECT_NE(text.find("training.steps 3 → 5"), std::string::npos) << text;
    }
    // The thread count is not part of a run's identity.
    EXPECT_NO_THROW(SuitePlan(spec, store, dir.file("sft"), 1, 1));
}

TEST_F(SuitePlanTest, SftStageComesFirstAndEveryArmStartsFromItsCheckpoint) {
    json suite = miniSuite();
    suite["rl"]["base"] = {{"environment", {{"kind", "amazon"}, {"data_path", "d.txt"}}},
                           {"model", {{"kind", "transformer"}}}};
    suite["sft"] = {{"base", {{"environment", {{"kind", "amazon"}, {"data_path", "d.txt"}}},
                              {"model", {{"kind", "transformer"}}},
                              {"training", {{"stage", "sft"}}}}}};
    const auto withSft = SuiteSpec::fromJson(suite, dir.file("beauty.json"));
    const SuitePlan plan(withSft, store, dir.file("ckpt"), 2, 1);
    ASSERT_TRUE(plan.sftTask().has_value());
    EXPECT_EQ(plan.sftTask()->config.name, "sft");
    EXPECT_EQ(plan.sftTask()->config.training.threads, 2);
    EXPECT_EQ(plan.sftTask()->config.training.checkpointDir, dir.file("ckpt"));
    EXPECT_EQ(plan.sftCheckpoint(), dir.file("ckpt") + "/sft_best_model.pt");
    for (const auto& task : plan.armTasks()) EXPECT_EQ(task.config.training.initCheckpoint, plan.sftCheckpoint());
    EXPECT_EQ(plan.pendingCount(), 5);

    // A finished SFT run is only skipped while its checkpoint exists.
    const int64_t sft = leave(*plan.sftTask(), RunStatus::Finished);
    EXPECT_EQ(SuitePlan(withSft, store, dir.file("ckpt"), 2, 1).sftTask()->staleRunIds, std::vector<int64_t>{sft});
    std::filesystem::create_directories(dir.file("ckpt"));
    std::ofstream(plan.sftCheckpoint()) << "model";
    EXPECT_EQ(SuitePlan(withSft, store, dir.file("ckpt"), 2, 1).sftTask()->finishedRunId, sft);
}

TEST_F(SuitePlanTest, SftAndArmsMustShareTheModel) {
    json suite = miniSuite();
    suite["rl"]["base"] = {{"environment", {{"kind", "amazon"}, {"data_path", "d.txt"}}},
                           {"model", {{"kind", "transformer"}, {"layers", 2}}}};
    suite["sft"] = {{"base", {{"environment", {{"kind", "amazon"}, {"data_path", "d.txt"}}},
                              {"model", {{"kind", "transformer"}, {"layers", 4}}},
                              {"training", {{"stage", "sft"}}}}}};
    try {
        SuiteSpec::fromJson(suite, "beauty.json");
        FAIL() << "no error";
    } catch (const SuiteError& error) {
        EXPECT_NE(std::string(error.what()).find("model.layers (SFT 4, RL 2)"), std::string::npos) << error.what();
    }
}

}  // namespace
}  // namespace sage

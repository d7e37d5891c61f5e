#include <gtest/gtest.h>

#include <torch/cuda.h>
#include <torch/torch.h>

#include <algorithm>
#include <thread>

#include "config/config_error.h"
#include "recording_sink.h"
#include "training/trainer.h"
#include "training/training_device.h"

namespace sage {
namespace {

RunConfig withDevice(const std::string& device) {
    RunConfig config = testing::tinyConfig(1);
    config.training.device = device;
    return config;
}

TEST(TrainingDevice, AutoIsCudaOnlyWhenLibTorchSeesAGpu) {
    const auto expected = torch::cuda::is_available() ? c10::kCUDA : c10::kCPU;
    EXPECT_EQ(resolveDevice(withDevice("auto")).type(), expected);
    EXPECT_EQ(resolveDevice(withDevice("cpu")).type(), c10::kCPU);
}

TEST(TrainingDevice, CudaWithoutAGpuIsAConfigurationErrorThatSaysWhatToDo) {
    if (torch::cuda::is_available()) GTEST_SKIP() << "this machine has a GPU; cuda is valid here";
    try {
        resolveDevice(withDevice("cuda"));
        FAIL() << "cuda accepted without a GPU";
    } catch (const ConfigError& error) {
        ASSERT_EQ(error.issues().size(), 1u);
        EXPECT_EQ(error.issues()[0].key, "training.device");
        const std::string message = error.what();
        EXPECT_NE(message.find("auto or cpu"), std::string::npos) << message;
        EXPECT_NE(message.find("CMAKE_PREFIX_PATH"), std::string::npos) << message;
    }
    // The trainer refuses to start the same way.
    testing::RecordingSink sink;
    TrainerControl control;
    EXPECT_THROW(Trainer(withDevice("cuda"), sink, control), ConfigError);
}

TEST(TrainingDevice, SeededGeneratorsRepeatTheirDraws) {
    const c10::Device cpu(c10::kCPU);
    auto first = seededGenerator(cpu, 7);
    auto second = seededGenerator(cpu, 7);
    EXPECT_TRUE(torch::randperm(50, first, torch::kLong).equal(torch::randperm(50, second, torch::kLong)));
    auto other = seededGenerator(cpu, 8);
    EXPECT_FALSE(torch::randperm(50, seededGenerator(cpu, 7), torch::kLong)
                     .equal(torch::randperm(50, other, torch::kLong)));
}

TEST(TrainingDevice, IntraOpThreadsAreTheConfiguredCountOrTheCoresSharedByLocalRanks) {
    RunConfig config;
    config.training.threads = 3;
    EXPECT_EQ(intraOpThreads(config), 3);
    EXPECT_EQ(intraOpThreads(config, 4), 3);  // an explicit count is each rank's own
    config.training.threads = 0;
    const int cores = static_cast<int>(std::thread::hardware_concurrency());
    EXPECT_EQ(intraOpThreads(config), std::max(1, cores));
    EXPECT_EQ(intraOpThreads(config, 2), std::max(1, cores / 2));
    EXPECT_EQ(intraOpThreads(config, 4 * cores), 1);  // never zero threads
}

}  // namespace
}  // namespace sage

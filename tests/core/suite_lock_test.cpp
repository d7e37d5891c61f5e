#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "suite/suite_lock.h"
#include "temp_dir.h"

namespace sage {
namespace {

std::atomic<int> g_waits{0};
std::string g_holder;

void recordWait(const std::string& holder) {
    g_holder = holder;
    ++g_waits;
}

TEST(SuiteLock, HeldWhileAliveAndASecondSuiteWaitsForTheFirst) {
    testing::TempDir dir{"sage_suite_lock"};
    const std::string path = dir.file("lock");
    EXPECT_FALSE(SuiteLock::isHeld(path));
    std::optional<SuiteLock> first(std::in_place, path);
    EXPECT_TRUE(SuiteLock::isHeld(path));

    // flock belongs to the open file, so a second SuiteLock in this process contends like another
    // process would: it waits until the first is released.
    const auto released = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
    std::thread holder([&] {
        std::this_thread::sleep_until(released);
        first.reset();
    });
    g_waits = 0;
    {
        const SuiteLock second(path, recordWait);
        EXPECT_GE(std::chrono::steady_clock::now(), released);
        EXPECT_EQ(g_waits.load(), 1);
        EXPECT_EQ(g_holder, "sage-train suite (pid " + std::to_string(::getpid()) + ")");
        EXPECT_TRUE(SuiteLock::isHeld(path));
    }
    holder.join();
    EXPECT_FALSE(SuiteLock::isHeld(path));
}

TEST(SuiteLock, AnUnwritableFolderIsNamed) {
    try {
        SuiteLock lock("/proc/no-such-folder/lock");
        FAIL() << "no error";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("/proc/no-such-folder/lock"), std::string::npos);
    }
}

}  // namespace
}  // namespace sage

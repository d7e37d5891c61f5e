#pragma once
// Helpers for the data tests: tiny files written on the fly, and where the real data lives.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace sage::testing {

/// Writes `content` to a fresh file named `name` under the test's temporary directory.
inline std::string writeTempFile(const std::string& name, const std::string& content) {
    const std::filesystem::path dir =
        std::filesystem::path(::testing::TempDir()) / "sage_data_tests";
    std::filesystem::create_directories(dir);
    const std::filesystem::path path = dir / name;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    return path.string();
}

inline std::string fixture(const std::string& name) {
    return std::string(SAGE_TEST_DATA_DIR) + "/" + name;
}

/// The shared Amazon files (never copied into the repository); SAGE_AMAZON_DATA overrides.
inline std::string amazonFile(const std::string& name) {
    const char* overridden = std::getenv("SAGE_AMAZON_DATA");
    return std::string(overridden ? overridden : SAGE_AMAZON_DATA_DIR) + "/" + name;
}

}  // namespace sage::testing

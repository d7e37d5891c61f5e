#pragma once
// Helpers for the data tests: tiny files written on the fly, and where the real data lives.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "temp_dir.h"

namespace sage::testing {

/// Writes `content` to a fresh file named `name` in this process's temporary folder (ctest runs
/// tests in parallel processes, which must not overwrite each other's files; removed at exit).
inline std::string writeTempFile(const std::string& name, const std::string& content) {
    static const TempDir dir("sage_data_tests");
    const std::filesystem::path path = dir.path() / name;
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

#pragma once
// Small pieces the benchmark programs share: command-line options, a scratch folder, statistics.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace sage::bench {

/// `--name value` options; anything else is an error that names the option and the usage.
class Options {
public:
    Options(int argc, char** argv, std::string usage) : m_usage(std::move(usage)) {
        for (int i = 1; i < argc; ++i) m_args.emplace_back(argv[i]);
    }
    std::string text(const std::string& name, const std::string& fallback) const {
        for (size_t i = 0; i + 1 < m_args.size(); ++i)
            if (m_args[i] == "--" + name) return m_args[i + 1];
        return fallback;
    }
    long integer(const std::string& name, long fallback) const {
        const std::string value = text(name, "");
        if (value.empty()) return fallback;
        char* end = nullptr;
        const long parsed = std::strtol(value.c_str(), &end, 10);
        if (*end != '\0' || parsed <= 0)
            throw std::invalid_argument("--" + name + " expects a positive integer, got '" + value +
                                        "'\nusage: " + m_usage);
        return parsed;
    }

private:
    std::string m_usage;
    std::vector<std::string> m_args;
};

/// A fresh folder removed with its contents; under `parent` when given, else the temp folder.
class ScratchDir {
public:
    explicit ScratchDir(const std::string& parent) {
        const std::filesystem::path base =
            parent.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(parent);
        m_path = base / ("sage_bench_" + std::to_string(::getpid()));
        std::filesystem::remove_all(m_path);
        std::filesystem::create_directories(m_path);
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    /// A path inside the folder with no file there yet (SQLite's -wal and -shm files removed too).
    std::string freshFile(const std::string& name) const {
        const auto path = m_path / name;
        for (const char* suffix : {"", "-wal", "-shm", "-journal"})
            std::filesystem::remove(path.string() + suffix);
        return path.string();
    }

private:
    std::filesystem::path m_path;
};

inline double median(std::vector<double> values) {
    if (values.empty()) return 0.0;
    std::sort(values.begin(), values.end());
    const size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : 0.5 * (values[mid - 1] + values[mid]);
}

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace sage::bench

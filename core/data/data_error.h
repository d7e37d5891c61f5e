#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace sage {

/// Malformed or unreadable input data. The message names the file, the line (and, for one-line
/// JSON files, the column) and what was expected, like a compiler diagnostic:
/// "Beauty.txt:17: expected an integer item id, got 'x1'".
class DataError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;

    static DataError at(const std::string& file, int64_t line, const std::string& what) {
        return DataError(file + ":" + std::to_string(line) + ": " + what);
    }
    static DataError at(const std::string& file, int64_t line, int64_t column,
                        const std::string& what) {
        return DataError(file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                         what);
    }
    static DataError inFile(const std::string& file, const std::string& what) {
        return DataError(file + ": " + what);
    }
};

}  // namespace sage

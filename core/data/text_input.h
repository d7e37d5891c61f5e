#pragma once
// Small helpers the data loaders share: whole-file reads and strict integer/number parsing.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "data/data_error.h"

namespace sage::text {

inline std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DataError::inFile(path, "cannot open the file");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw DataError::inFile(path, "cannot read the file");
    return std::move(buffer).str();
}

/// The token as it goes into an error message: quoted, and cut short if long.
inline std::string quoted(std::string_view token) {
    constexpr size_t kMax = 40;
    if (token.size() > kMax) return "'" + std::string(token.substr(0, kMax)) + "...'";
    return "'" + std::string(token) + "'";
}

/// The whole token must be a decimal integer (no sign other than '-', no spaces, no fraction).
inline bool parseInteger(std::string_view token, int64_t& value) {
    if (token.empty()) return false;
    const char* end = token.data() + token.size();
    const auto result = std::from_chars(token.data(), end, value);
    return result.ec == std::errc() && result.ptr == end;
}

/// A finite decimal number (integers, fractions, exponents) and nothing else.
inline bool parseNumber(std::string_view token, double& value) {
    if (token.empty()) return false;
    const char* end = token.data() + token.size();
    const auto result = std::from_chars(token.data(), end, value);
    return result.ec == std::errc() && result.ptr == end && std::isfinite(value);
}

inline bool isBlank(std::string_view line) {
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

/// Splits a text into lines ('\n', an optional '\r' before it dropped), numbering them from 1.
class LineReader {
public:
    explicit LineReader(std::string_view text) : m_text(text) {}

    bool next(std::string_view& line) {
        if (m_pos >= m_text.size()) return false;
        size_t end = m_text.find('\n', m_pos);
        if (end == std::string_view::npos) end = m_text.size();
        line = m_text.substr(m_pos, end - m_pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        m_pos = end + 1;
        ++m_lineNumber;
        return true;
    }
    /// The next line that is not blank; `blankBefore` gets the number of the first blank line
    /// skipped on the way (0: none). The loaders allow blank lines only at the end of a file.
    bool nextContent(std::string_view& line, int64_t& blankBefore) {
        blankBefore = 0;
        while (next(line)) {
            if (!isBlank(line)) return true;
            if (blankBefore == 0) blankBefore = m_lineNumber;
        }
        return false;
    }
    int64_t lineNumber() const { return m_lineNumber; }

private:
    std::string_view m_text;
    size_t m_pos = 0;
    int64_t m_lineNumber = 0;
};

}  // namespace sage::text

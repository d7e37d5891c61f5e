#include "data/sequence_dataset.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "data/text_input.h"

namespace sage {
namespace {

// S3-Rec ids are dense; a far larger id space would allocate per-item storage for ids that do not
// exist (an id of 10^9 would cost gigabytes), so such a file is refused.
constexpr int64_t kSparseIdFactor = 4;
constexpr int64_t kSparseIdSlack = 1024;

struct ParsedSequences {
    std::vector<std::vector<int64_t>> sequences;  // 1-based ids as read
    std::vector<std::string> userIds;
    int64_t maxItem = 0;
};

ParsedSequences parseSequences(const std::string& path, std::string_view text) {
    ParsedSequences parsed;
    std::unordered_map<int64_t, int64_t> userLine;
    text::LineReader lines(text);
    std::string_view line;
    int64_t blankLine = 0;
    while (lines.nextContent(line, blankLine)) {
        const int64_t lineNumber = lines.lineNumber();
        if (blankLine != 0)
            throw DataError::at(path, blankLine,
                                "empty line; expected 'user_id item_id item_id ...'");
        std::vector<int64_t> items;
        int64_t user = 0;
        bool haveUser = false;
        size_t pos = 0;
        while (pos < line.size()) {
            const size_t start = line.find_first_not_of(" \t", pos);
            if (start == std::string_view::npos) break;
            size_t end = line.find_first_of(" \t", start);
            if (end == std::string_view::npos) end = line.size();
            pos = end;
            const std::string_view token = line.substr(start, end - start);
            int64_t value = 0;
            const char* role = haveUser ? "item" : "user";
            if (!text::parseInteger(token, value))
                throw DataError::at(
                    path, lineNumber,
                    std::string("expected an integer ") + role + " id, got " + text::quoted(token));
            if (value <= 0)
                throw DataError::at(path, lineNumber,
                                    std::string("expected a positive ") + role +
                                        " id (ids are 1-based), got " + text::quoted(token));
            if (!haveUser) {
                user = value;
                haveUser = true;
            } else {
                items.push_back(value);
                parsed.maxItem = std::max(parsed.maxItem, value);
            }
        }
        if (items.empty())
            throw DataError::at(path, lineNumber,
                                "user " + std::to_string(user) +
                                    " has no items; expected 'user_id item_id item_id ...'");
        const auto [it, inserted] = userLine.emplace(user, lineNumber);
        if (!inserted)
            throw DataError::at(path, lineNumber,
                                "duplicate user " + std::to_string(user) + " (first on line " +
                                    std::to_string(it->second) + "); expected one line per user");
        parsed.sequences.push_back(std::move(items));
        parsed.userIds.push_back(std::to_string(user));
    }
    if (parsed.sequences.empty())
        throw DataError::inFile(path, "no users; expected lines 'user_id item_id item_id ...'");
    return parsed;
}

// A strict parser for exactly the shape {"<item>": [<attribute>, ...], ...}. A general JSON
// library would accept the file but could not say on which line and column a value is wrong.
class AttributeJsonParser {
public:
    AttributeJsonParser(const std::string& path, std::string_view text, int64_t itemCount)
        : m_path(path), m_text(text), m_itemCount(itemCount) {}

    /// Raw (not yet remapped) attribute ids per 0-based item.
    std::vector<std::vector<int64_t>> parse() {
        std::vector<std::vector<int64_t>> attributes(m_itemCount);
        std::vector<size_t> keyOffset(m_itemCount, std::string_view::npos);
        skipSpace();
        expect('{', "expected '{' starting an object {\"item_id\": [attribute_id, ...]}");
        skipSpace();
        if (peek() == '}') {
            ++m_pos;
        } else {
            while (true) {
                skipSpace();
                const size_t keyStart = m_pos;
                const std::string key = parseString();
                int64_t item = 0;
                if (!text::parseInteger(key, item) || item <= 0)
                    fail(keyStart, "expected an item id (a positive integer in quotes), got " +
                                       text::quoted(key));
                if (item > m_itemCount)
                    fail(keyStart, "attributes for item " + key +
                                       ", which is not in the sequences (items 1.." +
                                       std::to_string(m_itemCount) + ")");
                if (keyOffset[item - 1] != std::string_view::npos)
                    fail(keyStart, "duplicate item " + key + " (first at " +
                                       position(keyOffset[item - 1]) + ")");
                keyOffset[item - 1] = keyStart;
                skipSpace();
                expect(':', "expected ':' after item \"" + key + "\"");
                skipSpace();
                attributes[item - 1] = parseAttributeArray(key);
                skipSpace();
                if (peek() == ',') {
                    ++m_pos;
                    continue;
                }
                expect('}', "expected ',' or '}' after the attributes of item \"" + key + "\"");
                break;
            }
        }
        skipSpace();
        if (m_pos < m_text.size()) fail(m_pos, "unexpected text after the closing '}'");
        return attributes;
    }

private:
    char peek() const { return m_pos < m_text.size() ? m_text[m_pos] : '\0'; }

    void skipSpace() {
        while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\t' ||
                                         m_text[m_pos] == '\n' || m_text[m_pos] == '\r'))
            ++m_pos;
    }

    void expect(char c, const std::string& what) {
        if (peek() != c) fail(m_pos, what + ", got " + describeHere());
        ++m_pos;
    }

    std::string parseString() {
        if (peek() != '"') fail(m_pos, "expected an item id in quotes, got " + describeHere());
        const size_t start = m_pos++;
        std::string value;
        while (m_pos < m_text.size() && m_text[m_pos] != '"') {
            if (m_text[m_pos] == '\\' && m_pos + 1 < m_text.size()) ++m_pos;
            value.push_back(m_text[m_pos++]);
        }
        if (m_pos >= m_text.size()) fail(start, "unterminated string");
        ++m_pos;
        return value;
    }

    std::vector<int64_t> parseAttributeArray(const std::string& key) {
        if (peek() != '[')
            fail(m_pos, "expected an array of attribute ids for item \"" + key + "\", got " +
                            describeHere());
        ++m_pos;
        std::vector<int64_t> ids;
        skipSpace();
        if (peek() == ']') {
            ++m_pos;
            return ids;
        }
        while (true) {
            skipSpace();
            const size_t start = m_pos;
            while (m_pos < m_text.size() &&
                   std::string_view(",] \t\r\n").find(m_text[m_pos]) == std::string_view::npos)
                ++m_pos;
            const std::string_view token = m_text.substr(start, m_pos - start);
            int64_t id = 0;
            if (!text::parseInteger(token, id) || id < 0)
                fail(start, "expected a non-negative integer attribute id for item \"" + key +
                                "\", got " +
                                (token.empty() ? describeHere() : text::quoted(token)));
            ids.push_back(id);
            skipSpace();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            expect(']', "expected ',' or ']' in the attributes of item \"" + key + "\"");
            return ids;
        }
    }

    std::string describeHere() const {
        if (m_pos >= m_text.size()) return "the end of the file";
        switch (m_text[m_pos]) {
            case '{':
                return "an object";
            case '"':
                return "a string";
            case '[':
                return "an array";
            default: {
                const size_t end = m_text.find_first_of(",]} \t\r\n", m_pos);
                return text::quoted(m_text.substr(m_pos, end == std::string_view::npos
                                                             ? std::string_view::npos
                                                             : std::max<size_t>(end - m_pos, 1)));
            }
        }
    }

    std::string position(size_t offset) const {
        const auto [line, column] = lineAndColumn(offset);
        return "line " + std::to_string(line) + ", column " + std::to_string(column);
    }

    std::pair<int64_t, int64_t> lineAndColumn(size_t offset) const {
        offset = std::min(offset, m_text.size());
        int64_t line = 1;
        size_t lineStart = 0;
        for (size_t i = 0; i < offset; ++i)
            if (m_text[i] == '\n') {
                ++line;
                lineStart = i + 1;
            }
        return {line, static_cast<int64_t>(offset - lineStart) + 1};
    }

    [[noreturn]] void fail(size_t offset, const std::string& what) const {
        const auto [line, column] = lineAndColumn(offset);
        throw DataError::at(m_path, line, column, what);
    }

    const std::string& m_path;
    std::string_view m_text;
    int64_t m_itemCount;
    size_t m_pos = 0;
};

}  // namespace

int64_t SequenceDataset::interactionCount() const {
    int64_t total = 0;
    for (const auto& sequence : sequences) total += static_cast<int64_t>(sequence.size());
    return total;
}

SequenceDataset parseS3RecSequences(std::string_view text, const std::string& fileName) {
    ParsedSequences parsed = parseSequences(fileName, text);
    int64_t interactions = 0;
    for (const auto& sequence : parsed.sequences) interactions += sequence.size();
    if (parsed.maxItem > kSparseIdFactor * interactions + kSparseIdSlack)
        throw DataError::inFile(
            fileName, "item ids are not dense (largest id " + std::to_string(parsed.maxItem) +
                          " among " + std::to_string(interactions) +
                          " interactions); expected the 1-based ids of the S3-Rec "
                          "format (an interactions table remaps arbitrary ids)");

    SequenceDataset dataset;
    dataset.itemCount = parsed.maxItem;
    dataset.userIds = std::move(parsed.userIds);
    dataset.sequences = std::move(parsed.sequences);
    for (auto& sequence : dataset.sequences)
        for (int64_t& item : sequence) --item;
    dataset.itemIds.reserve(dataset.itemCount);
    for (int64_t j = 1; j <= dataset.itemCount; ++j) dataset.itemIds.push_back(std::to_string(j));
    dataset.itemAttributes.assign(dataset.itemCount, {});
    return dataset;
}

void parseItemAttributes(std::string_view text, const std::string& fileName,
                         SequenceDataset& dataset) {
    auto raw = AttributeJsonParser(fileName, text, dataset.itemCount).parse();
    std::vector<int64_t> ids;
    for (const auto& list : raw) ids.insert(ids.end(), list.begin(), list.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (auto& list : raw)
        for (int64_t& id : list) id = std::lower_bound(ids.begin(), ids.end(), id) - ids.begin();
    dataset.itemAttributes = std::move(raw);
    dataset.attributeCount = static_cast<int64_t>(ids.size());
}

SequenceDataset loadS3RecDataset(const std::string& sequencesPath,
                                 const std::string& attributesPath) {
    SequenceDataset dataset = parseS3RecSequences(text::readFile(sequencesPath), sequencesPath);
    if (!attributesPath.empty())
        parseItemAttributes(text::readFile(attributesPath), attributesPath, dataset);
    return dataset;
}

}  // namespace sage

// loadInteractionsTable and parseInteractionsTable (declared in sequence_dataset.h): CSV/TSV interaction exports.
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <unordered_map>

#include "data/sequence_dataset.h"
#include "data/text_input.h"

namespace sage {
namespace {

struct ColumnNames {
    const char* role;
    std::vector<std::string> accepted;  // lower case
};

const std::array<ColumnNames, 4>& columnNames() {
    static const std::array<ColumnNames, 4> names{{
        {"user", {"user", "user_id", "userid", "reviewerid"}},
        {"item", {"item", "item_id", "itemid", "movieid", "asin", "product_id"}},
        {"timestamp", {"timestamp", "time", "ts", "unixreviewtime"}},
        {"rating", {"rating", "score", "overall"}},
    }};
    return names;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string_view trim(std::string_view s) {
    const size_t begin = s.find_first_not_of(" \t");
    if (begin == std::string_view::npos) return {};
    return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

// Splits one line on the delimiter; a field in double quotes may hold the delimiter, and "" inside
// quotes is a quote (RFC 4180, without fields that span lines).
bool splitFields(std::string_view line, char delimiter, std::vector<std::string>& fields) {
    fields.clear();
    std::string field;
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                field.push_back('"');
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field.push_back(c);
            }
        } else if (c == '"' && trim(field).empty()) {
            field.clear();
            quoted = true;
        } else if (c == delimiter) {
            fields.emplace_back(trim(field));
            field.clear();
        } else {
            field.push_back(c);
        }
    }
    fields.emplace_back(trim(field));
    return !quoted;
}

struct Row {
    int64_t user;
    int64_t item;  // index into the raw item ids, in order of first appearance
    double timestamp;
    double rating;
};

}  // namespace

SequenceDataset loadInteractionsTable(const std::string& path, const InteractionsOptions& options) {
    return parseInteractionsTable(text::readFile(path), path, options);
}

SequenceDataset parseInteractionsTable(std::string_view content, const std::string& fileName,
                                       const InteractionsOptions& options) {
    text::LineReader lines(content);
    std::string_view line;
    if (!lines.next(line) || text::isBlank(line))
        throw DataError::at(fileName, 1,
                            "expected a header line naming the user, item and timestamp columns");

    const char delimiter = line.find('\t') != std::string_view::npos  ? '\t'
                           : line.find(',') != std::string_view::npos ? ','
                           : line.find(';') != std::string_view::npos ? ';'
                                                                      : '\0';
    if (delimiter == '\0')
        throw DataError::at(fileName, 1,
                            "expected a header of tab-, comma- or semicolon-separated column "
                            "names (user, item, timestamp), got " +
                                text::quoted(line));
    std::vector<std::string> fields;
    splitFields(line, delimiter, fields);
    const size_t columnCount = fields.size();
    std::array<int, 4> column{-1, -1, -1, -1};  // user, item, timestamp, rating
    for (size_t c = 0; c < fields.size(); ++c) {
        const std::string name = lower(fields[c]);
        for (size_t role = 0; role < column.size(); ++role) {
            const auto& accepted = columnNames()[role].accepted;
            if (column[role] < 0 &&
                std::find(accepted.begin(), accepted.end(), name) != accepted.end())
                column[role] = static_cast<int>(c);
        }
    }
    std::string missing;
    for (size_t role = 0; role < 3; ++role) {
        if (column[role] >= 0) continue;
        missing += (missing.empty() ? "" : "; ") + std::string("a ") + columnNames()[role].role +
                   " column (";
        for (size_t k = 0; k < columnNames()[role].accepted.size(); ++k)
            missing += (k ? " | " : "") + columnNames()[role].accepted[k];
        missing += ")";
    }
    if (!missing.empty())
        throw DataError::at(fileName, 1, "the header lacks " + missing + "; got " + text::quoted(line));
    const bool hasRating = column[3] >= 0;
    const bool filterRating = !std::isnan(options.minRating);
    if (filterRating && !hasRating)
        throw DataError::at(fileName, 1,
                            "a minimum rating was asked for, but the header names no rating "
                            "column (rating | score | overall)");

    std::vector<Row> rows;
    std::vector<std::string> userIds, rawItemIds;
    std::unordered_map<std::string, int64_t> userIndex, itemIndex;
    int64_t blankLine = 0;
    while (lines.nextContent(line, blankLine)) {
        const int64_t lineNumber = lines.lineNumber();
        if (blankLine != 0)
            throw DataError::at(fileName, blankLine,
                                "empty line; expected " + std::to_string(columnCount) + " columns");
        if (!splitFields(line, delimiter, fields))
            throw DataError::at(fileName, lineNumber, "unterminated quoted field");
        if (fields.size() != columnCount)
            throw DataError::at(fileName, lineNumber,
                                "expected " + std::to_string(columnCount) + " columns, got " +
                                    std::to_string(fields.size()));
        const std::string& user = fields[column[0]];
        const std::string& item = fields[column[1]];
        if (user.empty()) throw DataError::at(fileName, lineNumber, "expected a user id, got nothing");
        if (item.empty()) throw DataError::at(fileName, lineNumber, "expected an item id, got nothing");
        Row row{};
        if (!text::parseNumber(fields[column[2]], row.timestamp))
            throw DataError::at(
                fileName, lineNumber,
                "expected a numeric timestamp, got " + text::quoted(fields[column[2]]));
        if (hasRating && !text::parseNumber(fields[column[3]], row.rating))
            throw DataError::at(
                fileName, lineNumber,
                "expected a numeric rating, got " + text::quoted(fields[column[3]]));
        if (filterRating && row.rating < options.minRating) continue;
        row.user = userIndex.emplace(user, static_cast<int64_t>(userIds.size())).first->second;
        if (row.user == static_cast<int64_t>(userIds.size())) userIds.push_back(user);
        row.item = itemIndex.emplace(item, static_cast<int64_t>(rawItemIds.size())).first->second;
        if (row.item == static_cast<int64_t>(rawItemIds.size())) rawItemIds.push_back(item);
        rows.push_back(row);
    }

    // k-core: removing a sparse user can make an item sparse and the other way round, so repeat
    // until nothing changes.
    std::vector<uint8_t> keep(rows.size(), 1);
    if (options.kCore > 1) {
        std::vector<int64_t> userCounts(userIds.size()), itemCounts(rawItemIds.size());
        for (bool changed = true; changed;) {
            changed = false;
            std::fill(userCounts.begin(), userCounts.end(), 0);
            std::fill(itemCounts.begin(), itemCounts.end(), 0);
            for (size_t r = 0; r < rows.size(); ++r)
                if (keep[r]) ++userCounts[rows[r].user], ++itemCounts[rows[r].item];
            for (size_t r = 0; r < rows.size(); ++r)
                if (keep[r] && (userCounts[rows[r].user] < options.kCore ||
                                itemCounts[rows[r].item] < options.kCore)) {
                    keep[r] = 0;
                    changed = true;
                }
        }
    }

    std::vector<std::vector<size_t>> rowsOfUser(userIds.size());
    for (size_t r = 0; r < rows.size(); ++r)
        if (keep[r]) rowsOfUser[rows[r].user].push_back(r);
    std::vector<int64_t> itemRemap(rawItemIds.size(), -1);
    SequenceDataset dataset;
    for (size_t r = 0; r < rows.size(); ++r) {
        if (!keep[r] || itemRemap[rows[r].item] >= 0) continue;
        itemRemap[rows[r].item] = static_cast<int64_t>(dataset.itemIds.size());
        dataset.itemIds.push_back(rawItemIds[rows[r].item]);
    }
    for (size_t u = 0; u < userIds.size(); ++u) {
        auto& mine = rowsOfUser[u];
        if (mine.empty()) continue;
        std::stable_sort(mine.begin(), mine.end(),
                         [&](size_t a, size_t b) { return rows[a].timestamp < rows[b].timestamp; });
        std::vector<int64_t> sequence;
        sequence.reserve(mine.size());
        for (size_t r : mine) sequence.push_back(itemRemap[rows[r].item]);
        dataset.sequences.push_back(std::move(sequence));
        dataset.userIds.push_back(userIds[u]);
    }
    if (dataset.sequences.empty())
        throw DataError::inFile(fileName, rows.empty() ? "no interactions after the header"
                                                   : "no interactions left after filtering "
                                                     "(minimum rating, k-core)");
    dataset.itemCount = static_cast<int64_t>(dataset.itemIds.size());
    dataset.itemAttributes.assign(dataset.itemCount, {});
    return dataset;
}

}  // namespace sage

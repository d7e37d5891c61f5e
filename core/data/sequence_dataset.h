#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "data/data_error.h"

namespace sage {

/// Users' interaction sequences over a catalogue of items, the input of the Amazon offline
/// environment (ENVIRONMENTS.md section 2). Item and attribute ids are dense and 0-based.
struct SequenceDataset {
    int64_t itemCount = 0;
    /// One sequence per user, 0-based item ids in chronological order; never empty.
    std::vector<std::vector<int64_t>> sequences;
    /// Per item (itemCount entries), its 0-based attribute ids; empty where an item has none.
    std::vector<std::vector<int64_t>> itemAttributes;
    int64_t attributeCount = 0;
    /// The user ids as written in the file, parallel to `sequences`.
    std::vector<std::string> userIds;
    /// The item ids as written in the file, indexed by the 0-based item id.
    std::vector<std::string> itemIds;

    int64_t userCount() const { return static_cast<int64_t>(sequences.size()); }
    int64_t interactionCount() const;
};

/// Loads the S3-Rec format: `<name>.txt` with one line `user item item ...` per user (positive
/// integer ids, 1-based, items in chronological order) and, optionally (empty path: none),
/// `<name>_item2attributes.json` = {"item": [attribute, ...], ...}.
///
/// Item j of the file becomes item j-1; itemCount is the largest item id. Attribute ids (any
/// non-negative integers) are remapped densely in increasing order. An attribute entry for an item
/// id outside 1..itemCount is an error, not silently ignored: it almost always means the two files
/// belong to different datasets. Every malformed input throws DataError naming file, line and what
/// was expected; nothing is half-loaded.
SequenceDataset loadS3RecDataset(const std::string& sequencesPath,
                                 const std::string& attributesPath = {});

/// loadS3RecDataset's two halves on text already in memory (what the file readers and the fuzz
/// targets share); `fileName` is the name error messages give the text. The sequences alone make
/// a dataset with no attributes; parseItemAttributes then fills itemAttributes and attributeCount
/// for dataset.itemCount items, and on a DataError leaves the dataset as it was.
SequenceDataset parseS3RecSequences(std::string_view text, const std::string& fileName);
void parseItemAttributes(std::string_view text, const std::string& fileName,
                         SequenceDataset& dataset);

/// Options for a plain interactions table (MovieLens- or Amazon-review-style exports).
struct InteractionsOptions {
    /// Keep only rows whose rating is at least this (when the table has a rating column); NaN: all.
    double minRating = std::numeric_limits<double>::quiet_NaN();
    /// k-core filter: drop users and items with fewer than k interactions, repeated until every
    /// remaining user and item has at least k. 0 or 1: no filter.
    int kCore = 0;
};

/// Loads a CSV or TSV table whose header names a user, an item and a timestamp column (and
/// optionally a rating column); the delimiter is the one the header uses (tab, comma or semicolon).
/// Accepted names, case-insensitive: user | user_id | userid | reviewerid; item | item_id | itemid
/// | movieid | asin | product_id; timestamp | time | ts | unixreviewtime; rating | score | overall.
/// Each user's rows are ordered by timestamp (stable: ties keep file order); users keep the order
/// in which they first appear, items are numbered densely in order of first appearance (after
/// filtering). Throws DataError (file:line: what was expected) on malformed input.
SequenceDataset loadInteractionsTable(const std::string& path,
                                      const InteractionsOptions& options = {});
/// The same on text already in memory; `fileName` names it in error messages.
SequenceDataset parseInteractionsTable(std::string_view text, const std::string& fileName,
                                       const InteractionsOptions& options = {});

}  // namespace sage

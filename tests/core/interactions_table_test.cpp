#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/sequence_dataset.h"
#include "data_test_files.h"

namespace sage {
namespace {

using sage::testing::fixture;
using sage::testing::writeTempFile;
using ::testing::HasSubstr;

std::string tableError(const std::string& content, const InteractionsOptions& options = {}) {
    try {
        loadInteractionsTable(writeTempFile("bad.csv", content), options);
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

TEST(InteractionsTable, CsvRowsAreOrderedByTimeAndItemsRemappedDensely) {
    const SequenceDataset data = loadInteractionsTable(fixture("interactions_small.csv"));
    // Items in order of first appearance in the file: i3, i1, i2, i4.
    EXPECT_EQ(data.itemIds, (std::vector<std::string>{"i3", "i1", "i2", "i4"}));
    EXPECT_EQ(data.itemCount, 4);
    EXPECT_EQ(data.userIds, (std::vector<std::string>{"u1", "u2", "u3"}));
    // u1: i1@100, i2@200, i3@300; u2: i2@50 and i1@50 tie, so file order stays.
    EXPECT_EQ(data.sequences, (std::vector<std::vector<int64_t>>{{1, 2, 0}, {2, 1}, {3}}));
    EXPECT_EQ(data.attributeCount, 0);
    EXPECT_EQ(data.itemAttributes.size(), 4u);
}

TEST(InteractionsTable, TsvWithMovieLensNames) {
    const SequenceDataset data = loadInteractionsTable(fixture("interactions_small.tsv"));
    EXPECT_EQ(data.itemIds, (std::vector<std::string>{"31", "1029", "10"}));
    EXPECT_EQ(data.userIds, (std::vector<std::string>{"7", "9"}));
    EXPECT_EQ(data.sequences, (std::vector<std::vector<int64_t>>{{2, 0, 1}, {0}}));
}

TEST(InteractionsTable, MinimumRatingDropsRowsBeforeRemapping) {
    InteractionsOptions options;
    options.minRating = 3.0;
    const SequenceDataset data = loadInteractionsTable(fixture("interactions_small.csv"), options);
    EXPECT_EQ(data.itemIds, (std::vector<std::string>{"i3", "i1", "i2"}));
    EXPECT_EQ(data.userIds, (std::vector<std::string>{"u1", "u2"}));
    EXPECT_EQ(data.sequences, (std::vector<std::vector<int64_t>>{{1, 0}, {2, 1}}));
}

TEST(InteractionsTable, KCoreIteratesUntilStable) {
    // First pass drops (c, z) for z's single interaction; c is then left with one interaction,
    // so the second pass drops (c, y).
    const std::string path =
        writeTempFile("kcore.csv", "user,item,time\na,x,1\na,y,2\nb,x,3\nb,y,4\nc,y,5\nc,z,6\n");
    InteractionsOptions options;
    options.kCore = 2;
    const SequenceDataset data = loadInteractionsTable(path, options);
    EXPECT_EQ(data.userIds, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(data.itemIds, (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(data.sequences, (std::vector<std::vector<int64_t>>{{0, 1}, {0, 1}}));
    options.kCore = 3;
    EXPECT_THROW(loadInteractionsTable(path, options), DataError);
}

TEST(InteractionsTable, QuotedFieldsSemicolonsAndCaseInsensitiveNames) {
    const std::string path = writeTempFile(
        "quoted.csv",
        "UserID,ASIN,Overall,unixReviewTime\n\"a\",\"B0,01\",5,10\n\"a\",\"x\"\"y\",4,5\n");
    const SequenceDataset data = loadInteractionsTable(path);
    EXPECT_EQ(data.itemIds, (std::vector<std::string>{"B0,01", "x\"y"}));
    EXPECT_EQ(data.sequences, (std::vector<std::vector<int64_t>>{{1, 0}}));
    const SequenceDataset semi =
        loadInteractionsTable(writeTempFile("semi.csv", "user;item;ts\n1;2;3\n"));
    EXPECT_EQ(semi.itemIds, (std::vector<std::string>{"2"}));
}

TEST(InteractionsTable, MissingColumnsAreNamed) {
    const std::string message = tableError("user,item,rating\n1,2,3\n");
    EXPECT_THAT(message, HasSubstr("bad.csv:1: the header lacks a timestamp column"));
    EXPECT_THAT(message, HasSubstr("timestamp | time | ts"));
    EXPECT_THAT(tableError("who,what,when\n"), HasSubstr("lacks a user column (user | user_id"));
    EXPECT_THAT(tableError(""), HasSubstr("bad.csv:1: expected a header line"));
    EXPECT_THAT(tableError("user item timestamp\n"),
                HasSubstr("bad.csv:1: expected a header of tab-, comma- or semicolon-separated"));
}

TEST(InteractionsTable, WrongColumnCountNamesTheLine) {
    EXPECT_THAT(tableError("user,item,timestamp\n1,2,3\n1,2\n"),
                HasSubstr("bad.csv:3: expected 3 columns, got 2"));
    EXPECT_THAT(tableError("user,item,timestamp\n1,2,3,4\n"),
                HasSubstr("bad.csv:2: expected 3 columns, got 4"));
    EXPECT_THAT(tableError("user,item,timestamp\n1,\"2,3\n"),
                HasSubstr("bad.csv:2: unterminated quoted field"));
    EXPECT_THAT(tableError("user,item,timestamp\n1,2,3\n\n1,3,4\n"),
                HasSubstr("bad.csv:3: empty line; expected 3 columns"));
    EXPECT_THAT(tableError("user,item,timestamp\n1,,3\n"),
                HasSubstr("bad.csv:2: expected an item id, got nothing"));
}

TEST(InteractionsTable, NonNumericTimestampOrRatingIsRejected) {
    EXPECT_THAT(tableError("user,item,timestamp\n1,2,3\n1,3,yesterday\n"),
                HasSubstr("bad.csv:3: expected a numeric timestamp, got 'yesterday'"));
    EXPECT_THAT(tableError("user,item,rating,timestamp\n1,2,five,3\n"),
                HasSubstr("bad.csv:2: expected a numeric rating, got 'five'"));
    InteractionsOptions options;
    options.minRating = 4;
    EXPECT_THAT(tableError("user,item,timestamp\n1,2,3\n", options),
                HasSubstr("names no rating column"));
    EXPECT_THAT(tableError("user,item,timestamp\n"), HasSubstr("no interactions after the header"));
}

}  // namespace
}  // namespace sage

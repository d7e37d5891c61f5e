#include "data/sequence_dataset.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data_test_files.h"

namespace sage {
namespace {

using sage::testing::fixture;
using sage::testing::writeTempFile;
using ::testing::HasSubstr;

// The message of the DataError that loading throws ("" if it loads).
std::string s3recError(const std::string& sequences, const std::string& attributes = {}) {
    const std::string seqPath = writeTempFile("bad.txt", sequences);
    const std::string attrPath = attributes.empty() ? "" : writeTempFile("bad.json", attributes);
    try {
        loadS3RecDataset(seqPath, attrPath);
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

TEST(SequenceDataset, LoadsTheS3RecFormat) {
    const SequenceDataset data =
        loadS3RecDataset(fixture("s3rec_small.txt"), fixture("s3rec_small_item2attributes.json"));
    EXPECT_EQ(data.itemCount, 8);
    EXPECT_EQ(data.userCount(), 5);
    EXPECT_EQ(data.interactionCount(), 5 + 4 + 3 + 4 + 2);
    EXPECT_EQ(data.userIds, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
    EXPECT_EQ(data.sequences[0], (std::vector<int64_t>{0, 1, 2, 3, 4}));  // 1-based -> 0-based
    EXPECT_EQ(data.sequences[3], (std::vector<int64_t>{2, 7, 1, 0}));
    EXPECT_EQ(data.itemIds[7], "8");
    // Raw attribute ids 10, 20, 30, 40 become 0, 1, 2, 3.
    EXPECT_EQ(data.attributeCount, 4);
    ASSERT_EQ(data.itemAttributes.size(), 8u);
    EXPECT_EQ(data.itemAttributes[0], (std::vector<int64_t>{0, 1}));
    EXPECT_EQ(data.itemAttributes[1], (std::vector<int64_t>{1}));
    EXPECT_TRUE(data.itemAttributes[2].empty());
    EXPECT_TRUE(data.itemAttributes[3].empty());
    EXPECT_EQ(data.itemAttributes[4], (std::vector<int64_t>{2, 0, 3}));
}

TEST(SequenceDataset, AttributesAreOptional) {
    const SequenceDataset data = loadS3RecDataset(fixture("s3rec_small.txt"));
    EXPECT_EQ(data.attributeCount, 0);
    EXPECT_EQ(data.itemAttributes.size(), 8u);
}

TEST(SequenceDataset, ToleratesCrlfTabsAndTrailingBlankLines) {
    const std::string path = writeTempFile("ok.txt", "1 1 2\r\n2\t2  3\r\n\n\n");
    const SequenceDataset data = loadS3RecDataset(path);
    EXPECT_EQ(data.sequences, (std::vector<std::vector<int64_t>>{{0, 1}, {1, 2}}));
}

TEST(SequenceDataset, NonIntegerTokenNamesFileLineAndToken) {
    EXPECT_THAT(s3recError("1 1 2\n2 3 x1 4\n"),
                HasSubstr("bad.txt:2: expected an integer item id, got 'x1'"));
    EXPECT_THAT(s3recError("1 1 2\n2 3 4.5\n"),
                HasSubstr("bad.txt:2: expected an integer item id"));
    EXPECT_THAT(s3recError("u1 1 2\n"), HasSubstr("bad.txt:1: expected an integer user id"));
}

TEST(SequenceDataset, NonPositiveIdIsRejected) {
    EXPECT_THAT(s3recError("1 1 2\n2 3 0\n"),
                HasSubstr("bad.txt:2: expected a positive item id (ids are 1-based), got '0'"));
    EXPECT_THAT(s3recError("1 -4 2\n"), HasSubstr("bad.txt:1: expected a positive item id"));
    EXPECT_THAT(s3recError("1 1\n-2 1\n"), HasSubstr("bad.txt:2: expected a positive user id"));
}

TEST(SequenceDataset, EmptyLineOrUserWithoutItemsIsRejected) {
    EXPECT_THAT(s3recError("1 1 2\n\n2 3 4\n"), HasSubstr("bad.txt:2: empty line"));
    EXPECT_THAT(s3recError("1 1 2\n  \t\n2 3 4\n"), HasSubstr("bad.txt:2: empty line"));
    EXPECT_THAT(s3recError("1 1 2\n2 3\n3\n"), HasSubstr("bad.txt:3: user 3 has no items"));
    EXPECT_THAT(s3recError(""), HasSubstr("bad.txt: no users"));
}

TEST(SequenceDataset, DuplicateUserLineIsRejected) {
    EXPECT_THAT(s3recError("1 1 2\n2 3 4\n1 5\n"),
                HasSubstr("bad.txt:3: duplicate user 1 (first on line 1)"));
}

TEST(SequenceDataset, SparseIdSpaceAndMissingFileAreRejected) {
    EXPECT_THAT(s3recError("1 1 2\n2 900000000\n"), HasSubstr("item ids are not dense"));
    EXPECT_THROW(loadS3RecDataset(fixture("no_such_file.txt")), DataError);
    try {
        loadS3RecDataset(fixture("no_such_file.txt"));
    } catch (const DataError& e) {
        EXPECT_THAT(e.what(), HasSubstr("no_such_file.txt: cannot open the file"));
    }
}

TEST(SequenceDataset, AttributeJsonThatDoesNotParseNamesLineAndColumn) {
    const std::string sequences = "1 1 2 3\n";
    EXPECT_THAT(s3recError(sequences, "{\n  \"1\": [1, 2\n}\n"),
                HasSubstr("bad.json:3:1: expected ',' or ']' in the attributes of item \"1\""));
    EXPECT_THAT(s3recError(sequences, "{\"1\": [1], \"2\": [2]"),
                HasSubstr("bad.json:1:20: expected ',' or '}'"));
    EXPECT_THAT(s3recError(sequences, "[1, 2]"), HasSubstr("bad.json:1:1: expected '{'"));
    EXPECT_THAT(s3recError(sequences, "{\"1\": [1]} extra"),
                HasSubstr("bad.json:1:12: unexpected text after the closing '}'"));
    EXPECT_THAT(s3recError(sequences, "{\"1\": [\"a\"]}"),
                HasSubstr("expected a non-negative integer attribute id for item \"1\""));
    EXPECT_THAT(s3recError(sequences, "{\"1\": [-2]}"),
                HasSubstr("expected a non-negative integer attribute id"));
    EXPECT_THAT(s3recError(sequences, "{\"one\": [1]}"),
                HasSubstr("bad.json:1:2: expected an item id (a positive integer in quotes), got "
                          "'one'"));
    EXPECT_THAT(s3recError(sequences, "{\"1\": [1],\n \"1\": [2]}"),
                HasSubstr("bad.json:2:2: duplicate item 1 (first at line 1, column 2)"));
}

TEST(SequenceDataset, AttributeValueThatIsNotAnArrayIsRejected) {
    EXPECT_THAT(
        s3recError("1 1 2 3\n", "{\n \"1\": [1],\n \"2\": 5\n}"),
        HasSubstr("bad.json:3:7: expected an array of attribute ids for item \"2\", got '5'"));
    EXPECT_THAT(s3recError("1 1 2 3\n", "{\"2\": {\"a\": 1}}"),
                HasSubstr("expected an array of attribute ids for item \"2\", got an object"));
}

TEST(SequenceDataset, AttributeForAnItemNotInTheSequencesIsAnError) {
    // Documented choice: such an entry means the files belong to different datasets.
    EXPECT_THAT(s3recError("1 1 2 3\n", "{\"1\": [1],\n\"4\": [2]}"),
                HasSubstr("bad.json:2:1: attributes for item 4, which is not in the sequences "
                          "(items 1..3)"));
}

}  // namespace
}  // namespace sage

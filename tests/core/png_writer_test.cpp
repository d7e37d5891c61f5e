#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "png_test_decoder.h"
#include "report/png_writer.h"
#include "temp_dir.h"

namespace sage {
namespace {

using testing::decodePng;

TEST(PngWriter, ChunksCrcsSizeAndEveryPixelRoundTrip) {
    RgbImage image(7, 3, {255, 255, 255});
    image.set(0, 0, {255, 0, 0});
    image.set(6, 2, {0, 0, 255});
    image.set(3, 1, {1, 2, 3});
    const auto png = PngWriter::encode(image);
    const auto decoded = decodePng(png);
    EXPECT_EQ(decoded.chunkTypes, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
    EXPECT_EQ(decoded.width, 7);
    EXPECT_EQ(decoded.height, 3);
    EXPECT_EQ(decoded.rgb, image.bytes());
    EXPECT_EQ(decoded.pixel(6, 2), (Rgb{0, 0, 255}));
}

TEST(PngWriter, ACorruptedByteFailsItsChunkCrc) {
    RgbImage image(4, 4, {10, 20, 30});
    auto png = PngWriter::encode(image);
    png[8 + 8 + 2] ^= 0x01;  // inside IHDR's data (its width)
    EXPECT_THROW(decodePng(png), std::runtime_error);
}

TEST(PngWriter, WritesTheFileWholeAndNamesAPathItCannotWrite) {
    testing::TempDir dir{"sage_png"};
    RgbImage image(5, 2, {0, 128, 0});
    const std::string path = dir.file("plot.png");
    PngWriter::write(image, path);
    std::ifstream in(path, std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_EQ(decodePng(bytes).pixel(4, 1), (Rgb{0, 128, 0}));
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
    try {
        PngWriter::write(image, dir.file("missing-folder/plot.png"));
        FAIL() << "no error";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("missing-folder/plot.png"), std::string::npos) << error.what();
    }
}

TEST(RgbImage, LinesClipAndBlendMixes) {
    RgbImage image(10, 10, {0, 0, 0});
    image.drawLine(-5, 5, 20, 5, {255, 255, 255}, 3);  // clipped, three rows thick
    for (int x = 0; x < 10; ++x) {
        EXPECT_EQ(image.pixel(x, 4), (Rgb{255, 255, 255}));
        EXPECT_EQ(image.pixel(x, 6), (Rgb{255, 255, 255}));
        EXPECT_EQ(image.pixel(x, 7), (Rgb{0, 0, 0}));
    }
    image.drawLine(0, 0, 9, 9, {9, 9, 9});
    for (int i = 0; i < 10; ++i) {
        if (i < 4 || i > 6) {
            EXPECT_EQ(image.pixel(i, i), (Rgb{9, 9, 9}));
        }
    }
    image.blend(9, 0, {200, 100, 0}, 0.5);
    EXPECT_EQ(image.pixel(9, 0), (Rgb{100, 50, 0}));
    EXPECT_THROW(image.pixel(10, 0), std::out_of_range);
    EXPECT_THROW(RgbImage(0, 5, {}), std::invalid_argument);
}

}  // namespace
}  // namespace sage

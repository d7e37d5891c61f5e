#include "report/png_writer.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace sage {
namespace {

void appendBigEndian(std::vector<uint8_t>& out, uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(value >> shift));
}

// length, type, data, CRC-32 of type and data (PNG spec 5.3).
void appendChunk(std::vector<uint8_t>& out, const char type[4], const std::vector<uint8_t>& data) {
    appendBigEndian(out, static_cast<uint32_t>(data.size()));
    const size_t typeAt = out.size();
    out.insert(out.end(), type, type + 4);
    out.insert(out.end(), data.begin(), data.end());
    const uLong crc = crc32(crc32(0L, Z_NULL, 0), out.data() + typeAt, static_cast<uInt>(4 + data.size()));
    appendBigEndian(out, static_cast<uint32_t>(crc));
}

}  // namespace

std::vector<uint8_t> PngWriter::encode(const RgbImage& image) {
    const size_t stride = size_t(image.width()) * 3;
    // Each scanline starts with its filter type; 0 (none) keeps the encoder trivial, and plots are
    // mostly flat colour, which deflate compresses well anyway.
    std::vector<uint8_t> raw;
    raw.reserve((stride + 1) * size_t(image.height()));
    const auto& bytes = image.bytes();
    for (int y = 0; y < image.height(); ++y) {
        raw.push_back(0);
        raw.insert(raw.end(), bytes.begin() + std::ptrdiff_t(size_t(y) * stride),
                   bytes.begin() + std::ptrdiff_t(size_t(y + 1) * stride));
    }
    uLongf compressedSize = compressBound(static_cast<uLong>(raw.size()));
    std::vector<uint8_t> compressed(compressedSize);
    const int status = compress2(compressed.data(), &compressedSize, raw.data(), static_cast<uLong>(raw.size()),
                                 Z_BEST_COMPRESSION);
    if (status != Z_OK) throw std::runtime_error("zlib could not compress the image (error " + std::to_string(status) + ")");
    compressed.resize(compressedSize);

    std::vector<uint8_t> png{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<uint8_t> header;
    appendBigEndian(header, static_cast<uint32_t>(image.width()));
    appendBigEndian(header, static_cast<uint32_t>(image.height()));
    header.insert(header.end(), {8, 2, 0, 0, 0});  // bit depth 8, truecolour, deflate, filter 0, no interlace
    appendChunk(png, "IHDR", header);
    appendChunk(png, "IDAT", compressed);
    appendChunk(png, "IEND", {});
    return png;
}

void PngWriter::write(const RgbImage& image, const std::string& path) {
    const auto png = encode(image);
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (out) out.write(reinterpret_cast<const char*>(png.data()), std::streamsize(png.size()));
        if (!out || !out.flush())
            throw std::runtime_error("cannot write " + temporary + ": " + std::strerror(errno));
    }
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
        const std::string reason = error.message();
        std::filesystem::remove(temporary, error);
        throw std::runtime_error("cannot write " + path + ": " + reason);
    }
}

}  // namespace sage

#pragma once
// An independent reader of the PNGs the report writes, for tests: checks the signature, every
// chunk's length and CRC-32 (computed here bit by bit, not with zlib's table), the IHDR fields,
// inflates IDAT with zlib and undoes the scanline filters, so a test can look at pixels.
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "report/rgb_image.h"

namespace sage::testing {

struct DecodedPng {
    int width = 0;
    int height = 0;
    std::vector<std::string> chunkTypes;
    std::vector<uint8_t> rgb;  // row-major, three bytes per pixel
    Rgb pixel(int x, int y) const {
        const size_t at = (size_t(y) * size_t(width) + size_t(x)) * 3;
        return {rgb[at], rgb[at + 1], rgb[at + 2]};
    }
};

inline uint32_t bitwiseCrc32(const uint8_t* data, size_t size) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < size; ++i) {
        crc ^= data[i];
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

inline uint32_t readBigEndian(const std::vector<uint8_t>& bytes, size_t at) {
    if (at + 4 > bytes.size()) throw std::runtime_error("truncated at byte " + std::to_string(at));
    return uint32_t(bytes[at]) << 24 | uint32_t(bytes[at + 1]) << 16 | uint32_t(bytes[at + 2]) << 8 | bytes[at + 3];
}

/// Throws std::runtime_error saying what is wrong.
inline DecodedPng decodePng(const std::vector<uint8_t>& png) {
    static const uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    if (png.size() < 8 || !std::equal(signature, signature + 8, png.begin())) throw std::runtime_error("no PNG signature");
    DecodedPng out;
    std::vector<uint8_t> idat;
    size_t at = 8;
    while (at < png.size()) {
        const uint32_t length = readBigEndian(png, at);
        if (at + 12 + length > png.size()) throw std::runtime_error("chunk overruns the file");
        const std::string type(png.begin() + std::ptrdiff_t(at + 4), png.begin() + std::ptrdiff_t(at + 8));
        const uint32_t stored = readBigEndian(png, at + 8 + length);
        if (stored != bitwiseCrc32(png.data() + at + 4, 4 + length)) throw std::runtime_error("bad CRC in " + type);
        const std::vector<uint8_t> data(png.begin() + std::ptrdiff_t(at + 8), png.begin() + std::ptrdiff_t(at + 8 + length));
        out.chunkTypes.push_back(type);
        if (type == "IHDR") {
            if (length != 13) throw std::runtime_error("IHDR of length " + std::to_string(length));
            out.width = int(readBigEndian(data, 0));
            out.height = int(readBigEndian(data, 4));
            if (data[8] != 8 || data[9] != 2 || data[10] != 0 || data[11] != 0 || data[12] != 0)
                throw std::runtime_error("not 8-bit truecolour, deflate, filter method 0, no interlace");
        } else if (type == "IDAT") {
            idat.insert(idat.end(), data.begin(), data.end());
        }
        at += 12 + length;
    }
    if (out.chunkTypes.empty() || out.chunkTypes.front() != "IHDR") throw std::runtime_error("IHDR is not first");
    if (out.chunkTypes.back() != "IEND") throw std::runtime_error("IEND is not last");
    const size_t stride = size_t(out.width) * 3;
    std::vector<uint8_t> raw((stride + 1) * size_t(out.height));
    uLongf rawSize = static_cast<uLongf>(raw.size());
    if (uncompress(raw.data(), &rawSize, idat.data(), static_cast<uLong>(idat.size())) != Z_OK || rawSize != raw.size())
        throw std::runtime_error("IDAT does not inflate to height × (1 + 3 × width) bytes");
    out.rgb.resize(stride * size_t(out.height));
    for (int y = 0; y < out.height; ++y) {
        const uint8_t* line = raw.data() + size_t(y) * (stride + 1);
        uint8_t* row = out.rgb.data() + size_t(y) * stride;
        const uint8_t* up = y > 0 ? row - stride : nullptr;
        for (size_t i = 0; i < stride; ++i) {
            const int a = i >= 3 ? row[i - 3] : 0, b = up ? up[i] : 0, c = up && i >= 3 ? up[i - 3] : 0;
            int predictor = 0;
            switch (line[0]) {
                case 0: predictor = 0; break;
                case 1: predictor = a; break;
                case 2: predictor = b; break;
                case 3: predictor = (a + b) / 2; break;
                case 4: {
                    const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
                    predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    break;
                }
                default: throw std::runtime_error("unknown filter type " + std::to_string(line[0]));
            }
            row[i] = uint8_t(line[1 + i] + predictor);
        }
    }
    return out;
}

}  // namespace sage::testing

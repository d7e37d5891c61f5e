#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "report/rgb_image.h"

namespace sage {

/// Encodes an RgbImage as a PNG (8-bit truecolour, no interlace, zlib-compressed scanlines with
/// filter type 0): enough for the report's plots, with zlib as the only dependency, so that
/// sage-train writes figures without Qt.
class PngWriter {
public:
    static std::vector<uint8_t> encode(const RgbImage& image);
    /// Writes the file whole or not at all (a temporary next to it, then renamed). Throws
    /// std::runtime_error naming the file and the reason.
    static void write(const RgbImage& image, const std::string& path);
};

}  // namespace sage

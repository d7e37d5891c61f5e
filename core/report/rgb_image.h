#pragma once
#include <cstdint>
#include <vector>

namespace sage {

/// An 8-bit colour.
struct Rgb {
    uint8_t r = 0;
    uint8_t g = 0;
    uint8_t b = 0;
    bool operator==(const Rgb& o) const { return r == o.r && g == o.g && b == o.b; }
    bool operator!=(const Rgb& o) const { return !(*this == o); }
};

/// A plain RGB raster, row-major from the top-left: what the report's plots are drawn on before
/// PngWriter encodes them. Drawing clips to the image, so callers need not check bounds.
class RgbImage {
public:
    RgbImage(int width, int height, Rgb background);

    int width() const { return m_width; }
    int height() const { return m_height; }
    Rgb pixel(int x, int y) const;
    /// Row-major bytes, three per pixel.
    const std::vector<uint8_t>& bytes() const { return m_bytes; }

    void set(int x, int y, Rgb colour);
    /// Mixes `colour` over the pixel with opacity `alpha` in [0, 1] (for the ± std bands).
    void blend(int x, int y, Rgb colour, double alpha);
    void fillRect(int x, int y, int width, int height, Rgb colour);
    /// A line `thickness` pixels wide (a square brush along Bresenham's path).
    void drawLine(int x0, int y0, int x1, int y1, Rgb colour, int thickness = 1);

private:
    bool inside(int x, int y) const { return x >= 0 && y >= 0 && x < m_width && y < m_height; }

    int m_width;
    int m_height;
    std::vector<uint8_t> m_bytes;
};

}  // namespace sage

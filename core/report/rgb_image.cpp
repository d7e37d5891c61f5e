#include "report/rgb_image.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace sage {

RgbImage::RgbImage(int width, int height, Rgb background) : m_width(width), m_height(height) {
    // PNG allows up to 2^31 − 1, but a report plot is a screen's size; refuse what is surely a bug.
    if (width < 1 || height < 1 || width > 16384 || height > 16384)
        throw std::invalid_argument("image size " + std::to_string(width) + "×" + std::to_string(height) +
                                    " is outside 1…16384 pixels per side");
    m_bytes.resize(size_t(width) * size_t(height) * 3);
    for (size_t i = 0; i < m_bytes.size(); i += 3) {
        m_bytes[i] = background.r;
        m_bytes[i + 1] = background.g;
        m_bytes[i + 2] = background.b;
    }
}

Rgb RgbImage::pixel(int x, int y) const {
    if (!inside(x, y)) throw std::out_of_range("pixel (" + std::to_string(x) + ", " + std::to_string(y) +
                                               ") is outside the image");
    const size_t at = (size_t(y) * size_t(m_width) + size_t(x)) * 3;
    return {m_bytes[at], m_bytes[at + 1], m_bytes[at + 2]};
}

void RgbImage::set(int x, int y, Rgb colour) {
    if (!inside(x, y)) return;
    const size_t at = (size_t(y) * size_t(m_width) + size_t(x)) * 3;
    m_bytes[at] = colour.r;
    m_bytes[at + 1] = colour.g;
    m_bytes[at + 2] = colour.b;
}

void RgbImage::blend(int x, int y, Rgb colour, double alpha) {
    if (!inside(x, y)) return;
    alpha = std::clamp(alpha, 0.0, 1.0);
    const size_t at = (size_t(y) * size_t(m_width) + size_t(x)) * 3;
    const auto mix = [alpha](uint8_t under, uint8_t over) {
        return static_cast<uint8_t>(std::lround(under + alpha * (double(over) - double(under))));
    };
    m_bytes[at] = mix(m_bytes[at], colour.r);
    m_bytes[at + 1] = mix(m_bytes[at + 1], colour.g);
    m_bytes[at + 2] = mix(m_bytes[at + 2], colour.b);
}

void RgbImage::fillRect(int x, int y, int width, int height, Rgb colour) {
    const int x0 = std::max(0, x), y0 = std::max(0, y);
    const int x1 = std::min(m_width, x + width), y1 = std::min(m_height, y + height);
    for (int row = y0; row < y1; ++row)
        for (int col = x0; col < x1; ++col) set(col, row, colour);
}

void RgbImage::drawLine(int x0, int y0, int x1, int y1, Rgb colour, int thickness) {
    const int half = (thickness - 1) / 2;
    const int dx = std::abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    const int dy = -std::abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int error = dx + dy;
    for (;;) {
        fillRect(x0 - half, y0 - half, thickness, thickness, colour);
        if (x0 == x1 && y0 == y1) break;
        const int twice = 2 * error;
        if (twice >= dy) {
            error += dy;
            x0 += sx;
        }
        if (twice <= dx) {
            error += dx;
            y0 += sy;
        }
    }
}

}  // namespace sage

#pragma once
#include <string>

#include "report/rgb_image.h"

namespace sage {

/// A 5×7 pixel font of our own for the labels of the report's plots (ASCII letters, digits and
/// the punctuation of metric keys): sage-train writes PNGs without Qt or a font library. Each
/// glyph takes 6 columns (one of spacing) and 9 rows (2 below the baseline for g, p, q, y), times
/// `scale`. A character it lacks is drawn as a hollow box, so missing text shows rather than
/// vanishing.
class BitmapFont {
public:
    static constexpr int kGlyphWidth = 5;
    static constexpr int kGlyphRows = 7;    // rows a glyph defines
    static constexpr int kGlyphHeight = 9;  // rows a line of text takes, descenders included
    static constexpr int kAdvance = kGlyphWidth + 1;

    /// Draws `text` with its top-left corner at (x, y). UTF-8 sequences count as one character
    /// each ("±" has a glyph; other non-ASCII characters get the box).
    static void draw(RgbImage& image, int x, int y, const std::string& text, Rgb colour, int scale = 1);
    /// The width in pixels `draw` covers (without the trailing spacing column).
    static int width(const std::string& text, int scale = 1);
    static int height(int scale = 1) { return kGlyphHeight * scale; }
};

}  // namespace sage

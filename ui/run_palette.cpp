#include "run_palette.h"

#include <array>

namespace sage::ui {

RunPalette& RunPalette::shared() {
    static RunPalette palette;
    return palette;
}

QColor RunPalette::color(qint64 runId) {
    // Tableau 10: distinct on screen and in print.
    static const std::array<QColor, 10> kColors = {
        QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
        QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
        QColor(0xe3, 0x77, 0xc2), QColor(0x7f, 0x7f, 0x7f), QColor(0xbc, 0xbd, 0x22),
        QColor(0x17, 0xbe, 0xcf)};
    auto it = m_colors.find(runId);
    if (it == m_colors.end()) it = m_colors.insert(runId, kColors[size_t(m_colors.size()) % kColors.size()]);
    return it.value();
}

}  // namespace sage::ui

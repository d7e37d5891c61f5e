#include "model/row_sampler.h"

#include <stdexcept>
#include <string>

namespace sage {

RowSampler::RowSampler(at::Generator generator) : m_generators{std::move(generator)} {}

RowSampler::RowSampler(std::vector<at::Generator> groupGenerators, int64_t rowsPerGroup)
    : m_generators(std::move(groupGenerators)), m_rowsPerGroup(rowsPerGroup) {
    if (rowsPerGroup < 1) throw std::invalid_argument("RowSampler: rowsPerGroup must be at least 1");
}

RowSampler RowSampler::mostProbable() { return RowSampler(); }

at::Tensor RowSampler::draw(const at::Tensor& probabilities) const {
    if (m_generators.empty()) return probabilities.argmax(-1, /*keepdim=*/true);
    if (m_rowsPerGroup == 0) return torch::multinomial(probabilities, 1, false, m_generators.front());
    const int64_t groups = static_cast<int64_t>(m_generators.size());
    if (probabilities.size(0) != groups * m_rowsPerGroup) {
        throw std::invalid_argument("RowSampler: " + std::to_string(probabilities.size(0)) + " rows for " +
                                    std::to_string(groups) + " groups of " + std::to_string(m_rowsPerGroup));
    }
    // torch::multinomial(p, 1) is argmax(p / E) over E ~ Exp(1); here each group draws its own E.
    auto noise = torch::empty_like(probabilities);
    for (int64_t g = 0; g < groups; ++g)
        noise.narrow(0, g * m_rowsPerGroup, m_rowsPerGroup).exponential_(1.0, m_generators[g]);
    return (probabilities / noise).argmax(-1, /*keepdim=*/true);
}

}  // namespace sage

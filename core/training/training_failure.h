#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace sage {

/// Training cannot go on (a non-finite loss, say); the message names the step and the quantity.
class TrainingFailure : public std::runtime_error {
public:
    TrainingFailure(int64_t step, const std::string& what)
        : std::runtime_error("step " + std::to_string(step) + ": " + what), m_step(step) {}
    int64_t step() const { return m_step; }

private:
    int64_t m_step;
};

}  // namespace sage

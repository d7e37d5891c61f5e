#pragma once
#include <stdexcept>
#include <string>

namespace sage {

/// A store that cannot be opened or written: the message says what, which file, and what to do.
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace sage

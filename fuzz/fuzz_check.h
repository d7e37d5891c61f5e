#pragma once
// A broken invariant is a bug like a crash: abort, so that libFuzzer keeps the input.
#include <cstdio>
#include <cstdlib>

namespace sage::fuzz {

inline void require(bool holds, const char* what) {
    if (holds) return;
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

}  // namespace sage::fuzz

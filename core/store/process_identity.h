#pragma once
#include <cstdint>
#include <string>

namespace sage {

/// Which process holds a run (ARCHITECTURE.md "The run store"): the store records it when a run is
/// created or resumed, so that a later open can tell a live run of another process from one whose
/// process was killed.
struct ProcessIdentity {
    std::string host;
    int64_t pid = 0;
    /// Tells this process apart from a later one that reuses its pid: the boot id and the start
    /// time from /proc; empty where /proc does not say.
    std::string startToken;

    /// This process.
    static const ProcessIdentity& current();
};

/// Whether the process `pid` of this host is still the one that wrote `startToken`. A process
/// that exists but cannot be compared (no /proc) counts as alive: a live run is never taken away.
bool isLocalProcessAlive(int64_t pid, const std::string& startToken);

}  // namespace sage

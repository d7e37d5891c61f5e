#pragma once
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace sage {

/// Starts `/proc/self/exe` (this very sage-train) with `arguments` (argv[1..]) and this process's
/// environment plus `environment` (replacing variables of the same name) less `unset`, and
/// returns the child's pid. The child gets `deathSignal` when
/// this process dies, so no trainer outlives a killed launcher. Throws std::runtime_error when
/// fork fails.
pid_t startSelf(const std::vector<std::string>& arguments,
                const std::vector<std::pair<std::string, std::string>>& environment, int deathSignal,
                const std::vector<std::string>& unset = {});

/// "exited with status 3", "was killed by signal 9 (Killed)": a wait status in words.
std::string describeExit(int waitStatus);

}  // namespace sage

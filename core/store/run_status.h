#pragma once
#include <optional>
#include <string>

namespace sage {

/// Lifecycle of a run as the store records it.
enum class RunStatus { Created, Running, Paused, Finished, Stopped, Failed, Interrupted };

std::string toString(RunStatus status);
/// Parses the stored text ("running", "finished", ...); nullopt for anything else.
std::optional<RunStatus> parseRunStatus(const std::string& text);
/// True for the states a run never leaves (finished, stopped, failed, interrupted).
bool isTerminal(RunStatus status);

}  // namespace sage

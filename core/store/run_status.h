#pragma once
#include <optional>
#include <string>

namespace sage {

/// Lifecycle of a run as the store records it.
enum class RunStatus { Created, Running, Paused, Finished, Stopped, Failed, Interrupted };

std::string toString(RunStatus status);
/// Parses the stored text ("running", "finished", ...); nullopt for anything else.
std::optional<RunStatus> parseRunStatus(const std::string& text);
/// True for the states of a run that is not training (finished, stopped, failed, interrupted); only
/// a resume takes a stopped, failed or interrupted run back to running.
bool isTerminal(RunStatus status);
/// True for the states a resume continues from its last checkpoint (stopped, failed, interrupted).
bool isResumable(RunStatus status);

}  // namespace sage

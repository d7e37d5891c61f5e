#include "store/run_status.h"

namespace sage {

std::string toString(RunStatus status) {
    switch (status) {
        case RunStatus::Created:
            return "created";
        case RunStatus::Running:
            return "running";
        case RunStatus::Paused:
            return "paused";
        case RunStatus::Finished:
            return "finished";
        case RunStatus::Stopped:
            return "stopped";
        case RunStatus::Failed:
            return "failed";
        case RunStatus::Interrupted:
            return "interrupted";
    }
    return "unknown";
}

std::optional<RunStatus> parseRunStatus(const std::string& text) {
    for (RunStatus status :
         {RunStatus::Created, RunStatus::Running, RunStatus::Paused, RunStatus::Finished,
          RunStatus::Stopped, RunStatus::Failed, RunStatus::Interrupted}) {
        if (text == toString(status)) return status;
    }
    return std::nullopt;
}

bool isTerminal(RunStatus status) {
    switch (status) {
        case RunStatus::Finished:
        case RunStatus::Stopped:
        case RunStatus::Failed:
        case RunStatus::Interrupted:
            return true;
        case RunStatus::Created:
        case RunStatus::Running:
        case RunStatus::Paused:
            return false;
    }
    return false;
}

bool isResumable(RunStatus status) {
    return status == RunStatus::Stopped || status == RunStatus::Failed ||
           status == RunStatus::Interrupted;
}

}  // namespace sage

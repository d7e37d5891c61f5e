#include "training/training_records.h"

namespace sage {

std::string toString(EventLevel level) {
    switch (level) {
        case EventLevel::Info:
            return "info";
        case EventLevel::Warning:
            return "warning";
        case EventLevel::Error:
            return "error";
    }
    return "info";
}

}  // namespace sage

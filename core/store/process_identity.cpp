#include "store/process_identity.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <fstream>
#include <iterator>
#include <sstream>

namespace sage {
namespace {

std::string readFirstLine(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

// Fields 3 (the state) and 22 (the start time in clock ticks since boot) of /proc/<pid>/stat. The
// command name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
struct ProcStat {
    std::string state;
    std::string startTime;
};

ProcStat procStat(int64_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = stat.rfind(')');
    if (close == std::string::npos) return {};
    std::istringstream fields(stat.substr(close + 1));
    ProcStat result;
    std::string field;
    for (int index = 3; index <= 22 && fields >> field; ++index) {
        if (index == 3) result.state = field;
        if (index == 22) result.startTime = field;
    }
    return result;
}

std::string startTokenOf(int64_t pid) {
    const std::string boot = readFirstLine("/proc/sys/kernel/random/boot_id");
    const std::string start = procStat(pid).startTime;
    if (boot.empty() || start.empty()) return {};
    return boot + "/" + start;
}

std::string hostName() {
    char name[HOST_NAME_MAX + 1] = {};
    if (::gethostname(name, sizeof(name) - 1) != 0) return "localhost";
    return name;
}

}  // namespace

const ProcessIdentity& ProcessIdentity::current() {
    // Built once: neither the host name nor the pid of a running process changes.
    static const ProcessIdentity identity{hostName(), static_cast<int64_t>(::getpid()),
                                          startTokenOf(::getpid())};
    return identity;
}

bool isLocalProcessAlive(int64_t pid, const std::string& startToken) {
    if (pid <= 0 || pid > INT_MAX) return false;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) return false;
    // A killed child its parent has not reaped yet still answers kill(); it trains no more.
    if (procStat(pid).state == "Z") return false;
    if (startToken.empty()) return true;
    const std::string now = startTokenOf(pid);
    return now.empty() || now == startToken;
}

}  // namespace sage

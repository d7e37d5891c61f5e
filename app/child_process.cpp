#include "child_process.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace sage {

pid_t startSelf(const std::vector<std::string>& arguments,
                const std::vector<std::pair<std::string, std::string>>& environment, int deathSignal,
                const std::vector<std::string>& unset) {
    // Everything exec needs is prepared before fork: the child only sets up and execs.
    std::vector<std::string> argumentStorage{"/proc/self/exe"};
    argumentStorage.insert(argumentStorage.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& argument : argumentStorage) argv.push_back(argument.data());
    argv.push_back(nullptr);
    std::vector<std::string> variables;
    for (char** entry = environ; *entry; ++entry) {
        const std::string text = *entry;
        const auto name = text.substr(0, text.find('='));
        bool replaced = std::find(unset.begin(), unset.end(), name) != unset.end();
        for (const auto& [extra, value] : environment) replaced = replaced || extra == name;
        if (!replaced) variables.push_back(text);
    }
    for (const auto& [name, value] : environment) variables.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& variable : variables) envp.push_back(variable.data());
    envp.push_back(nullptr);

    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, deathSignal);
        if (::getppid() != parent) ::_exit(1);  // the parent died before prctl took effect
        ::signal(SIGINT, SIG_DFL);
        ::signal(SIGTERM, SIG_DFL);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    if (pid < 0) throw std::runtime_error(std::string("cannot start a training process: ") + std::strerror(errno));
    return pid;
}

std::string describeExit(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int signal = WTERMSIG(status);
        return "was killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    }
    return "ended with wait status " + std::to_string(status);
}

}  // namespace sage

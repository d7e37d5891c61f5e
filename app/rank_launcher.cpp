#include "rank_launcher.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace sage {
namespace {

constexpr int kMaxRanks = 1024;
// The ranks' process ids, for the signal handler (which may only make async-signal-safe calls).
pid_t g_ranks[kMaxRanks];
volatile sig_atomic_t g_rankCount = 0;

extern "C" void forwardStop(int) {
    for (int i = 0; i < g_rankCount; ++i)
        if (g_ranks[i] > 0) ::kill(g_ranks[i], SIGTERM);
}

/// How long the remaining ranks get to end on their own after one failed.
constexpr auto kGracePeriod = std::chrono::seconds(20);

std::string describeExit(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const int signal = WTERMSIG(status);
        return "was killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    }
    return "ended with wait status " + std::to_string(status);
}

/// A private directory for the rendezvous file: mode 0700 under $TMPDIR (or /tmp).
std::filesystem::path makePrivateDirectory() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/sage-rendezvous-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!::mkdtemp(buffer.data()))
        throw std::runtime_error("cannot create a rendezvous directory from " + pattern + ": " + std::strerror(errno));
    return buffer.data();
}

}  // namespace

RankLauncher::RankLauncher(int ranks, std::vector<std::string> arguments,
                           std::vector<std::pair<std::string, std::string>> environment, int stoppedCode)
    : m_ranks(ranks), m_arguments(std::move(arguments)), m_environment(std::move(environment)),
      m_stoppedCode(stoppedCode) {
    if (ranks < 1 || ranks > kMaxRanks)
        throw std::invalid_argument("--nproc must be from 1 to " + std::to_string(kMaxRanks));
}

RankLauncher::Outcome RankLauncher::run() {
    const auto directory = makePrivateDirectory();
    const std::string rendezvous = (directory / "rendezvous").string();
    // Everything exec needs is prepared before fork: the child only sets up and execs.
    std::vector<std::string> argumentStorage{"/proc/self/exe"};
    argumentStorage.insert(argumentStorage.end(), m_arguments.begin(), m_arguments.end());
    std::vector<char*> argv;
    for (auto& argument : argumentStorage) argv.push_back(argument.data());
    argv.push_back(nullptr);
    std::vector<std::vector<std::string>> environments(m_ranks);
    std::vector<std::vector<char*>> envps(m_ranks);
    const std::vector<std::string> ours{"RANK",        "LOCAL_RANK",  "WORLD_SIZE",          "LOCAL_WORLD_SIZE",
                                        "MASTER_ADDR", "MASTER_PORT", "SAGE_RENDEZVOUS_FILE"};
    for (int rank = 0; rank < m_ranks; ++rank) {
        auto& variables = environments[rank];
        for (char** entry = environ; *entry; ++entry) {
            const std::string text = *entry;
            const auto name = text.substr(0, text.find('='));
            bool replaced = std::find(ours.begin(), ours.end(), name) != ours.end();
            for (const auto& [extra, value] : m_environment) replaced = replaced || extra == name;
            if (!replaced) variables.push_back(text);
        }
        const auto world = std::to_string(m_ranks);
        variables.insert(variables.end(), {"RANK=" + std::to_string(rank), "LOCAL_RANK=" + std::to_string(rank),
                                           "WORLD_SIZE=" + world, "LOCAL_WORLD_SIZE=" + world,
                                           "MASTER_ADDR=127.0.0.1", "SAGE_RENDEZVOUS_FILE=" + rendezvous});
        for (const auto& [name, value] : m_environment) variables.push_back(name + "=" + value);
        for (auto& variable : variables) envps[rank].push_back(variable.data());
        envps[rank].push_back(nullptr);
    }

    struct sigaction action {};
    action.sa_handler = forwardStop;
    sigemptyset(&action.sa_mask);
    struct sigaction previousInt {}, previousTerm {};
    sigaction(SIGINT, &action, &previousInt);
    sigaction(SIGTERM, &action, &previousTerm);

    const pid_t launcher = ::getpid();
    std::vector<pid_t> pids(m_ranks, -1);
    Outcome outcome;
    int running = 0;
    for (int rank = 0; rank < m_ranks; ++rank) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            // A rank whose launcher dies is asked to stop rather than left behind.
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != launcher) ::_exit(1);
            ::signal(SIGINT, SIG_DFL);
            ::signal(SIGTERM, SIG_DFL);
            ::execve(argv[0], argv.data(), envps[rank].data());
            ::_exit(127);
        }
        if (pid < 0) {
            outcome.exitCode = 1;
            outcome.failure = "could not start rank " + std::to_string(rank) + ": " + std::strerror(errno);
            break;
        }
        pids[rank] = pid;
        g_ranks[rank] = pid;
        g_rankCount = rank + 1;
        ++running;
    }

    bool stopping = !outcome.failure.empty();
    if (stopping) forwardStop(SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + kGracePeriod;
    bool anyStopped = false;
    while (running > 0) {
        int status = 0;
        const pid_t pid = ::waitpid(-1, &status, stopping ? WNOHANG : 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (pid == 0) {  // stopping: nobody ended yet
            if (std::chrono::steady_clock::now() > deadline) {
                for (int i = 0; i < m_ranks; ++i)
                    if (pids[i] > 0) ::kill(pids[i], SIGKILL);
                deadline = std::chrono::steady_clock::time_point::max();
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        int rank = 0;
        while (rank < m_ranks && pids[rank] != pid) ++rank;
        if (rank == m_ranks) continue;
        pids[rank] = -1;
        g_ranks[rank] = -1;
        --running;
        const bool finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        const bool stopped = WIFEXITED(status) && WEXITSTATUS(status) == m_stoppedCode;
        anyStopped = anyStopped || stopped;
        if (finished || stopped || !outcome.failure.empty()) continue;
        // The first failure is the cause; the others' failures follow from it.
        outcome.exitCode = 1;
        outcome.failure = "rank " + std::to_string(rank) + " of " + std::to_string(m_ranks) + " " +
                          describeExit(status);
        if (!stopping) {
            stopping = true;
            deadline = std::chrono::steady_clock::now() + kGracePeriod;
            forwardStop(SIGTERM);
        }
    }
    g_rankCount = 0;
    sigaction(SIGINT, &previousInt, nullptr);
    sigaction(SIGTERM, &previousTerm, nullptr);
    std::error_code ignored;
    std::filesystem::remove_all(directory, ignored);
    if (outcome.failure.empty() && anyStopped) outcome.exitCode = m_stoppedCode;
    return outcome;
}

}  // namespace sage

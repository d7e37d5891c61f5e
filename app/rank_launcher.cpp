#include "rank_launcher.h"

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

#include "child_process.h"

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
    std::vector<std::vector<std::pair<std::string, std::string>>> environments(m_ranks);
    for (int rank = 0; rank < m_ranks; ++rank) {
        const auto world = std::to_string(m_ranks);
        environments[rank] = {{"RANK", std::to_string(rank)},       {"LOCAL_RANK", std::to_string(rank)},
                              {"WORLD_SIZE", world},                {"LOCAL_WORLD_SIZE", world},
                              {"MASTER_ADDR", "127.0.0.1"},         {"SAGE_RENDEZVOUS_FILE", rendezvous}};
        environments[rank].insert(environments[rank].end(), m_environment.begin(), m_environment.end());
    }

    struct sigaction action {};
    action.sa_handler = forwardStop;
    sigemptyset(&action.sa_mask);
    struct sigaction previousInt {}, previousTerm {};
    sigaction(SIGINT, &action, &previousInt);
    sigaction(SIGTERM, &action, &previousTerm);

    std::vector<pid_t> pids(m_ranks, -1);
    Outcome outcome;
    int running = 0;
    for (int rank = 0; rank < m_ranks; ++rank) {
        pid_t pid = -1;
        try {
            // A rank whose launcher dies is asked to stop rather than left behind.
            // MASTER_PORT is dropped: the ranks meet through the FileStore.
            pid = startSelf(m_arguments, environments[rank], SIGTERM, {"MASTER_PORT"});
        } catch (const std::exception& error) {
            outcome.exitCode = 1;
            outcome.failure = "could not start rank " + std::to_string(rank) + ": " + error.what();
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

#pragma once
#include <string>
#include <utility>
#include <vector>

namespace sage {

/// `sage-train --nproc N`: runs N ranks of this same program on this machine, as torchrun would,
/// and waits for them. Each rank gets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE and
/// MASTER_ADDR=127.0.0.1, and meets the others through a c10d FileStore in a private temporary
/// directory (SAGE_RENDEZVOUS_FILE): nothing listens on the network, and Gloo itself binds to
/// 127.0.0.1. When a rank fails (a non-zero exit other than the "stopped" code, or a signal), the
/// others are asked to stop (SIGTERM), then killed after a grace period.
class RankLauncher {
public:
    struct Outcome {
        int exitCode = 0;     // 0 all finished; the stop code when stopped; 1 when a rank failed
        std::string failure;  // which rank failed and how; empty otherwise
    };

    /// `arguments` are what each rank is started with (argv[1..], without --nproc); `environment`
    /// holds extra variables for every rank (the run's id, say). `stoppedCode` is the exit code a
    /// rank uses when it stopped on request.
    RankLauncher(int ranks, std::vector<std::string> arguments,
                 std::vector<std::pair<std::string, std::string>> environment, int stoppedCode);

    /// Starts the ranks and waits for every one. SIGINT and SIGTERM to this process are passed on
    /// to the ranks as SIGTERM (they stop together and keep the run).
    Outcome run();

private:
    int m_ranks;
    std::vector<std::string> m_arguments;
    std::vector<std::pair<std::string, std::string>> m_environment;
    int m_stoppedCode;
};

}  // namespace sage

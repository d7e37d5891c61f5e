#pragma once
// Data-parallel groups inside one test process: one thread per rank, a real c10d TCPStore and
// Gloo process group over 127.0.0.1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "distributed/distributed_context.h"

namespace sage::testing {

/// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick).
inline int freeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("no free port on 127.0.0.1");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

/// Runs `body(group)` on every rank of a `worldSize` group, one thread each; returns each rank's
/// error message ("" when its body returned normally).
inline std::vector<std::string> runRanks(int worldSize, const std::function<void(DistributedContext&)>& body) {
    const int port = freeLoopbackPort();
    std::vector<std::string> errors(worldSize);
    std::vector<std::thread> threads;
    for (int rank = 0; rank < worldSize; ++rank) {
        threads.emplace_back([&, rank] {
            try {
                auto group = DistributedContext::overTcp(rank, worldSize, "127.0.0.1", port);
                body(*group);
            } catch (const std::exception& error) {
                errors[rank] = error.what();
                if (errors[rank].empty()) errors[rank] = "(exception without a message)";
            }
        });
    }
    for (auto& thread : threads) thread.join();
    return errors;
}

}  // namespace sage::testing

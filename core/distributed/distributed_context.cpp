#include "distributed/distributed_context.h"

// Debian's LibTorch is built with Gloo, but its headers leave ProcessGroupGloo out unless told so.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace sage {
namespace {

/// c10's own messages carry a C++ backtrace; users need the first line.
std::string reasonOf(const std::exception& error) {
    if (const auto* c10Error = dynamic_cast<const c10::Error*>(&error))
        return c10Error->what_without_backtrace();
    return error.what();
}

std::string describeRank(int rank, int worldSize) {
    return "rank " + std::to_string(rank) + " of " + std::to_string(worldSize);
}

const char* environment(const char* name) {
    const char* value = std::getenv(name);
    return value && *value ? value : nullptr;
}

int integerVariable(const char* name, int low, int high, const std::string& meaning) {
    const char* text = environment(name);
    if (!text) {
        throw DistributedError(std::string(name) + " is not set; a distributed launch (WORLD_SIZE is set) needs " +
                               meaning);
    }
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (*end != '\0' || value < low || value > high) {
        throw DistributedError(std::string(name) + "='" + text + "' is not " + meaning + " (an integer from " +
                               std::to_string(low) + " to " + std::to_string(high) + ")");
    }
    return static_cast<int>(value);
}

bool isLoopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

/// Where Gloo listens for its peers: GLOO_SOCKET_IFNAME (torch's variable) names an interface;
/// a loopback rendezvous keeps Gloo on loopback too; otherwise the address this host resolves to.
std::shared_ptr<::gloo::transport::Device> glooDevice(const std::string& rendezvousHost) {
    if (const char* interface = environment("GLOO_SOCKET_IFNAME"))
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
    if (isLoopback(rendezvousHost)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

c10::intrusive_ptr<c10d::ProcessGroup> glooGroup(const c10::intrusive_ptr<c10d::Store>& store, int rank,
                                                 int worldSize,
                                                 std::shared_ptr<::gloo::transport::Device> device) {
    auto options = c10d::ProcessGroupGloo::Options::create(
        std::chrono::duration_cast<std::chrono::milliseconds>(DistributedContext::kCollectiveTimeout));
    options->devices.push_back(std::move(device));
    return c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, worldSize, options);
}

void checkMembership(int rank, int worldSize) {
    if (worldSize < 1 || rank < 0 || rank >= worldSize) {
        throw DistributedError("rank " + std::to_string(rank) + " is outside a group of " +
                               std::to_string(worldSize) + " (ranks are 0 to world size − 1)");
    }
}

}  // namespace

DistributedContext::DistributedContext(int rank, int worldSize, int localWorldSize,
                                       c10::intrusive_ptr<c10d::ProcessGroup> group)
    : m_rank(rank), m_worldSize(worldSize), m_localWorldSize(localWorldSize), m_group(std::move(group)) {}

DistributedContext::~DistributedContext() = default;

std::unique_ptr<DistributedContext> DistributedContext::fromEnvironment() {
    if (!environment("WORLD_SIZE")) return nullptr;
    const int worldSize = integerVariable("WORLD_SIZE", 1, 1 << 16, "the number of ranks");
    const int rank = integerVariable("RANK", 0, worldSize - 1, "this process's rank");
    if (worldSize == 1) return nullptr;  // a group of one is a single process
    const int localWorldSize = environment("LOCAL_WORLD_SIZE")
                                   ? integerVariable("LOCAL_WORLD_SIZE", 1, worldSize, "the number of ranks on this machine")
                                   : 1;
    if (const char* file = environment("SAGE_RENDEZVOUS_FILE"))
        return overFile(rank, worldSize, file, localWorldSize);
    const char* host = environment("MASTER_ADDR");
    if (!host) {
        throw DistributedError("MASTER_ADDR is not set; a distributed launch needs the address of rank 0's "
                               "machine (its TCPStore)");
    }
    const int port = integerVariable("MASTER_PORT", 1, 65535, "the TCP port of rank 0's store");
    return overTcp(rank, worldSize, host, port, localWorldSize);
}

std::unique_ptr<DistributedContext> DistributedContext::overTcp(int rank, int worldSize, const std::string& host,
                                                                int port, int localWorldSize) {
    checkMembership(rank, worldSize);
    try {
        c10d::TCPStoreOptions options;
        options.port = static_cast<std::uint16_t>(port);
        options.isServer = rank == 0;
        options.numWorkers = static_cast<std::size_t>(worldSize);
        options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(kRendezvousTimeout);
        auto store = c10::make_intrusive<c10d::TCPStore>(host, options);
        return std::unique_ptr<DistributedContext>(
            new DistributedContext(rank, worldSize, localWorldSize, glooGroup(store, rank, worldSize, glooDevice(host))));
    } catch (const std::exception& error) {
        throw DistributedError(describeRank(rank, worldSize) + " could not join the group at " + host + ":" +
                               std::to_string(port) + ": " + reasonOf(error));
    }
}

std::unique_ptr<DistributedContext> DistributedContext::overFile(int rank, int worldSize, const std::string& path,
                                                                 int localWorldSize) {
    checkMembership(rank, worldSize);
    try {
        auto store = c10::make_intrusive<c10d::FileStore>(path, worldSize);
        store->setTimeout(std::chrono::duration_cast<std::chrono::milliseconds>(kRendezvousTimeout));
        return std::unique_ptr<DistributedContext>(
            new DistributedContext(rank, worldSize, localWorldSize, glooGroup(store, rank, worldSize, glooDevice("127.0.0.1"))));
    } catch (const std::exception& error) {
        throw DistributedError(describeRank(rank, worldSize) + " could not join the group through " + path + ": " +
                               reasonOf(error));
    }
}

std::string DistributedContext::describe() const { return describeRank(m_rank, m_worldSize); }

template <typename Collective>
void DistributedContext::guarded(const char* operation, Collective&& collective) {
    try {
        collective();
    } catch (const std::exception& error) {
        throw DistributedError(describe() + ": " + operation + " failed: " + reasonOf(error) +
                               " (another rank has probably stopped; its own message says why)");
    }
}

void DistributedContext::allReduceSum(at::Tensor& tensor) {
    auto buffer = tensor.contiguous();
    allReduceSum(std::vector<at::Tensor>{buffer});
    if (!buffer.is_same(tensor)) tensor.copy_(buffer);
}

void DistributedContext::allReduceSum(const std::vector<at::Tensor>& tensors) {
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::SUM;
    guarded("all-reduce (sum)", [&] {
        std::vector<c10::intrusive_ptr<c10d::Work>> pending;
        for (const auto& tensor : tensors) {
            std::vector<at::Tensor> one{tensor};
            pending.push_back(m_group->allreduce(one, options));
        }
        for (auto& work : pending) work->wait();
    });
}

void DistributedContext::allReduceMax(at::Tensor& tensor) {
    auto buffer = tensor.contiguous();
    std::vector<at::Tensor> tensors{buffer};
    c10d::AllreduceOptions options;
    options.reduceOp = c10d::ReduceOp::MAX;
    guarded("all-reduce (max)", [&] { m_group->allreduce(tensors, options)->wait(); });
    if (!buffer.is_same(tensor)) tensor.copy_(buffer);
}

bool DistributedContext::anyRank(bool flag) {
    auto value = at::full({1}, flag ? 1 : 0, at::kInt);
    allReduceMax(value);
    return value.item<int>() != 0;
}

at::Tensor DistributedContext::allGatherRows(const at::Tensor& rows) {
    // Gloo has no bool type: such rows travel as bytes.
    const bool isBool = rows.scalar_type() == at::kBool;
    const auto local = (isBool ? rows.to(at::kByte) : rows).contiguous();
    std::vector<std::vector<at::Tensor>> counts(1);
    for (int r = 0; r < m_worldSize; ++r) counts[0].push_back(at::empty({1}, at::kLong));
    std::vector<at::Tensor> localCount{at::full({1}, local.size(0), at::kLong)};
    guarded("all-gather (row counts)", [&] { m_group->allgather(counts, localCount)->wait(); });
    int64_t widest = 1;  // Gloo wants equal, non-empty buffers: pad every rank's rows to the most
    for (const auto& count : counts[0]) widest = std::max(widest, count.item<int64_t>());
    auto shape = local.sizes().vec();
    shape[0] = widest;
    std::vector<at::Tensor> padded{at::zeros(shape, local.options())};
    padded[0].narrow(0, 0, local.size(0)).copy_(local);
    std::vector<std::vector<at::Tensor>> gathered(1);
    for (int r = 0; r < m_worldSize; ++r) gathered[0].push_back(at::empty(shape, local.options()));
    guarded("all-gather", [&] { m_group->allgather(gathered, padded)->wait(); });
    std::vector<at::Tensor> pieces;
    for (int r = 0; r < m_worldSize; ++r) pieces.push_back(gathered[0][r].narrow(0, 0, counts[0][r].item<int64_t>()));
    const auto all = at::cat(pieces, 0);
    return isBool ? all.to(at::kBool) : all;
}

void DistributedContext::broadcastFromLeader(const std::vector<at::Tensor>& tensors) {
    at::NoGradGuard noGrad;  // parameters are leaves that require grad
    constexpr size_t kBufferBytes = 256 * 1024 * 1024;
    guarded("broadcast from rank 0",
            [&] { c10d::broadcast_coalesced(m_group, tensors, kBufferBytes, /*rank=*/0); });
}

void DistributedContext::requireSameOnAllRanks(uint64_t value, const std::string& what) {
    int64_t signedValue;
    std::memcpy(&signedValue, &value, sizeof value);
    const auto values = allGatherRows(at::full({1}, signedValue, at::kLong));
    const auto* all = values.data_ptr<int64_t>();
    std::ostringstream differing;
    for (int r = 1; r < m_worldSize; ++r)
        if (all[r] != all[0]) differing << (differing.tellp() > 0 ? ", " : "") << r;
    if (differing.tellp() > 0) {
        throw DistributedError(describe() + ": " + what + " differs between ranks: rank(s) " + differing.str() +
                               " do not match rank 0 (every rank must be started with the same settings)");
    }
}

}  // namespace sage

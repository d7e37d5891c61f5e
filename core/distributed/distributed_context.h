#pragma once
#include <ATen/core/Tensor.h>
#include <c10/util/intrusive_ptr.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace c10d {
class ProcessGroup;
}

namespace sage {

/// A rank could not join its group, or a collective failed (another rank exited, a timeout).
class DistributedError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// This process's place in a data-parallel group and the c10d process group that connects it to
/// the others (Gloo over TCP). The group meets through a c10d store: a TCPStore that rank 0 serves
/// at MASTER_ADDR:MASTER_PORT (torchrun's convention, for several machines), or a FileStore in a
/// private directory (`sage-train --nproc`, one machine, nothing listening on the network).
///
/// Collectives are blocking and must be called by every rank in the same order. Their failures
/// come back as DistributedError naming this rank and the operation.
class DistributedContext {
public:
    /// How long a collective may wait for the other ranks (c10d's default: 30 minutes) and how
    /// long the rendezvous waits for every rank to join.
    static constexpr std::chrono::seconds kCollectiveTimeout{30 * 60};
    static constexpr std::chrono::seconds kRendezvousTimeout{5 * 60};

    /// From torchrun's variables RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT and LOCAL_WORLD_SIZE
    /// (ranks on this machine, 1 if unset) or, when SAGE_RENDEZVOUS_FILE is set, from a FileStore
    /// at that path instead of MASTER_ADDR:MASTER_PORT.
    /// Returns nullptr when WORLD_SIZE is unset: a single process. Throws DistributedError for a
    /// variable that is missing or malformed, saying which and what it should hold.
    static std::unique_ptr<DistributedContext> fromEnvironment();
    /// Joins a group over a TCPStore at host:port; rank 0 serves it. `localWorldSize` is how many
    /// ranks share this machine (they share its cores).
    static std::unique_ptr<DistributedContext> overTcp(int rank, int worldSize, const std::string& host,
                                                       int port, int localWorldSize = 1);
    /// Joins a group of ranks on this machine through a FileStore at `path` (which must not
    /// exist yet, or be left from this same launch).
    static std::unique_ptr<DistributedContext> overFile(int rank, int worldSize, const std::string& path,
                                                        int localWorldSize = 1);

    ~DistributedContext();
    DistributedContext(const DistributedContext&) = delete;
    DistributedContext& operator=(const DistributedContext&) = delete;

    int rank() const { return m_rank; }
    int worldSize() const { return m_worldSize; }
    int localWorldSize() const { return m_localWorldSize; }
    /// Rank 0: the one that writes the run store.
    bool isLeader() const { return m_rank == 0; }
    /// "rank 1 of 2", for messages.
    std::string describe() const;
    /// Element-wise sum over the ranks, in place.
    void allReduceSum(at::Tensor& tensor);
    /// The same for several contiguous tensors, one collective each, all in flight at once.
    void allReduceSum(const std::vector<at::Tensor>& tensors);
    /// Element-wise maximum over the ranks, in place.
    void allReduceMax(at::Tensor& tensor);
    /// True on every rank when `flag` is true on any.
    bool anyRank(bool flag);
    /// Every rank's rows concatenated along dimension 0 in rank order; ranks may hold different
    /// numbers of rows but the same trailing shape and type.
    at::Tensor allGatherRows(const at::Tensor& rows);
    /// Overwrites `tensors` on every rank with rank 0's values.
    void broadcastFromLeader(const std::vector<at::Tensor>& tensors);
    /// Throws on every rank, naming the ranks that differ, unless all ranks pass the same value
    /// (a fingerprint of the configuration, say).
    void requireSameOnAllRanks(uint64_t value, const std::string& what);

private:
    DistributedContext(int rank, int worldSize, int localWorldSize, c10::intrusive_ptr<c10d::ProcessGroup> group);
    /// Runs a collective; a c10d or Gloo error becomes a DistributedError that says which.
    template <typename Collective>
    void guarded(const char* operation, Collective&& collective);

    int m_rank;
    int m_worldSize;
    int m_localWorldSize;
    c10::intrusive_ptr<c10d::ProcessGroup> m_group;
};

}  // namespace sage

#pragma once

// Data-parallel training across processes ("ranks", one or more per machine), as torch users
// know it: every rank holds the whole model, trains on its part of each batch, and the ranks
// sum their gradients before every optimizer step, so they keep the same weights. The group is
// torch's own c10d with the Gloo backend (ml/neural/GlooGroup.h); this header is torch-free so
// that TrainOptions can carry a group.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

namespace torchestra::ml {

// Where a rank finds the others: the environment torchrun-style launchers set.
struct DistributedSettings {
    int rank = 0;              // RANK
    int worldSize = 1;         // WORLD_SIZE
    int localRank = 0;         // LOCAL_RANK (defaults to RANK)
    std::string masterAddress; // MASTER_ADDR: where rank 0 hosts the rendezvous store
    int masterPort = 0;        // MASTER_PORT
    // GLOO_SOCKET_IFNAME: the network interface the gradients go over. Empty: the address
    // this machine reaches MASTER_ADDR from (LibTorch's C++ does not read the variable, and
    // Debian maps the host name to 127.0.1.1, which other machines cannot reach).
    std::string socketInterface;
    // A peer that is dead or silent this long is an error on every survivor (the store's and
    // the process group's timeout). TORCHESTRA_DIST_TIMEOUT (seconds) overrides it.
    double timeoutSeconds = 60;
};

// Reads the variables above through `getenv` (the process's environment by default). Returns
// "" or an error naming the variable that is missing or wrong.
std::string
readDistributedSettings(DistributedSettings& out,
                        const std::function<const char*(const char*)>& getenv = nullptr);

// A seed of its own for each rank from the run's seed (rank 0's differs from the run's seed
// too): its random draws, its data order.
inline std::uint64_t rankSeed(std::uint64_t seed, int rank) {
    return seed + 0x9E3779B97F4A7C15ull * std::uint64_t(rank);
}

// A collective failed: a peer died, stalled past the timeout, or disagreed. The message names
// what happened; every survivor gets one.
class DataParallelError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ExchangeStats {
    long collectives = 0;
    double bytes = 0;   // the data each rank put in, summed over the collectives
    double seconds = 0; // in the calls, including the wait for the slowest rank
};

// The group as the trainers use it. Every rank must make the same calls, in the same order,
// with the same sizes; each call blocks until all ranks made it, and throws DataParallelError
// on failure or timeout. One thread at a time.
class DataParallel {
public:
    virtual ~DataParallel() = default;
    virtual int rank() const = 0;
    virtual int worldSize() const = 0;
    // In place: every rank ends with the sum over ranks.
    virtual void allreduceSum(float* data, std::size_t count) = 0;
    virtual void allreduceSum(double* data, std::size_t count) = 0;
    // In place: every rank ends with `root`'s values.
    virtual void broadcast(float* data, std::size_t count, int root) = 0;
    // What the collectives so far cost (for the scaling figures).
    virtual ExchangeStats exchangeStats() const = 0;
};

} // namespace torchestra::ml

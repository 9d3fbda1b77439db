#include "ml/neural/GlooGroup.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>

namespace torchestra::ml::neural {

namespace {

using Clock = std::chrono::steady_clock;

// The local IPv4 address this machine sends from to reach `host` (a UDP socket "connected" to
// it sends nothing, but the kernel picks the route and the source address). "" if `host` does
// not resolve or has no route.
std::string localAddressTowards(const std::string& host, int port) {
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
        return {};
    std::string out;
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd >= 0 && ::connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
        sockaddr_in local{};
        socklen_t len = sizeof local;
        char text[INET_ADDRSTRLEN] = {};
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
            ::inet_ntop(AF_INET, &local.sin_addr, text, sizeof text))
            out = text;
    }
    if (fd >= 0)
        ::close(fd);
    ::freeaddrinfo(found);
    return out;
}

std::string firstLine(const std::string& text) {
    const std::size_t end = text.find('\n');
    return end == std::string::npos ? text : text.substr(0, end);
}

class GlooGroup final : public DataParallel {
public:
    GlooGroup(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<c10d::ProcessGroupGloo> pg,
              int rank, int world, double timeoutSeconds)
        : m_store(std::move(store)), m_pg(std::move(pg)), m_rank(rank), m_world(world),
          m_timeoutSeconds(timeoutSeconds) {}

    int rank() const override { return m_rank; }
    int worldSize() const override { return m_world; }
    ExchangeStats exchangeStats() const override { return m_stats; }

    void allreduceSum(float* data, std::size_t count) override {
        run("allreduce", count * sizeof(float), [&] {
            std::vector<at::Tensor> t{torch::from_blob(data, {long(count)}, torch::kFloat32)};
            m_pg->allreduce(t)->wait();
        });
    }
    void allreduceSum(double* data, std::size_t count) override {
        run("allreduce", count * sizeof(double), [&] {
            std::vector<at::Tensor> t{torch::from_blob(data, {long(count)}, torch::kFloat64)};
            m_pg->allreduce(t)->wait();
        });
    }
    void broadcast(float* data, std::size_t count, int root) override {
        run("broadcast", count * sizeof(float), [&] {
            std::vector<at::Tensor> t{torch::from_blob(data, {long(count)}, torch::kFloat32)};
            c10d::BroadcastOptions o;
            o.rootRank = root;
            m_pg->broadcast(t, o)->wait();
        });
    }

private:
    // Runs one collective; a failure becomes a DataParallelError that says what it means.
    template <class F> void run(const char* what, std::size_t bytes, F&& f) {
        const Clock::time_point t0 = Clock::now();
        try {
            f();
        } catch (const std::exception& e) {
            const std::string detail = firstLine(e.what());
            std::string why;
            if (detail.find("Timed out") != std::string::npos ||
                detail.find("timed out") != std::string::npos)
                why = "no answer from a peer within " + std::to_string(int(m_timeoutSeconds)) +
                      " s (a rank stalled, or its machine is unreachable)";
            else if (detail.find("Connection reset") != std::string::npos ||
                     detail.find("Connection closed") != std::string::npos ||
                     detail.find("Broken pipe") != std::string::npos ||
                     detail.find("Connection refused") != std::string::npos)
                why = "a peer left the group (its process ended or was killed)";
            else
                why = "the collective failed";
            throw DataParallelError("rank " + std::to_string(m_rank) + " of " +
                                    std::to_string(m_world) + ": " + what + ": " + why + " [" +
                                    detail + "]");
        }
        ++m_stats.collectives;
        m_stats.bytes += double(bytes);
        m_stats.seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    }

    c10::intrusive_ptr<c10d::Store> m_store; // kept alive: rank 0 hosts it for the others
    c10::intrusive_ptr<c10d::ProcessGroupGloo> m_pg;
    int m_rank, m_world;
    double m_timeoutSeconds;
    ExchangeStats m_stats;
};

std::string helloKey(int rank) {
    return "torchestra/hello/" + std::to_string(rank);
}

// Every rank says its world size and fingerprint; each checks everyone's against its own.
std::string checkAgreement(c10d::Store& store, const DistributedSettings& s,
                           const std::string& fingerprint, std::chrono::milliseconds timeout) {
    const std::string mine = std::to_string(s.worldSize) + "\n" + fingerprint;
    store.set(helloKey(s.rank), std::vector<std::uint8_t>(mine.begin(), mine.end()));
    for (int k = 0; k < s.worldSize; ++k) {
        if (k == s.rank)
            continue;
        try {
            store.wait({helloKey(k)}, timeout);
        } catch (const std::exception&) {
            return "rank " + std::to_string(k) + " did not join within " +
                   std::to_string(timeout.count() / 1000) +
                   " s (is it running, with the same WORLD_SIZE " + std::to_string(s.worldSize) +
                   ", MASTER_ADDR and MASTER_PORT?)";
        }
        const std::vector<std::uint8_t> bytes = store.get(helloKey(k));
        const std::string theirs(bytes.begin(), bytes.end());
        const std::size_t nl = theirs.find('\n');
        const std::string world = theirs.substr(0, nl);
        if (world != std::to_string(s.worldSize))
            return "rank " + std::to_string(k) + " was started with WORLD_SIZE " + world +
                   ", this rank with " + std::to_string(s.worldSize);
        const std::string print = nl == std::string::npos ? std::string() : theirs.substr(nl + 1);
        if (print != fingerprint)
            return "rank " + std::to_string(k) + " trains something else: " + print +
                   "; this rank: " + fingerprint;
    }
    return {};
}

} // namespace

std::shared_ptr<DataParallel> joinGlooGroup(const DistributedSettings& s,
                                            const std::string& fingerprint, std::string& error) {
    const auto timeout = std::chrono::milliseconds(long(s.timeoutSeconds * 1000));
    const std::string where = s.masterAddress + ":" + std::to_string(s.masterPort);
    c10::intrusive_ptr<c10d::Store> store;
    try {
        c10d::TCPStoreOptions o;
        o.port = std::uint16_t(s.masterPort);
        o.isServer = s.rank == 0;
        o.waitWorkers = false; // checkAgreement waits, and says who is missing
        o.timeout = timeout;
        store = c10::make_intrusive<c10d::TCPStore>(s.masterAddress, o);
    } catch (const std::exception& e) {
        error = s.rank == 0 ? "rank 0 could not host the rendezvous at " + where +
                                  " (is MASTER_PORT in use?): " + firstLine(e.what())
                            : "rank " + std::to_string(s.rank) + " could not reach rank 0 at " +
                                  where + " within " + std::to_string(int(s.timeoutSeconds)) +
                                  " s: " + firstLine(e.what());
        return nullptr;
    }
    try {
        if (std::string e = checkAgreement(*store, s, fingerprint, timeout); !e.empty()) {
            error = e;
            return nullptr;
        }
        std::string address = s.socketInterface.empty()
                                  ? localAddressTowards(s.masterAddress, s.masterPort)
                                  : std::string();
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        if (!s.socketInterface.empty())
            options->devices.push_back(
                c10d::ProcessGroupGloo::createDeviceForInterface(s.socketInterface));
        else if (!address.empty())
            options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(address));
        else {
            error = "no route from this machine to MASTER_ADDR " + s.masterAddress +
                    " (set GLOO_SOCKET_IFNAME to the interface to use)";
            return nullptr;
        }
        auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(
            c10::make_intrusive<c10d::PrefixStore>("gloo", store), s.rank, s.worldSize, options);
        return std::make_shared<GlooGroup>(store, pg, s.rank, s.worldSize, s.timeoutSeconds);
    } catch (const std::exception& e) {
        error = "rank " + std::to_string(s.rank) + " could not connect to the other ranks" +
                (s.socketInterface.empty() ? std::string() : " on interface " + s.socketInterface) +
                ": " + firstLine(e.what());
        return nullptr;
    }
}

} // namespace torchestra::ml::neural

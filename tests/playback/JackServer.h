#pragma once
// Starts Debian's jackd1 with the dummy driver (no sound card needed) under a server name of its
// own, so parallel test processes and a user's JACK never meet, and stops it at the end.

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace torchestra::playback::test {

class JackServer {
public:
    static constexpr int kRate = 48000;
    static constexpr int kPeriod = 256;

    static std::string jackdPath() {
        for (const char* p : {"/usr/bin/jackd", "/usr/local/bin/jackd"})
            if (::access(p, X_OK) == 0)
                return p;
        return "";
    }

    // Returns "" when the server is up, else why not.
    std::string start() {
        const std::string jackd = jackdPath();
        if (jackd.empty())
            return "jackd is not installed (apt-get install jackd1)";
        m_name = "torchestra-test-" + std::to_string(::getpid());
        // jackd1 0.126 keeps its metadata database under the *default* server's folder whatever
        // -n says, and dies on the first client when that folder is missing.
        std::error_code ec;
        const std::string shm = "/dev/shm/jack-" + std::to_string(::getuid());
        std::filesystem::create_directories(shm + "/default", ec);
        ::chmod(shm.c_str(), 0700);
        m_pid = ::fork();
        if (m_pid == 0) {
            // Quiet child: jackd prints its banner and driver details.
            std::freopen("/dev/null", "w", stdout);
            std::freopen("/dev/null", "w", stderr);
            const std::string rate = std::to_string(kRate), period = std::to_string(kPeriod);
            ::execl(jackd.c_str(), "jackd", "--no-realtime", "-n", m_name.c_str(), "-d", "dummy",
                    "-r", rate.c_str(), "-p", period.c_str(), static_cast<char*>(nullptr));
            ::_exit(127);
        }
        if (m_pid < 0)
            return "fork failed";
        ::setenv("JACK_DEFAULT_SERVER", m_name.c_str(), 1);
        const std::string socket =
            "/dev/shm/jack-" + std::to_string(::getuid()) + "/" + m_name + "/jack_0";
        for (int i = 0; i < 100; ++i) {
            if (std::filesystem::exists(socket, ec)) {
                // The socket appears a moment before the server accepts clients.
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
                return "";
            }
            int status = 0;
            if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
                m_pid = -1;
                return "jackd exited at start (status " + std::to_string(status) + ")";
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return "jackd did not come up within 5 s";
    }

    void stop() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status = 0;
            for (int i = 0; i < 100 && ::waitpid(m_pid, &status, WNOHANG) == 0; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            if (::waitpid(m_pid, &status, WNOHANG) == 0) {
                ::kill(m_pid, SIGKILL);
                ::waitpid(m_pid, &status, 0);
            }
            m_pid = -1;
            // jackd1 leaves its server folder behind; nothing else uses this name.
            std::error_code ec;
            std::filesystem::remove_all(
                "/dev/shm/jack-" + std::to_string(::getuid()) + "/" + m_name, ec);
        }
        ::unsetenv("JACK_DEFAULT_SERVER");
    }

    ~JackServer() { stop(); }
    const std::string& name() const { return m_name; }

private:
    pid_t m_pid = -1;
    std::string m_name;
};

} // namespace torchestra::playback::test

// A test process that crashes prints where, before it dies: CTest shows only "SEGFAULT" and the
// output so far, and a crash that comes once in hundreds of runs (a race) cannot be run again
// under a debugger. Compiled into every test binary (torchestra_test_common's source), so the
// handler is in place before main(); a handler already there (a sanitizer's) is left alone.
#include <execinfo.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <initializer_list>

namespace {

void writeText(const char* text) {
    // Only async-signal-safe calls from here on: write(2), backtrace_symbols_fd, raise.
    const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
    (void)ignored;
}

void printBacktraceAndDie(int sig) {
    writeText("\n*** test process got signal ");
    writeText(sig == SIGSEGV  ? "SIGSEGV"
              : sig == SIGBUS ? "SIGBUS"
              : sig == SIGFPE ? "SIGFPE"
              : sig == SIGILL ? "SIGILL"
                              : "SIGABRT");
    writeText("; the crashing thread's stack:\n");
    void* frames[64];
    const int count = ::backtrace(frames, 64);
    ::backtrace_symbols_fd(frames, count, STDERR_FILENO);
    writeText("*** end of stack\n");
    // SA_RESETHAND put the default action back: the process dies of the same signal, so CTest
    // still reports the crash as what it was.
    ::raise(sig);
}

const bool kInstalled = [] {
    // backtrace() loads libgcc on its first call, which is no call to make in a handler.
    void* warm[1];
    (void)::backtrace(warm, 1);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) {
        struct sigaction previous {};
        if (::sigaction(sig, nullptr, &previous) != 0 || previous.sa_handler != SIG_DFL ||
            (previous.sa_flags & SA_SIGINFO) != 0)
            continue;
        struct sigaction action {};
        action.sa_handler = printBacktraceAndDie;
        action.sa_flags = SA_RESETHAND;
        sigemptyset(&action.sa_mask);
        ::sigaction(sig, &action, nullptr);
    }
    return true;
}();

} // namespace

#include "base/AtomicFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace torchestra::base {

namespace {
std::string describe(const std::string& path, const char* what) {
    return path + ": " + what + ": " + std::strerror(errno);
}
} // namespace

std::string writeFileAtomically(const std::string& path, std::string_view bytes) {
    // The temporary lives beside the target so the rename stays within one file system.
    std::random_device rd;
    const std::string tmp =
        path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return describe(path, "cannot create a temporary file beside it");
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            std::string err = describe(path, "cannot write");
            ::close(fd);
            ::unlink(tmp.c_str());
            return err;
        }
        p += n;
        left -= std::size_t(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        std::string err = describe(path, "cannot flush to disk");
        ::unlink(tmp.c_str());
        return err;
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string err = describe(path, "cannot replace the file");
        ::unlink(tmp.c_str());
        return err;
    }
    return {};
}

std::string readWholeFile(const std::string& path, std::string& out, std::size_t maxBytes) {
    out.clear();
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return describe(path, "cannot open");
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        std::string err = describe(path, "cannot read");
        ::close(fd);
        return err;
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        return path + ": is a folder, not a file";
    }
    if (st.st_size > 0 && std::size_t(st.st_size) > maxBytes) {
        ::close(fd);
        return path + ": file too large (" + std::to_string(st.st_size) + " bytes; at most " +
               std::to_string(maxBytes) + ")";
    }
    if (st.st_size > 0)
        out.reserve(std::size_t(st.st_size));
    char buf[1 << 16];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            std::string err = describe(path, "cannot read");
            ::close(fd);
            out.clear();
            return err;
        }
        if (n == 0)
            break;
        if (out.size() + std::size_t(n) > maxBytes) {
            ::close(fd);
            out.clear();
            return path + ": file too large (more than " + std::to_string(maxBytes) + " bytes)";
        }
        out.append(buf, std::size_t(n));
    }
    ::close(fd);
    return {};
}

} // namespace torchestra::base

#include "suite/suite_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sage {
namespace {

std::string readHolder(int fd) {
    char buffer[128] = {};
    const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
    std::string text = n > 0 ? std::string(buffer, size_t(n)) : std::string();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text.empty() ? "another process" : text;
}

}  // namespace

SuiteLock::SuiteLock(const std::string& path, void (*onWait)(const std::string& holder)) : m_path(path) {
    // Not O_CLOEXEC: see the class comment.
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
    if (m_fd < 0) throw std::runtime_error("cannot open the suite lock " + path + ": " + std::strerror(errno));
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) {
            const std::string reason = std::strerror(errno);
            ::close(m_fd);
            throw std::runtime_error("cannot lock " + path + ": " + reason);
        }
        if (onWait) onWait(readHolder(m_fd));
        int status;
        while ((status = ::flock(m_fd, LOCK_EX)) != 0 && errno == EINTR) {
        }
        if (status != 0) {
            const std::string reason = std::strerror(errno);
            ::close(m_fd);
            throw std::runtime_error("cannot lock " + path + ": " + reason);
        }
    }
    // Who holds it, for whoever waits next.
    const std::string holder = "sage-train suite (pid " + std::to_string(::getpid()) + ")\n";
    if (::ftruncate(m_fd, 0) != 0 || ::pwrite(m_fd, holder.data(), holder.size(), 0) < 0) {
        // The description is a courtesy; the lock itself is held.
    }
}

SuiteLock::~SuiteLock() {
    if (m_fd >= 0) ::close(m_fd);  // children that inherited it keep it until they exit
}

bool SuiteLock::isHeld(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return held;
}

}  // namespace sage

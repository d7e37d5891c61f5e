#pragma once
#include <string>

namespace sage {

/// Keeps two `sage-train suite` processes off the same experiment of the same store: a SuitePlan
/// takes every unfinished run of its experiment for dead and replaces it, which is only right
/// when no other suite is training one. An exclusive flock(2) on a file in the suite's work
/// folder; the kernel drops it when the holder dies, whatever killed it.
///
/// The descriptor is inherited by the training processes the suite starts, on purpose: a suite
/// killed with SIGKILL leaves its trainers stopping (they get SIGTERM), and the lock is free only
/// once the last of them has exited, so a rerun never replaces a run that is still being written.
class SuiteLock {
public:
    /// Takes the lock, waiting while another process holds it; `onWait` (if set) is called once
    /// with the holder's description before waiting. Throws std::runtime_error when the file
    /// cannot be created or locked.
    explicit SuiteLock(const std::string& path, void (*onWait)(const std::string& holder) = nullptr);
    ~SuiteLock();
    SuiteLock(const SuiteLock&) = delete;
    SuiteLock& operator=(const SuiteLock&) = delete;

    const std::string& path() const { return m_path; }
    /// Whether another process holds the lock on `path` now (tests, diagnostics).
    static bool isHeld(const std::string& path);

private:
    std::string m_path;
    int m_fd = -1;
};

}  // namespace sage

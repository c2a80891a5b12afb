#pragma once
/// The sharpscope executable as a separate process (what happens at exit, signals, two runs at
/// once, resource limits), ids of processes that no longer run, and a small real file system to
/// fill up.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sharpscope::testing {

/// How a process ended: its exit code, or the signal that killed it.
struct ProcessEnd {
  int exit_code = -1;  ///< -1 when killed by a signal
  int signal = 0;      ///< 0 when it exited
  std::string error;   ///< what it wrote to stderr (run_binary only)
  bool exited(int code) const { return signal == 0 && exit_code == code; }
};

/// Options of a child process.
struct ChildOptions {
  /// RLIMIT_FSIZE in bytes: writes past it fail (EFBIG once SIGXFSZ is ignored, as sharpscope
  /// does). Unset: inherited.
  std::optional<uint64_t> file_size_limit;
};

/// A running `sharpscope ARGS...` (the SHARPSCOPE_BINARY executable), stdout discarded and stderr
/// to `stderr_path` (or discarded when empty). Killed with SIGKILL and reaped on destruction if
/// still running.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::string& stderr_path = "",
        const ChildOptions& options = {});
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();
  pid_t pid() const { return pid_; }
  /// Waits for the end.
  ProcessEnd wait();
  /// Sends `signal` (the process may have ended already).
  void kill(int signal);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  ProcessEnd end_;
};

/// Runs `sharpscope ARGS...` to its end; the end carries stderr.
ProcessEnd run_binary(const std::vector<std::string>& args, const ChildOptions& options = {});

/// The id of a process that ran and was reaped, so no process has it (until the kernel hands it
/// out again, which takes a full cycle of ids).
int64_t dead_pid();

/// A tmpfs of `bytes` mounted on a fresh directory (needs root, or CAP_SYS_ADMIN); unmounted and
/// removed on destruction. `mounted()` is false where mounting is not allowed: skip then.
class SmallFileSystem {
 public:
  explicit SmallFileSystem(uint64_t bytes);
  SmallFileSystem(const SmallFileSystem&) = delete;
  SmallFileSystem& operator=(const SmallFileSystem&) = delete;
  ~SmallFileSystem();
  bool mounted() const { return mounted_; }
  /// Why mounting failed (for GTEST_SKIP).
  const std::string& why_not() const { return why_not_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool mounted_ = false;
  std::string why_not_;
};

/// Lowers this process's file-size limit (RLIMIT_FSIZE) for one scope, with SIGXFSZ ignored as
/// sharpscope ignores it: writes past `bytes` fail with EFBIG. An injected write failure that
/// needs no privilege and goes through the same path as ENOSPC, EDQUOT and EIO.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(uint64_t bytes);
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  ~FileSizeLimit();

 private:
  uint64_t saved_current_ = 0;
  void (*previous_handler_)(int) = nullptr;
};

/// Names of the entries of `dir`, sorted.
std::vector<std::string> directory_names(const std::string& dir);

/// The entries of `dir` whose names contain ".tmp." (temp files of writers).
std::vector<std::string> temp_files_in(const std::string& dir);

}  // namespace sharpscope::testing

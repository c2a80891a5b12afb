#pragma once
/// Files that appear whole or not at all: every output (HDF5 results through io/h5_writer.h,
/// checkpoints through core/checkpoint.h) is written as "<path>.tmp.<pid>.<host>", synced, checked
/// and renamed onto <path>. A crash, SIGKILL, Ctrl-C or full disk therefore never leaves a
/// truncated file under the final name, and concurrent writers of one path never mix their bytes:
/// each has its own temp file and the last rename wins.
///
/// Leftovers of writers that died without cleaning up (SIGKILL, power loss) are removed by the
/// next writer of the same path on the same host, which says so on stderr. A temp file whose
/// process still runs, or that another host wrote (a shared file system), is never touched: the
/// process id in its name is only meaningful on the host that wrote it.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sharpscope {

/// The temp file this process writes `path` through: "<path>.tmp.<pid>.<host>" (the host name
/// with characters other than letters, digits, '-', '_' and '.' replaced by '_').
std::string temp_path_for(const std::string& path);

/// The writer of a temp file, read back from its name. `host` is empty for names without one
/// ("<path>.tmp.<pid>", written by sharpscope before 0.2), which count as this host's.
struct TempFileOwner {
  int64_t pid = 0;
  std::string host;
};

/// The writer of `candidate` when it is a temp file of `path` (same directory, name
/// "<name of path>.tmp.<pid>[.<host>]"), else nothing.
std::optional<TempFileOwner> temp_file_owner(const std::string& path, const std::string& candidate);

/// Whether process `pid` exists on this host (kill(pid, 0) succeeds or fails with EPERM).
bool process_alive(int64_t pid);

/// Removes the temp files of `path` left by processes of this host that no longer run, printing
/// "sharpscope: removed 'X', left by process N, which no longer runs" on stderr for each; returns
/// the paths removed. Never throws: a leftover that cannot be removed is reported and kept.
/// Costs one listing of the directory of `path`.
std::vector<std::string> remove_stale_temps(const std::string& path);

/// One file being written through its temp file. Bytes are appended with write(); commit() makes
/// them the file at `path`; destroying the object uncommitted removes the temp file.
class AtomicFile {
 public:
  /// Removes stale temps of `path`, then creates its temp file (exclusively, never through a
  /// symbolic link). OutputError "--out = 'PATH': cannot create file: REASON" when the directory
  /// is missing, not a directory or not writable, or `path` exists and is not a regular file
  /// (renaming onto /dev/null or a directory must never happen).
  explicit AtomicFile(std::string path);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  /// Appends `size` bytes. Never throws: the first failure (ENOSPC, EDQUOT, EIO, EFBIG, ...) is
  /// remembered, later writes are skipped, and commit() reports it. Libraries that write through
  /// a callback (LibTorch's zip writer) must never see an exception from it.
  void write(const void* data, size_t size);

  /// Syncs the temp file (delayed allocation and network file systems report ENOSPC and EIO only
  /// here), calls `verify` with the temp path (it may throw, e.g. a reader that finds the file
  /// incomplete), renames onto `path` and syncs the directory. OutputError "PATH: cannot write the
  /// file: CAUSE" on a failed write, sync or rename, and when the temp file was removed or
  /// replaced meanwhile; the temp file is removed in every failure.
  void commit(const std::function<void(const std::string& temp_path)>& verify = {});

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }
  /// Bytes written so far.
  uint64_t size() const { return written_; }

 private:
  [[noreturn]] void fail(const std::string& what);  // removes the temp file, throws OutputError

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  uint64_t written_ = 0;
  int write_errno_ = 0;  ///< errno of the first failed write, 0 while all succeeded
  bool committed_ = false;
};

}  // namespace sharpscope

#include "sharpscope/core/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>

#include "sharpscope/core/error.h"

namespace sharpscope {

namespace fs = std::filesystem;

namespace {

const std::string& this_host() {
  static const std::string host = [] {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return std::string("host");
    std::string cleaned(name);
    for (char& c : cleaned) {
      const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      if (!plain) c = '_';
    }
    return cleaned;
  }();
  return host;
}

fs::path directory_of(const std::string& path) {
  const fs::path dir = fs::path(path).parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

// Explains why the temp file could not be created in terms the user can act on.
std::string creation_failure(const std::string& path, int error) {
  const fs::path dir = directory_of(path);
  std::error_code ec;
  std::string reason;
  if (!fs::exists(dir, ec))
    reason = "directory '" + dir.string() + "' does not exist";
  else if (!fs::is_directory(dir, ec))
    reason = "'" + dir.string() + "' is not a directory";
  else if (::access(dir.c_str(), W_OK) != 0)
    reason = "directory '" + dir.string() + "' is not writable";
  else
    reason = std::strerror(error);
  return "--out = '" + path + "': cannot create file: " + reason;
}

}  // namespace

std::string temp_path_for(const std::string& path) {
  return path + ".tmp." + std::to_string(::getpid()) + "." + this_host();
}

std::optional<TempFileOwner> temp_file_owner(const std::string& path,
                                             const std::string& candidate) {
  const fs::path target(path), other(candidate);
  if (directory_of(path) != directory_of(candidate)) return std::nullopt;
  const std::string prefix = target.filename().string() + ".tmp.";
  const std::string name = other.filename().string();
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0)
    return std::nullopt;
  const std::string rest = name.substr(prefix.size());
  size_t digits = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
  if (digits == 0 || digits > 18) return std::nullopt;
  if (digits < rest.size() && (rest[digits] != '.' || digits + 1 == rest.size()))
    return std::nullopt;
  TempFileOwner owner;
  owner.pid = std::stoll(rest.substr(0, digits));
  if (digits < rest.size()) owner.host = rest.substr(digits + 1);
  if (owner.pid <= 0) return std::nullopt;
  return owner;
}

bool process_alive(int64_t pid) {
  if (pid <= 0 || pid > std::numeric_limits<pid_t>::max()) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::vector<std::string> remove_stale_temps(const std::string& path) {
  std::vector<std::string> removed;
  std::error_code ec;
  fs::directory_iterator entries(directory_of(path), ec);
  if (ec) return removed;  // creating the file will report a missing directory
  for (const fs::directory_entry& entry : entries) {
    const std::string candidate = entry.path().string();
    const std::optional<TempFileOwner> owner = temp_file_owner(path, candidate);
    if (!owner) continue;
    // Another host's process ids say nothing here; a live process (or a recycled id: the rare
    // false "alive" only keeps a dead file) may still rename its file into place.
    if (!owner->host.empty() && owner->host != this_host()) continue;
    if (process_alive(owner->pid)) continue;
    if (!entry.is_regular_file(ec) || entry.is_symlink(ec)) continue;
    if (::unlink(candidate.c_str()) == 0) {
      std::fprintf(stderr, "sharpscope: removed '%s', left by process %lld, which no longer runs\n",
                   candidate.c_str(), static_cast<long long>(owner->pid));
      removed.push_back(candidate);
    } else if (errno != ENOENT) {  // ENOENT: a concurrent run removed it first
      std::fprintf(stderr, "sharpscope: cannot remove '%s', left by process %lld: %s\n",
                   candidate.c_str(), static_cast<long long>(owner->pid), std::strerror(errno));
    }
  }
  return removed;
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  if (fs::exists(path_, ec) && !fs::is_regular_file(path_, ec))
    throw OutputError("--out = '" + path_ + "': exists and is not a regular file");
  remove_stale_temps(path_);
  temp_path_ = temp_path_for(path_);
  // A file of ours by this name is from this very process (an earlier writer of the same path
  // that could not clean up); unlink removes a symbolic link itself, never its target.
  ::unlink(temp_path_.c_str());
  fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd_ < 0) throw OutputError(creation_failure(path_, errno));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

void AtomicFile::write(const void* data, size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0 && write_errno_ == 0) {
    const ssize_t n = ::write(fd_, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // A zero-byte write of a non-empty buffer is the kernel's way of saying "no space" on some
      // file systems; report it as such rather than loop.
      write_errno_ = n < 0 ? errno : ENOSPC;
      break;
    }
    bytes += n;
    size -= static_cast<size_t>(n);
    written_ += static_cast<uint64_t>(n);
  }
}

void AtomicFile::fail(const std::string& what) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(temp_path_.c_str());
  throw OutputError(path_ + ": " + what);
}

void AtomicFile::commit(const std::function<void(const std::string& temp_path)>& verify) {
  if (committed_ || fd_ < 0) throw std::logic_error(path_ + ": AtomicFile::commit called twice");
  const std::string cannot = "cannot write the file: ";
  if (write_errno_ != 0) fail(cannot + std::strerror(write_errno_));
  if (::fsync(fd_) != 0) fail(cannot + std::strerror(errno));
  // The name must still lead to the bytes just written: a temp file removed or replaced
  // meanwhile (a cleanup script, another process) would otherwise rename someone else's file.
  struct stat ours {
  }, named{};
  if (::fstat(fd_, &ours) != 0) fail(cannot + std::strerror(errno));
  if (::stat(temp_path_.c_str(), &named) != 0 || named.st_ino != ours.st_ino ||
      named.st_dev != ours.st_dev) {
    fail(cannot + "its temporary file '" + temp_path_ + "' was removed or replaced meanwhile");
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(cannot + std::strerror(errno));
  if (verify) {
    try {
      verify(temp_path_);
    } catch (const std::exception& e) {
      fail(cannot + "it does not read back (" + e.what() + ")");
    }
  }
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    fail("cannot rename '" + temp_path_ + "' onto it: " + std::strerror(errno));
  }
  committed_ = true;
  // Make the rename itself durable. A failure here leaves a complete file in place, which is all
  // a later reader can check, so it is not an error.
  const int dir = ::open(directory_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace sharpscope

#include "support/processes.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>

namespace sharpscope::testing {

namespace fs = std::filesystem;

namespace {

ProcessEnd decode(int status) {
  ProcessEnd end;
  if (WIFEXITED(status)) end.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) end.signal = WTERMSIG(status);
  return end;
}

}  // namespace

Child::Child(const std::vector<std::string>& args, const std::string& stderr_path,
             const ChildOptions& options) {
  std::vector<std::string> argv_text{SHARPSCOPE_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls are allowed in a multi-threaded parent.
  const char* err = stderr_path.empty() ? "/dev/null" : stderr_path.c_str();
  rlimit limit{};
  if (options.file_size_limit) limit.rlim_cur = limit.rlim_max = *options.file_size_limit;
  pid_ = ::fork();
  if (pid_ == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    const int errors = ::open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (null >= 0) ::dup2(null, STDOUT_FILENO);
    if (errors >= 0) ::dup2(errors, STDERR_FILENO);
    if (options.file_size_limit) ::setrlimit(RLIMIT_FSIZE, &limit);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
}

Child::~Child() {
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    wait();
  }
}

ProcessEnd Child::wait() {
  if (reaped_) return end_;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
  end_ = decode(status);
  return end_;
}

void Child::kill(int signal) {
  if (!reaped_) ::kill(pid_, signal);
}

ProcessEnd run_binary(const std::vector<std::string>& args, const ChildOptions& options) {
  // stderr goes through a pipe, not a file: a file-size limit (ChildOptions) would cut a file
  // short, a pipe is not a file and carries the message whatever the limit.
  std::vector<std::string> argv_text{SHARPSCOPE_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  rlimit limit{};
  if (options.file_size_limit) limit.rlim_cur = limit.rlim_max = *options.file_size_limit;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) ::dup2(null, STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);  // dup2 clears O_CLOEXEC on the copy
    if (options.file_size_limit) ::setrlimit(RLIMIT_FSIZE, &limit);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::string error;
  char buffer[4096];
  while (true) {  // until EOF: the child has exited (or closed stderr)
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    error.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ProcessEnd end = pid > 0 ? decode(status) : ProcessEnd{};
  end.error = error;
  return end;
}

int64_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

SmallFileSystem::SmallFileSystem(uint64_t bytes) {
  static std::atomic<int> counter{0};
  path_ = (fs::temp_directory_path() /
           ("sharpscope-fs-" + std::to_string(::getpid()) + "-" + std::to_string(counter++)))
              .string();
  fs::create_directories(path_);
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0777";
  if (::mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) == 0) {
    mounted_ = true;
  } else {
    why_not_ = std::string("cannot mount a tmpfs (") + std::strerror(errno) + "): needs root";
  }
}

SmallFileSystem::~SmallFileSystem() {
  if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

FileSizeLimit::FileSizeLimit(uint64_t bytes) {
  rlimit limit{};
  ::getrlimit(RLIMIT_FSIZE, &limit);
  saved_current_ = limit.rlim_cur;
  previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
  limit.rlim_cur = bytes;
  ::setrlimit(RLIMIT_FSIZE, &limit);
}

FileSizeLimit::~FileSizeLimit() {
  rlimit limit{};
  ::getrlimit(RLIMIT_FSIZE, &limit);
  limit.rlim_cur = saved_current_;
  ::setrlimit(RLIMIT_FSIZE, &limit);
  std::signal(SIGXFSZ, previous_handler_);
}

std::vector<std::string> directory_names(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> temp_files_in(const std::string& dir) {
  std::vector<std::string> temps;
  for (const std::string& name : directory_names(dir))
    if (name.find(".tmp.") != std::string::npos) temps.push_back(name);
  return temps;
}

}  // namespace sharpscope::testing

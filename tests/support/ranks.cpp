#include "support/ranks.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "support/scratch_dir.h"

extern char** environ;

namespace sharpscope::testing {

std::string sharpscope_binary() { return SHARPSCOPE_BINARY; }

RankEnvironment torchrun_environment(int rank, int size, int port) {
  return {{"RANK", std::to_string(rank)},       {"WORLD_SIZE", std::to_string(size)},
          {"LOCAL_RANK", std::to_string(rank)}, {"LOCAL_WORLD_SIZE", std::to_string(size)},
          {"MASTER_ADDR", "127.0.0.1"},         {"MASTER_PORT", std::to_string(port)}};
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("free_port: cannot bind a loopback socket");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::vector<RankOutcome> launch_ranks(const Launch& launch) {
  using Clock = std::chrono::steady_clock;
  const std::string program = launch.program.empty() ? sharpscope_binary() : launch.program;
  const size_t n = launch.environments.size();
  std::vector<pid_t> pids(n, -1);
  std::vector<RankOutcome> outcomes(n);
  std::vector<std::string> outs(n), errs(n);
  const auto start = Clock::now();
  for (size_t r = 0; r < n; ++r) {
    outs[r] = launch.directory + "/rank" + std::to_string(r) + ".stdout";
    errs[r] = launch.directory + "/rank" + std::to_string(r) + ".stderr";
    // Everything the child needs is built before fork: after it only async-signal-safe calls.
    std::vector<std::string> env_text;
    for (char** e = environ; *e; ++e) {
      const std::string entry = *e;
      const std::string name = entry.substr(0, entry.find('='));
      if (!launch.environments[r].count(name) && name != "TMPDIR") env_text.push_back(entry);
    }
    RankEnvironment variables = launch.environments[r];
    // The ranks' private rendezvous directory (core/distributed.h) goes into the scratch directory:
    // a killed rank's file is removed with it instead of staying in /tmp.
    if (!variables.count("TMPDIR")) variables["TMPDIR"] = launch.directory;
    for (const auto& [name, value] : variables) env_text.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (std::string& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::vector<std::string> arg_text{program};
    arg_text.insert(arg_text.end(), launch.args.begin(), launch.args.end());
    std::vector<char*> argv;
    for (std::string& a : arg_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int out = ::open(outs[r].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(errs[r].c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0) throw std::runtime_error("launch_ranks: cannot create " + outs[r]);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(out, STDOUT_FILENO);
      ::dup2(err, STDERR_FILENO);
      ::execve(program.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(out);
    ::close(err);
    pids[r] = pid;
  }
  size_t running = n;
  while (running > 0) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    for (size_t r = 0; r < n; ++r) {
      if (pids[r] < 0) continue;
      int status = 0;
      if (::waitpid(pids[r], &status, WNOHANG) == pids[r]) {
        outcomes[r].exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
        outcomes[r].seconds = elapsed;
        pids[r] = -1;
        --running;
      } else if (elapsed > launch.limit_seconds) {
        ::kill(pids[r], SIGKILL);
        ::waitpid(pids[r], &status, 0);
        outcomes[r].killed_by_harness = true;
        outcomes[r].exit_code = -SIGKILL;
        outcomes[r].seconds = elapsed;
        pids[r] = -1;
        --running;
      }
    }
    if (running > 0 && launch.watch) launch.watch(pids, elapsed);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (size_t r = 0; r < n; ++r) {
    outcomes[r].out = file_text(outs[r]);
    outcomes[r].err = file_text(errs[r]);
  }
  return outcomes;
}

std::vector<RankOutcome> run_ranks(int n, const std::vector<std::string>& args,
                                   const std::string& directory, double limit_seconds) {
  Launch launch;
  launch.args = args;
  launch.directory = directory;
  launch.limit_seconds = limit_seconds;
  const int port = free_port();
  for (int r = 0; r < n; ++r) launch.environments.push_back(torchrun_environment(r, n, port));
  return launch_ranks(launch);
}

}  // namespace sharpscope::testing

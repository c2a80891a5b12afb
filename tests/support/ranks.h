#pragma once
/// Starts the ranks of a distributed run as a launcher would (docs/distributed.md): child
/// processes of the sharpscope executable, each with torchrun's variables (or any others), their
/// output captured in files, all of them bounded in time.
#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace sharpscope::testing {

struct RankOutcome {
  int exit_code = -1;              ///< the process's exit status; -signal when killed by one
  bool killed_by_harness = false;  ///< still running at the time limit
  double seconds = 0.0;            ///< from the launch to its exit
  std::string out, err;            ///< what it printed
};

/// The environment of one rank: variable → value (added to the test's own environment).
using RankEnvironment = std::map<std::string, std::string>;

/// torchrun's contract for rank `rank` of `size`, all on this machine, MASTER_PORT = `port`.
RankEnvironment torchrun_environment(int rank, int size, int port);

/// A TCP port on 127.0.0.1 free at the time of the call (bound to 0 and released).
int free_port();

struct Launch {
  std::vector<std::string> args;              ///< arguments after the executable
  std::vector<RankEnvironment> environments;  ///< one per rank
  double limit_seconds = 60.0;                ///< then every rank still running is killed
  std::string directory;                      ///< where the output files go (a scratch dir)
  /// Called every 20 ms with the ranks' pids while any runs (e.g. to kill one); may be empty.
  std::function<void(const std::vector<pid_t>&, double elapsed)> watch;
  /// Replaces the sharpscope executable (e.g. mpirun, whose arguments then start with it).
  std::string program;
};

/// Runs the ranks to completion (or the limit) and returns each one's outcome. TMPDIR is
/// `directory` unless an environment sets it.
std::vector<RankOutcome> launch_ranks(const Launch& launch);

/// `n` ranks of `sharpscope args...` with torchrun's variables and a fresh port.
std::vector<RankOutcome> run_ranks(int n, const std::vector<std::string>& args,
                                   const std::string& directory, double limit_seconds = 60.0);

/// The path of the sharpscope executable under test.
std::string sharpscope_binary();

}  // namespace sharpscope::testing

// The launcher's variables → LaunchEnvironment (docs/distributed.md "Launching").
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"

namespace sharpscope {
namespace {

struct Reader {
  const EnvironmentLookup& lookup;

  std::optional<std::string> text(const std::string& name) const {
    std::optional<std::string> value = lookup(name);
    if (value && value->empty()) return std::nullopt;  // VAR= counts as unset, as in torchrun
    return value;
  }

  std::optional<int> integer(const std::string& name, int minimum) const {
    const std::optional<std::string> value = text(name);
    if (!value) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const long number = std::strtol(value->c_str(), &end, 10);
    if (errno != 0 || end == value->c_str() || *end != '\0' || number < minimum ||
        number > (1L << 30)) {
      throw UsageError(name + " = '" + *value + "': expected an integer >= " +
                       std::to_string(minimum) + " (set by the launcher)");
    }
    return static_cast<int>(number);
  }

  int required(const std::string& name, int minimum, const std::string& family) const {
    const std::optional<int> value = integer(name, minimum);
    if (!value) throw UsageError(name + ": not set, but " + family + " is (set both or neither)");
    return *value;
  }
};

bool loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// Slurm's task counts per node: "2(x3),1" = 2,2,2,1.
std::optional<int> tasks_on_node(const std::string& spec, int node) {
  std::istringstream in(spec);
  std::string item;
  int index = 0;
  while (std::getline(in, item, ',')) {
    int count = 0, repeat = 1;
    char open = 0;
    std::istringstream part(item);
    part >> count;
    if (!part) return std::nullopt;
    if (part >> open) {
      char x = 0;
      if (open != '(' || !(part >> x >> repeat) || x != 'x') return std::nullopt;
    }
    if (node < index + repeat) return count;
    index += repeat;
  }
  return std::nullopt;
}

// The launching process (torchrun's agent, mpirun, slurmstepd, a test harness) as pid and start
// time, so that a pid reused by a later launch never names the same run.
std::string launching_process() {
  const pid_t parent = ::getppid();
  std::ifstream stat("/proc/" + std::to_string(parent) + "/stat");
  std::string line;
  std::getline(stat, line);
  // Field 22 (starttime) counts from after the parenthesized command name, which may hold spaces.
  std::string start = "?";
  const size_t close = line.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(line.substr(close + 2));
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i) {
      if (i == 22) start = field;
    }
  }
  return std::to_string(parent) + "@" + start;
}

}  // namespace

std::string LaunchEnvironment::who() const {
  return size > 1 ? "rank " + std::to_string(rank) + "/" + std::to_string(size) : "";
}

LaunchEnvironment read_launch_environment(const EnvironmentLookup& lookup) {
  const Reader env{lookup};
  LaunchEnvironment out;
  std::optional<int> local_size;
  if (env.text("WORLD_SIZE") || env.text("RANK")) {
    out.launcher = "torchrun";
    out.size = env.required("WORLD_SIZE", 1, "RANK");
    out.rank = env.required("RANK", 0, "WORLD_SIZE");
    out.local_rank = env.integer("LOCAL_RANK", 0).value_or(0);
    local_size = env.integer("LOCAL_WORLD_SIZE", 1);
  } else if (env.text("OMPI_COMM_WORLD_SIZE")) {
    out.launcher = "mpirun";
    out.size = env.required("OMPI_COMM_WORLD_SIZE", 1, "OMPI_COMM_WORLD_SIZE");
    out.rank = env.required("OMPI_COMM_WORLD_RANK", 0, "OMPI_COMM_WORLD_SIZE");
    out.local_rank = env.integer("OMPI_COMM_WORLD_LOCAL_RANK", 0).value_or(0);
    local_size = env.integer("OMPI_COMM_WORLD_LOCAL_SIZE", 1);
  } else if (env.text("SLURM_STEP_ID") && env.text("SLURM_PROCID")) {
    // Inside a job step only: a batch script has SLURM_NTASKS and SLURM_PROCID=0 too, but runs
    // one process.
    out.launcher = "srun";
    const std::string size_name =
        env.text("SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS" : "SLURM_NTASKS";
    out.size = env.required(size_name, 1, "SLURM_PROCID");
    out.rank = env.required("SLURM_PROCID", 0, size_name);
    out.local_rank = env.integer("SLURM_LOCALID", 0).value_or(0);
    const std::optional<std::string> per_node = env.text("SLURM_STEP_TASKS_PER_NODE");
    if (per_node) {
      local_size = tasks_on_node(*per_node, env.integer("SLURM_NODEID", 0).value_or(0));
      if (!local_size) {
        throw UsageError("SLURM_STEP_TASKS_PER_NODE = '" + *per_node +
                         "': expected counts like 2(x3),1");
      }
    }
  }
  out.master_addr = env.text("MASTER_ADDR").value_or("");
  out.master_port = env.integer("MASTER_PORT", 1).value_or(0);
  if (out.master_port > 65535) {
    throw UsageError("MASTER_PORT = " + std::to_string(out.master_port) +
                     ": expected a TCP port (1-65535)");
  }
  if (out.rank >= out.size) {
    throw UsageError("rank " + std::to_string(out.rank) + " with a world of " +
                     std::to_string(out.size) + " (" + out.launcher +
                     " variables): the rank must be below the world size");
  }
  if (!local_size) {
    local_size = !out.master_addr.empty() && loopback(out.master_addr) ? out.size : 1;
  }
  out.local_size = *local_size;
  if (out.local_rank >= out.local_size || out.local_size > out.size) {
    throw UsageError("local rank " + std::to_string(out.local_rank) + " of " +
                     std::to_string(out.local_size) + " local ranks in a world of " +
                     std::to_string(out.size) + " (" + out.launcher +
                     " variables): inconsistent launch");
  }
  std::string id = "uid=" + std::to_string(::getuid());
  for (const char* name :
       {"TORCHELASTIC_RUN_ID", "TORCHELASTIC_RESTART_COUNT", "MASTER_PORT",
        "OMPI_MCA_ess_base_jobid", "PMIX_NAMESPACE", "SLURM_JOB_ID", "SLURM_STEP_ID"}) {
    if (const std::optional<std::string> value = env.text(name))
      id += ";" + std::string(name) + "=" + *value;
  }
  out.run_id = id + ";parent=" + launching_process();
  return out;
}

LaunchEnvironment read_launch_environment() {
  return read_launch_environment([](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
  });
}

}  // namespace sharpscope

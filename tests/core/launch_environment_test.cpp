// The launcher's variables → LaunchEnvironment (core/distributed.h), in-process: no process is
// started and nothing is opened.
#include <gtest/gtest.h>

#include <map>

#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"

namespace sharpscope {
namespace {

LaunchEnvironment read(const std::map<std::string, std::string>& vars) {
  return read_launch_environment([&](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

TEST(LaunchEnvironment, NoVariablesIsOneRankThatOpensNothing) {
  const LaunchEnvironment e = read({});
  EXPECT_FALSE(e.distributed());
  EXPECT_EQ(e.size, 1);
  EXPECT_EQ(e.launcher, "none");
  EXPECT_EQ(e.who(), "");
}

TEST(LaunchEnvironment, TorchrunContract) {
  const LaunchEnvironment e = read({{"RANK", "3"},
                                    {"WORLD_SIZE", "4"},
                                    {"LOCAL_RANK", "1"},
                                    {"LOCAL_WORLD_SIZE", "2"},
                                    {"MASTER_ADDR", "node0"},
                                    {"MASTER_PORT", "29500"}});
  EXPECT_EQ(e.launcher, "torchrun");
  EXPECT_EQ(e.rank, 3);
  EXPECT_EQ(e.size, 4);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.local_size, 2);
  EXPECT_FALSE(e.single_machine()) << "2 of 4 ranks here: a multi-machine run";
  EXPECT_EQ(e.master_addr, "node0");
  EXPECT_EQ(e.master_port, 29500);
  EXPECT_EQ(e.who(), "rank 3/4");
  EXPECT_NE(e.run_id.find("MASTER_PORT=29500"), std::string::npos) << e.run_id;
}

TEST(LaunchEnvironment, WithoutALocalSizeALoopbackMasterMeansOneMachine) {
  EXPECT_TRUE(
      read({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}}).single_machine());
  EXPECT_FALSE(
      read({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "10.0.0.1"}}).single_machine());
}

TEST(LaunchEnvironment, OpenMpiVariables) {
  const LaunchEnvironment e = read({{"OMPI_COMM_WORLD_RANK", "1"},
                                    {"OMPI_COMM_WORLD_SIZE", "2"},
                                    {"OMPI_COMM_WORLD_LOCAL_RANK", "1"},
                                    {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"},
                                    {"OMPI_MCA_ess_base_jobid", "66387969"}});
  EXPECT_EQ(e.launcher, "mpirun");
  EXPECT_EQ(e.rank, 1);
  EXPECT_EQ(e.size, 2);
  EXPECT_TRUE(e.single_machine());
  EXPECT_NE(e.run_id.find("66387969"), std::string::npos);
}

TEST(LaunchEnvironment, SlurmOnlyInsideAJobStep) {
  // A batch script sees SLURM_NTASKS and SLURM_PROCID too, but runs one process.
  EXPECT_FALSE(read({{"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}}).distributed());
  const LaunchEnvironment e = read({{"SLURM_STEP_ID", "0"},
                                    {"SLURM_PROCID", "5"},
                                    {"SLURM_NTASKS", "6"},
                                    {"SLURM_LOCALID", "1"},
                                    {"SLURM_NODEID", "2"},
                                    {"SLURM_STEP_TASKS_PER_NODE", "2(x2),2"},
                                    {"MASTER_ADDR", "n0"},
                                    {"MASTER_PORT", "12345"}});
  EXPECT_EQ(e.launcher, "srun");
  EXPECT_EQ(e.rank, 5);
  EXPECT_EQ(e.size, 6);
  EXPECT_EQ(e.local_rank, 1);
  EXPECT_EQ(e.local_size, 2);
}

TEST(LaunchEnvironment, TorchrunWinsOverTheOthers) {
  EXPECT_EQ(read({{"RANK", "0"},
                  {"WORLD_SIZE", "2"},
                  {"OMPI_COMM_WORLD_SIZE", "8"},
                  {"OMPI_COMM_WORLD_RANK", "5"}})
                .launcher,
            "torchrun");
}

TEST(LaunchEnvironment, MalformedVariablesAreUsageErrorsNamingThem) {
  const auto message = [](const std::map<std::string, std::string>& vars) -> std::string {
    try {
      read(vars);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message({{"RANK", "x"}, {"WORLD_SIZE", "2"}}),
            "RANK = 'x': expected an integer >= 0 (set by the launcher)");
  EXPECT_EQ(message({{"RANK", "0"}}), "WORLD_SIZE: not set, but RANK is (set both or neither)");
  EXPECT_EQ(message({{"RANK", "2"}, {"WORLD_SIZE", "2"}}),
            "rank 2 with a world of 2 (torchrun variables): the rank must be below the world size");
  EXPECT_EQ(message({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}}),
            "MASTER_PORT = 70000: expected a TCP port (1-65535)");
  EXPECT_EQ(message({{"SLURM_STEP_ID", "0"},
                     {"SLURM_PROCID", "0"},
                     {"SLURM_NTASKS", "2"},
                     {"SLURM_STEP_TASKS_PER_NODE", "two"}}),
            "SLURM_STEP_TASKS_PER_NODE = 'two': expected counts like 2(x3),1");
}

TEST(Distributed, SharesDifferByAtMostOneAndCoverEverything) {
  for (int size : {1, 2, 3, 7}) {
    int64_t next = 0;
    for (int rank = 0; rank < size; ++rank) {
      const Shard s = shard_of(10, rank, size);
      EXPECT_EQ(s.start, next) << size;
      EXPECT_GE(s.count, 10 / size);
      EXPECT_LE(s.count, 10 / size + 1);
      next += s.count;
    }
    EXPECT_EQ(next, 10);
  }
}

TEST(Distributed, OneRankCollectivesLeaveValuesAsTheyAre) {
  Communicator& w = world();
  EXPECT_EQ(w.size(), 1);
  EXPECT_EQ(w.backend(), "none");
  std::vector<double> sums{1.5, -2.0};
  all_reduce_sums(w, sums);
  EXPECT_EQ(sums, (std::vector<double>{1.5, -2.0}));
  EXPECT_TRUE(is_output_rank());
  EXPECT_EQ(distributed_provenance().at("world_size"), "1");
  EXPECT_EQ(distributed_provenance().at("parallel"), "none");
}

TEST(Distributed, OptionsNameTheirFlag) {
  const auto message = [](const DistributedOptions& o) -> std::string {
    try {
      o.validate();
    } catch (const UsageError& e) {
      return e.what();
    }
    return "no error";
  };
  DistributedOptions o;
  o.timeout_seconds = 0.5;
  EXPECT_EQ(message(o), "--dist-timeout = 0.5: must be between 1 and 86400 seconds");
  o = {};
  o.init = "udp://x:1";
  EXPECT_EQ(message(o), "--dist-init = 'udp://x:1': expected tcp://HOST:PORT or file:///PATH");
  o = {};
  o.init = "file://relative";
  EXPECT_EQ(message(o), "--dist-init = 'file://relative': expected an absolute path, file:///PATH");
}

}  // namespace
}  // namespace sharpscope

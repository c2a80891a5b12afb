#pragma once
/// Scale-out over processes and machines on LibTorch's distributed engine, c10d
/// (docs/distributed.md, docs/math.md §16). A launcher (torchrun, mpirun, srun) starts N copies of
/// a command; each reads its rank from the launcher's variables and joins the others through a c10d
/// store and process group (Gloo on CPU, NCCL on CUDA where the LibTorch build has it). Everything
/// else talks to the other ranks through the small Communicator interface below: the point loop
/// deals independent points to ranks (core/point_loop.h), the objective and the training batch sum
/// over their rank's shard of the examples and all-reduce (core/objective.h,
/// optim/training_batch.h).
///
/// Without launcher variables the world is one rank, every collective is a no-op and nothing is
/// opened: no socket, no file. c10d itself appears only in src/core/c10d_world.cpp.
#include <c10/core/Device.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

// ---- The launch ------------------------------------------------------------------------------

/// Where this process sits among the ranks of one launch, read from the launcher's variables.
struct LaunchEnvironment {
  int rank = 0;
  int size = 1;
  int local_rank = 0;
  int local_size = 1;             ///< ranks on this machine
  std::string launcher = "none";  ///< "torchrun" (RANK/WORLD_SIZE), "mpirun", "srun" or "none"
  std::string master_addr;        ///< MASTER_ADDR ("" when unset)
  int master_port = 0;            ///< MASTER_PORT (0 when unset)
  /// Identifies this launch among others of the same user on this machine (every local rank of a
  /// launch derives the same text): the launcher's job ids, MASTER_PORT and the launching process.
  std::string run_id;
  bool distributed() const { return size > 1; }
  /// Every rank runs on this machine: the rendezvous needs no network (docs/distributed.md).
  bool single_machine() const { return local_size == size; }
  /// "rank 1/3" (or "" for one rank), the prefix of every distributed message.
  std::string who() const;
};

/// Looks up one environment variable (nullopt when unset).
using EnvironmentLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// Reads the launch from the environment, in this order (the first family present wins):
///   torchrun: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT;
///   Open MPI: OMPI_COMM_WORLD_RANK, _SIZE, _LOCAL_RANK, _LOCAL_SIZE;
///   Slurm, inside a job step (SLURM_STEP_ID set, as srun does): SLURM_PROCID, SLURM_NTASKS
///   (SLURM_STEP_NUM_TASKS when set), SLURM_LOCALID, SLURM_STEP_TASKS_PER_NODE and SLURM_NODEID;
/// MASTER_ADDR/MASTER_PORT are read for every family. A local size the launcher does not give is
/// the whole world when MASTER_ADDR is a loopback address, else 1. UsageError naming the variable
/// when a value is not an integer or out of range (RANK >= WORLD_SIZE, ...).
LaunchEnvironment read_launch_environment(const EnvironmentLookup& lookup);
/// The same from this process's environment.
LaunchEnvironment read_launch_environment();

// ---- Options ---------------------------------------------------------------------------------

/// --dist-backend: auto = NCCL for a CUDA device when the build has it, else Gloo.
enum class DistBackend { kAuto, kGloo, kNccl };
std::string to_string(DistBackend backend);  ///< "auto" | "gloo" | "nccl"

/// --parallel: what the ranks of a command split (docs/distributed.md).
///   points: a command's independent points (grid points, trials) are dealt to ranks; every rank
///           evaluates whole points on all the examples, so values are bit-identical to one rank.
///   data:   every evaluation is split over the examples and all-reduced.
///   auto:   points when the command's loop has at least as many points as ranks, else data.
enum class ParallelMode { kAuto, kPoints, kData };
std::string to_string(ParallelMode mode);  ///< "auto" | "points" | "data"

/// How the point loop deals points to ranks (bench/distributed/README.md measured both).
enum class PointDealing {
  kQueue,   ///< each rank takes the next pending point from a counter in the store
  kStatic,  ///< rank r takes pending points r, r + N, r + 2N, ...
};

struct DistributedOptions {
  DistBackend backend = DistBackend::kAuto;
  /// "" (from the launcher's variables) | "tcp://HOST:PORT" (a c10d TCPStore served by rank 0) |
  /// "file:///PATH" (a c10d FileStore on a file system every rank sees; no listening socket).
  std::string init;
  double timeout_seconds = 60.0;  ///< --dist-timeout: every wait on another rank
  ParallelMode parallel = ParallelMode::kAuto;
  PointDealing dealing = PointDealing::kQueue;
  /// UsageError naming --dist-timeout / --dist-init / --dist-backend (nccl on a build without it).
  void validate() const;
};

// ---- Communicator ----------------------------------------------------------------------------

/// The ranks of a launch as the library sees them. All collectives are blocking, must be called by
/// every rank in the same order with tensors of the same shape and dtype, and throw
/// DistributedError ("rank 1/3: all-reduce failed: ... ") when a peer died, left or did not answer
/// within the timeout. The store operations reach the rendezvous store (small values only).
class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  /// "none" (one rank), "gloo" or "nccl".
  virtual std::string backend() const = 0;
  virtual double timeout_seconds() const = 0;

  /// In place: t ← Σ_ranks t. `t` contiguous, float32/float64/int64, on the model's device.
  virtual void all_reduce_sum(at::Tensor& t) = 0;
  /// In place: t ← t of rank `root`.
  virtual void broadcast(at::Tensor& t, int root) = 0;

  /// Atomically adds `delta` to the integer under `key` (0 when absent) and returns the new value.
  virtual int64_t add(const std::string& key, int64_t delta) = 0;
  /// Sets `key` to `value` (binary-safe bytes).
  virtual void set(const std::string& key, const std::string& value) = 0;
  /// The value of `key`, or nullopt at once when it is not set (never waits).
  virtual std::optional<std::string> try_get(const std::string& key) = 0;

  /// Whether rank `rank` is known to be gone: a rank on this machine whose process has exited.
  /// False when it runs, or runs elsewhere (then only --dist-timeout tells).
  virtual bool known_dead(int rank) = 0;

  /// "rank 1/3" for messages ("" for one rank).
  std::string who() const;
};

/// Σ over ranks of each value, in float64 (losses, counts), in one all-reduce.
void all_reduce_sums(Communicator& communicator, std::vector<double>& values);
/// Σ over ranks of every tensor of `tensors` (same shapes on every rank), in one all-reduce per
/// dtype of the list, in the tensors' own dtype and device.
void all_reduce_sum(Communicator& communicator, ParamList& tensors);
/// Every tensor of `tensors` ← rank `root`'s, in one broadcast per dtype.
void broadcast(Communicator& communicator, ParamList& tensors, int root);

/// The contiguous share [start, start + count) of n items that rank `rank` of `size` takes:
/// start = ⌊n·rank/size⌋, so shares differ by at most one item.
struct Shard {
  int64_t start = 0;
  int64_t count = 0;
};
Shard shard_of(int64_t n, int rank, int size);

// ---- The process-wide world ------------------------------------------------------------------

/// This process's launch as read from its environment (once, on first use).
const LaunchEnvironment& launch_environment();

/// Joins the launch the environment describes: rendezvous, process group, and on ranks other than
/// 0 standard output sent to /dev/null and progress bars silenced (rank 0 alone prints). The
/// rendezvous (docs/distributed.md "Who may connect"):
///   init "" and every rank on this machine: a c10d FileStore in a private directory (0700) under
///     the temp directory, Gloo bound to 127.0.0.1: no port listens on any other interface;
///   init "" across machines: a TCPStore at MASTER_ADDR:MASTER_PORT served by rank 0, Gloo on the
///     interface that routes to MASTER_ADDR (or GLOO_SOCKET_IFNAME);
///   init tcp://HOST:PORT or file:///PATH: that store.
/// Waits at most options.timeout_seconds for the other ranks. Once joined, later calls return at
/// once. One rank (no launcher variables): validates and keeps the options, opens nothing. `device`
/// picks the backend under kAuto and, for CUDA, each rank takes cuda:LOCAL_RANK. UsageError for bad
/// options or variables, DistributedError when the rendezvous fails (which rank, what happened).
void start_distributed(const DistributedOptions& options, const c10::Device& device);

/// Whether start_distributed ran (with any world size).
bool distributed_started();

/// Whether this build can use `backend` (kAuto: always): Gloo needs c10d built with it, NCCL a
/// CUDA build of LibTorch (Debian's is CPU-only).
bool backend_available(DistBackend backend);

/// All ranks of the launch (a single-rank communicator before start_distributed or without a
/// launcher).
Communicator& world();

/// The options start_distributed ran with (defaults before it).
const DistributedOptions& distributed_options();

/// The device a rank should compute on: cuda:LOCAL_RANK for a CUDA device without an index in a
/// distributed run, else `requested`.
c10::Device rank_device(const c10::Device& requested);

/// Whether this process writes output files and prints tables: rank 0 (also before the world is
/// started: the launcher's RANK says).
bool is_output_rank();

/// Whether this rank writes the files of a training run it takes part in (checkpoints, the log):
/// rank 0 of the ranks the run is split over (data_communicator). Under --parallel data that is
/// rank 0 alone; under --parallel points every rank trains whole runs of its own (the pairs of a
/// stability experiment) and writes them.
bool writes_run_files();
/// Resolves --parallel for a command whose loop has `points` independent points (0: no point
/// loop; such a command always splits its data) and makes it the process's mode. Returns it.
ParallelMode choose_parallel_mode(int64_t points);
/// The mode chosen last (kData before any choice: outside a point loop there is nothing else to
/// split).
ParallelMode parallel_mode();

/// The ranks an evaluation sums its examples over: world() under kData, a single rank under
/// kPoints (each rank evaluates whole points).
Communicator& data_communicator();

/// The provenance every output records: world_size, dist_backend, parallel, launcher.
Metadata distributed_provenance();

/// Leaves the launch at the end of a successful command: a barrier (so no rank exits before rank
/// 0 has written its outputs), then the process group and store are closed. Nothing for one rank.
void finish_distributed();

}  // namespace sharpscope

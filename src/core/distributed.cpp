// The process-wide world of ranks and the c10d-free helpers of core/distributed.h.
#include "sharpscope/core/distributed.h"

#include <fcntl.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <map>

#include "core/c10d_world.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/number_text.h"

namespace sharpscope {
namespace {

// One rank: every collective leaves its tensor as it is; the store is a map in memory.
class SingleRank : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string backend() const override { return "none"; }
  double timeout_seconds() const override { return 0.0; }
  void all_reduce_sum(at::Tensor&) override {}
  void broadcast(at::Tensor&, int) override {}
  int64_t add(const std::string& key, int64_t delta) override { return counters_[key] += delta; }
  void set(const std::string& key, const std::string& value) override { values_[key] = value; }
  std::optional<std::string> try_get(const std::string& key) override {
    const auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  bool known_dead(int) override { return false; }

 private:
  std::map<std::string, int64_t> counters_;
  std::map<std::string, std::string> values_;
};

struct World {
  bool started = false;
  DistributedOptions options;
  std::unique_ptr<Communicator> communicator;  ///< null: one rank
  ParallelMode mode = ParallelMode::kData;
};

World& state() {
  static World world;
  return world;
}

SingleRank& single_rank() {
  static SingleRank single;
  return single;
}

DistBackend resolve_backend(DistBackend requested, const c10::Device& device) {
  if (requested != DistBackend::kAuto) return requested;
  return device.is_cuda() && detail::nccl_available() ? DistBackend::kNccl : DistBackend::kGloo;
}

// Ranks other than 0 compute in silence: their tables and summaries would repeat rank 0's (their
// progress bars stay off by themselves, core/progress.h; errors still reach stderr).
void silence_this_rank() {
  std::fflush(stdout);
  const int null = ::open("/dev/null", O_WRONLY);
  if (null >= 0) {
    ::dup2(null, STDOUT_FILENO);
    ::close(null);
  }
}

// Groups a list's tensors by dtype so that each group travels as one flat tensor.
template <class Apply>
void per_dtype(ParamList& tensors, Apply&& apply) {
  torch::NoGradGuard no_grad;
  std::map<c10::ScalarType, std::vector<size_t>> groups;
  for (size_t i = 0; i < tensors.size(); ++i) groups[tensors[i].scalar_type()].push_back(i);
  for (const auto& [dtype, members] : groups) {
    std::vector<at::Tensor> flat_parts;
    for (size_t i : members) flat_parts.push_back(tensors[i].detach().reshape({-1}));
    at::Tensor flat = torch::cat(flat_parts).contiguous();
    apply(flat);
    int64_t offset = 0;
    for (size_t i : members) {
      const int64_t n = tensors[i].numel();
      tensors[i].detach().copy_(flat.narrow(0, offset, n).view(tensors[i].sizes()));
      offset += n;
    }
  }
}

}  // namespace

std::string Communicator::who() const {
  return size() > 1 ? "rank " + std::to_string(rank()) + "/" + std::to_string(size()) : "";
}

std::string to_string(DistBackend backend) {
  switch (backend) {
    case DistBackend::kAuto:
      return "auto";
    case DistBackend::kGloo:
      return "gloo";
    case DistBackend::kNccl:
      return "nccl";
  }
  return "?";
}

std::string to_string(ParallelMode mode) {
  switch (mode) {
    case ParallelMode::kAuto:
      return "auto";
    case ParallelMode::kPoints:
      return "points";
    case ParallelMode::kData:
      return "data";
  }
  return "?";
}

void DistributedOptions::validate() const {
  if (!(timeout_seconds >= 1.0 && timeout_seconds <= 86400.0)) {
    throw UsageError("--dist-timeout = " + number_text(timeout_seconds) +
                     ": must be between 1 and 86400 seconds");
  }
  if (!init.empty() && init.rfind("tcp://", 0) != 0 && init.rfind("file://", 0) != 0) {
    throw UsageError("--dist-init = '" + init + "': expected tcp://HOST:PORT or file:///PATH");
  }
  if (init.rfind("file://", 0) == 0 && (init.size() <= 7 || init[7] != '/')) {
    throw UsageError("--dist-init = '" + init + "': expected an absolute path, file:///PATH");
  }
  if (backend == DistBackend::kNccl && !detail::nccl_available()) {
    throw UsageError(
        "--dist-backend = nccl: this LibTorch build has no NCCL (a CPU-only build, as Debian's); "
        "use --dist-backend gloo");
  }
  if (backend == DistBackend::kGloo && !detail::gloo_available()) {
    throw UsageError("--dist-backend = gloo: this build of sharpscope has no c10d Gloo backend");
  }
}

void all_reduce_sums(Communicator& communicator, std::vector<double>& values) {
  if (communicator.size() == 1 || values.empty()) return;
  at::Tensor t = torch::tensor(values, torch::kDouble);
  communicator.all_reduce_sum(t);
  const double* summed = t.data_ptr<double>();
  for (size_t i = 0; i < values.size(); ++i) values[i] = summed[i];
}

void all_reduce_sum(Communicator& communicator, ParamList& tensors) {
  if (communicator.size() == 1 || tensors.empty()) return;
  per_dtype(tensors, [&](at::Tensor& flat) { communicator.all_reduce_sum(flat); });
}

void broadcast(Communicator& communicator, ParamList& tensors, int root) {
  if (communicator.size() == 1 || tensors.empty()) return;
  per_dtype(tensors, [&](at::Tensor& flat) { communicator.broadcast(flat, root); });
}

Shard shard_of(int64_t n, int rank, int size) {
  const int64_t start = n * rank / size;
  const int64_t end = n * (rank + 1) / size;
  return {start, end - start};
}

const LaunchEnvironment& launch_environment() {
  static const LaunchEnvironment launch = read_launch_environment();
  return launch;
}

void start_distributed(const DistributedOptions& options, const c10::Device& device) {
  World& world = state();
  if (world.communicator) return;  // joined already (a command may open several sessions)
  options.validate();
  const LaunchEnvironment& launch = launch_environment();
  world.options = options;
  if (launch.distributed()) {
    const DistBackend backend = resolve_backend(options.backend, device);
    if (backend == DistBackend::kNccl && !device.is_cuda()) {
      throw UsageError("--dist-backend = nccl: needs --device cuda (NCCL reduces GPU tensors)");
    }
    if (backend == DistBackend::kGloo && !detail::gloo_available()) {
      throw UsageError(launch.launcher + " started " + std::to_string(launch.size) +
                       " ranks, but this build of sharpscope has no c10d Gloo backend");
    }
    world.communicator = detail::join_launch(launch, options, backend);
    if (launch.rank != 0) silence_this_rank();
  }
  world.started = true;
}

bool distributed_started() { return state().started; }

bool backend_available(DistBackend backend) {
  switch (backend) {
    case DistBackend::kAuto:
      return true;
    case DistBackend::kGloo:
      return detail::gloo_available();
    case DistBackend::kNccl:
      return detail::nccl_available();
  }
  return false;
}

Communicator& world() {
  World& w = state();
  return w.communicator ? *w.communicator : single_rank();
}

const DistributedOptions& distributed_options() { return state().options; }

c10::Device rank_device(const c10::Device& requested) {
  if (requested.is_cuda() && !requested.has_index() && world().size() > 1) {
    return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(launch_environment().local_rank));
  }
  return requested;
}

bool is_output_rank() {
  return state().communicator ? state().communicator->rank() == 0 : launch_environment().rank == 0;
}

bool writes_run_files() { return data_communicator().rank() == 0; }

ParallelMode choose_parallel_mode(int64_t points) {
  World& w = state();
  const int ranks = world().size();
  ParallelMode mode = w.options.parallel;
  if (points <= 0) {
    mode = ParallelMode::kData;  // nothing to deal: the data is all there is to split
  } else if (mode == ParallelMode::kAuto) {
    mode = points >= ranks ? ParallelMode::kPoints : ParallelMode::kData;
  }
  w.mode = mode;
  return mode;
}

ParallelMode parallel_mode() { return state().mode; }

Communicator& data_communicator() {
  return state().mode == ParallelMode::kPoints ? static_cast<Communicator&>(single_rank())
                                               : world();
}

Metadata distributed_provenance() {
  const Communicator& w = world();
  const LaunchEnvironment& launch = launch_environment();
  Metadata m;
  m["world_size"] = std::to_string(w.size());
  m["dist_backend"] = w.backend();
  m["parallel"] = w.size() > 1 ? to_string(parallel_mode()) : "none";
  m["launcher"] = w.size() > 1 ? launch.launcher : "none";
  return m;
}

void finish_distributed() {
  World& w = state();
  if (!w.communicator) return;
  at::Tensor token = torch::zeros({1}, torch::kDouble);
  w.communicator->all_reduce_sum(token);
  w.communicator.reset();
}

}  // namespace sharpscope

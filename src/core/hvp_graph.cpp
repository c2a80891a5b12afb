#include "sharpscope/core/hvp_graph.h"

#include <torch/torch.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"

namespace sharpscope {
namespace {

// Resident set size of this process in bytes (Linux /proc/self/statm, second field); 0 when it
// cannot be read, which disables the budget check's fallback only if reading always fails.
int64_t resident_bytes() {
  std::FILE* file = std::fopen("/proc/self/statm", "r");
  if (!file) return 0;
  long long size = 0, resident = 0;
  const int got = std::fscanf(file, "%lld %lld", &size, &resident);
  std::fclose(file);
  return got == 2 ? resident * static_cast<int64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

int64_t half_of_physical_memory() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page / 2 : int64_t{4} << 30;
}

// What identifies the weights a graph was built at: a copy of their values, compared bit for bit
// before every product (d reads, nothing next to the backward of an HVP). Storage pointers and
// version counters are not enough: ShiftedWeights swaps storages with set_data (no version bump),
// and a freed storage's address can come back for other values.
struct Fingerprint {
  ParamList values;
  Fingerprint() = default;
  explicit Fingerprint(const ParamList& params) : values(clone(params)) {}
  bool matches(const ParamList& params) const {
    if (params.size() != values.size()) return false;
    for (size_t i = 0; i < params.size(); ++i) {
      const at::Tensor& p = params[i];
      const at::Tensor& q = values[i];
      if (p.scalar_type() != q.scalar_type() || p.device() != q.device() ||
          p.sizes() != q.sizes() || !at::equal(p.detach(), q)) {
        return false;
      }
    }
    return true;
  }
};

}  // namespace

struct HvpGraph::State {
  const Objective& objective;
  int64_t budget;
  std::vector<std::vector<at::Tensor>> graphs;
  Fingerprint at;
  bool fallen_back = false;
  State(const Objective& o, int64_t b) : objective(o), budget(b) {}
};

HvpGraph::HvpGraph(const Objective& objective, int64_t memory_budget)
    : state_(std::make_unique<State>(
          objective, memory_budget > 0 ? memory_budget : half_of_physical_memory())) {}

HvpGraph::~HvpGraph() = default;
HvpGraph::HvpGraph(HvpGraph&&) noexcept = default;

bool HvpGraph::kept() const { return !state_->graphs.empty(); }

void HvpGraph::release() {
  state_->graphs.clear();
  state_->fallen_back = false;
}

ParamList HvpGraph::product(const ParamList& v) {
  State& s = *state_;
  const Objective& objective = s.objective;
  const ParamList& weights = objective.model().parameters();
  if (!s.graphs.empty() && !s.at.matches(weights)) s.graphs.clear();
  const int64_t batches = objective.num_local_batches();  // this rank's share (all, alone)
  if (s.graphs.empty() && !s.fallen_back) {
    const bool on_cpu = objective.model().device().is_cpu();
    // --bn train: the graphs would hold running statistics that are restored in place after
    // every batch (Objective::gradient_graph), so they cannot be kept.
    if ((!on_cpu && batches > 1) || objective.options().bn == BatchNormMode::kTrain) {
      s.fallen_back = true;
    } else {
      for (int64_t b = 0; b < batches; ++b) {
        s.graphs.push_back(objective.gradient_graph(b));
        if (on_cpu && b + 1 < batches && resident_bytes() > s.budget) {
          s.graphs.clear();
          s.fallen_back = true;
          break;
        }
      }
      if (!s.fallen_back) s.at = Fingerprint(weights);
    }
  }
  if (s.fallen_back) return objective.hvp(v);
  ParamList result = zeros_like(objective.model().parameters());
  for (const auto& graph : s.graphs) objective.add_graph_product(graph, v, /*keep=*/true, result);
  objective.sum_over_ranks(result);  // the fallback's hvp() sums over the ranks itself
  return result;
}

}  // namespace sharpscope

#pragma once
/// Hessian-vector products at fixed weights with the first-order graphs kept (docs/math.md §6.1):
/// the gradient of every batch is built once with its graph (create_graph), and each H·v is then
/// one backward through those graphs, instead of a forward, a backward and a second backward per
/// product (PyHessian's single-batch mode, here for any number of batches). The numbers are the
/// same operations on the same tensors as Objective::hvp, so the results are identical.
///
/// Memory: the activations and graph of the whole subset, which an uncached HVP holds for one
/// batch at a time. While building, the process's resident memory is checked after every batch;
/// above the budget the graphs are dropped and every product is computed afresh (Objective::hvp).
/// With --bn train nothing is kept either (the graphs would hold the running statistics, which
/// are restored in place after every batch).
/// The weights may change between products: their values are compared bit for bit with a copy
/// taken when the graphs were built (d scalars of memory, d reads per product) and the graphs
/// rebuilt when they moved.
#include <cstdint>
#include <memory>

#include "sharpscope/core/types.h"

namespace sharpscope {

class Objective;

class HvpGraph {
 public:
  /// `memory_budget`: resident bytes the process may reach with graphs kept; 0 = half of the
  /// physical memory. On a CUDA device (whose memory RSS does not see) graphs are kept only when
  /// the subset is one batch, where keeping it needs no more memory than one uncached HVP.
  explicit HvpGraph(const Objective& objective, int64_t memory_budget = 0);
  ~HvpGraph();
  HvpGraph(HvpGraph&&) noexcept;
  HvpGraph& operator=(HvpGraph&&) = delete;

  /// H·v for `v` shaped, typed and placed like the parameters. Cost: the first call (and the first
  /// after the weights changed) one forward + backward per batch to build the graphs; every call
  /// one backward through them. Falls back to Objective::hvp beyond the memory budget.
  ParamList product(const ParamList& v);

  /// Whether graphs are kept (false once the budget made it fall back, or before the first call).
  bool kept() const;
  /// Drops the graphs (e.g. before the weights are moved); the next product rebuilds them.
  void release();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sharpscope

#pragma once
/// The mean loss L_S(w) of a model over a data set or subset, its gradient and its Hessian-vector
/// products (docs/math.md §1 notation, §6). Every analysis is written against this class.
///
/// L_S is computed in batches, each contributing its summed loss divided by |S|, so the value is
/// independent of the batch size (up to float rounding). BatchNorm runs in evaluation mode by
/// default; in train mode the buffers (running statistics) are saved and restored around every
/// call so that an analysis never changes the model.
///
/// In a data-parallel run (core/distributed.h, docs/math.md §16) every rank sums the batches of its
/// contiguous share of the examples and the sums are all-reduced (losses and counts in float64,
/// gradients and HVPs in the model's dtype): every rank gets the same L_S, ∇L_S and H·v, equal to
/// one rank's up to the order of the float additions. Every rank must call the same methods in
/// the same order.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>

#include "sharpscope/core/dataset.h"
#include "sharpscope/core/input_layout.h"
#include "sharpscope/core/types.h"

namespace sharpscope {

class Communicator;
class Model;

enum class BatchNormMode { kEval, kTrain };
std::string to_string(BatchNormMode mode);  ///< "eval" | "train"

struct ObjectiveOptions {
  int64_t batch_size = 1024;  ///< only changes speed (and memory), never the value
  double label_smoothing = 0.0;
  BatchNormMode bn = BatchNormMode::kEval;
  InputLayout layout = InputLayout::kAuto;  ///< only changes speed, never the value
  void validate() const;                    ///< UsageError naming --batch-size / --label-smoothing
};

/// Loss and accuracy over the whole data set.
struct Evaluation {
  double loss =
      0.0;  ///< mean cross-entropy; may be inf/NaN at extreme weights (recorded, not thrown)
  double accuracy = 0.0;  ///< fraction correct in [0, 1]
  int64_t examples = 0;
  bool finite() const;
};

/// A loss and its gradient at the model's current weights: ∇L_S(w) of an objective, or a training
/// batch's ∇L_B(w) (which leaves the accuracy NaN: it is not counted there).
struct LossGradient {
  double loss = 0.0;
  ParamList gradient;                                          ///< detached, model dtype/device
  double accuracy = std::numeric_limits<double>::quiet_NaN();  ///< fraction correct
};

class Objective {
 public:
  /// Binds a model (which must outlive the objective) and data (held as cheap tensor views). Checks
  /// once that the model accepts the data's input shape and outputs one logit per class (InputError
  /// otherwise).
  Objective(Model& model, const Dataset& data, ObjectiveOptions options = {});

  Model& model() const { return model_; }
  const Dataset& data() const { return data_; }
  const ObjectiveOptions& options() const { return options_; }
  /// The layout the batches are fed in: kContiguous or kChannelsLast (kAuto resolved).
  InputLayout layout() const { return layout_; }

  /// L_S(w) and accuracy at the model's current weights. One forward pass over S.
  Evaluation evaluate() const;

  /// L_S(w) and ∇L_S(w). One forward + backward pass over S.
  LossGradient gradient() const;

  /// H·v with H = ∇²L_S(w), by double backward (Pearlmutter), summed over batches.
  /// Cost: one forward + double backward over S. `v` is shaped like the parameters.
  ParamList hvp(const ParamList& v) const;

  /// Number of batches of options().batch_size covering this rank's share of S (all of S, so
  /// num_batches(), with one rank): the batches gradient_graph() takes.
  int64_t num_local_batches() const;

  /// Sums over the ranks of a data-parallel run a product accumulated over this rank's batches
  /// (add_graph_product), so every rank holds H·v over all of S. Nothing with one rank.
  void sum_over_ranks(ParamList& total) const;

  /// The gradient of this rank's batch i's share of L_S (Σ_{i∈B} ℓᵢ/|S|) with its graph kept
  /// (create_graph), the first half of an HVP; an entry is undefined where the loss does not depend
  /// on the parameter. Cost: one forward + backward over the batch; memory: its activations and
  /// graph. With --bn train the graph holds the running statistics, which are restored in place
  /// when this returns, so it cannot be differentiated again: HvpGraph keeps no graphs in that
  /// mode.
  std::vector<at::Tensor> gradient_graph(int64_t batch_index) const;

  /// Adds to `total` the product of a gradient graph with `v`: ∇_w⟨g, v⟩, the second half of an
  /// HVP (one backward through the graph, which is kept when `keep` for further products).
  void add_graph_product(const std::vector<at::Tensor>& graph, const ParamList& v, bool keep,
                         ParamList& total) const;

  /// The same objective restricted to examples [start, start+count) (for per-batch "batch" scope).
  Objective restricted(int64_t start, int64_t count) const;

  /// Number of batches of options().batch_size covering S, and the objective on batch i.
  int64_t num_batches() const;
  Objective batch(int64_t index) const;

  /// Calls body(inputs, labels, first) for each batch of options().batch_size of this rank's
  /// share of S (all of S in one process), in order, with the model in the objective's BatchNorm
  /// mode (buffers restored afterwards, as for every method here): inputs [B, C, H, W] in the
  /// model's dtype and device, labels int64 [B] on that device, `first` the index in S of the
  /// batch's first example. For analyses that need the logits themselves (the Gauss–Newton and
  /// Fisher operators, hessian/gauss_newton.h), which sum their products with sum_over_ranks; each
  /// batch's share of L_S is its summed loss divided by |S|, as everywhere in this class.
  void visit_batches(const std::function<void(const at::Tensor& inputs, const at::Tensor& labels,
                                              int64_t first)>& body) const;

  /// The per-example losses ℓᵢ [B] of logits [B, K] and labels [B]: cross-entropy with the
  /// objective's label smoothing (docs/math.md §13), the loss every method here sums.
  at::Tensor example_losses(const at::Tensor& logits, const at::Tensor& labels) const;

 private:
  Objective(Model& model, Dataset data, ObjectiveOptions options, bool checked);
  template <class Body>
  void for_each_batch(Communicator& ranks, Body&& body) const;
  at::Tensor batch_images(int64_t start, int64_t count) const;
  std::vector<at::Tensor> graph_in_current_mode(int64_t batch_index) const;
  Model& model_;
  Dataset data_;
  ObjectiveOptions options_;
  InputLayout layout_ = InputLayout::kContiguous;
};

}  // namespace sharpscope

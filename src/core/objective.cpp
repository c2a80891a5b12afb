#include "sharpscope/core/objective.h"

#include <torch/torch.h>

#include <cmath>
#include <optional>
#include <sstream>

#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/params.h"

namespace sharpscope {

std::string to_string(BatchNormMode mode) {
  return mode == BatchNormMode::kEval ? "eval" : "train";
}

void ObjectiveOptions::validate() const {
  if (batch_size <= 0) {
    throw UsageError("--batch-size = " + std::to_string(batch_size) + ": must be > 0");
  }
  if (!(label_smoothing >= 0.0 && label_smoothing < 1.0)) {
    throw UsageError("--label-smoothing = " + std::to_string(label_smoothing) +
                     ": must be in [0, 1)");
  }
}

bool Evaluation::finite() const { return std::isfinite(loss); }

namespace {

// Puts the model in the mode the objective asks for and restores it afterwards. In train mode
// BatchNorm updates its running statistics on every forward; they are saved and restored so an
// analysis leaves the model exactly as it found it.
class ModeScope {
 public:
  ModeScope(Model& model, BatchNormMode mode) : model_(model), was_training_(model.training()) {
    model_.set_training(mode == BatchNormMode::kTrain);
    if (mode == BatchNormMode::kTrain) saved_buffers_ = clone(model_.buffers());
  }
  ~ModeScope() {
    if (!saved_buffers_.empty()) {
      ParamList buffers = model_.buffers();
      assign(buffers, saved_buffers_);
    }
    model_.set_training(was_training_);
  }

 private:
  Model& model_;
  bool was_training_;
  ParamList saved_buffers_;
};

std::string shape_text(const at::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

// Forward passes alone run fastest with the convolution weights channels-last too (the CNN of
// bench/peers, 2048 images, 2 threads: a 3x3 grid in 2.7 s instead of 4.6 s; docs/performance.md);
// derivatives do not (its HVPs 10-15 % slower), so evaluate() restrides the 4-D weights for its
// passes and puts the originals back. The values never change, only their order in memory. A
// weight with one input channel counts as channels-last contiguous in either layout (is_contiguous
// cannot tell), yet oneDNN picks its kernel from the actual strides: every 4-D weight is restrided.
class ChannelsLastWeights {
 public:
  explicit ChannelsLastWeights(Model& model) : params_(model.parameters()) {
    torch::NoGradGuard no_grad;
    for (at::Tensor& p : params_) {
      at::Tensor original;
      if (p.dim() == 4) {
        const at::Tensor w = p.detach();
        at::Tensor restrided = at::empty_like(w, at::MemoryFormat::ChannelsLast);
        if (restrided.strides() != w.strides()) {
          original = w;
          p.set_data(restrided.copy_(w));
        }
      }
      originals_.push_back(original);
    }
  }
  ChannelsLastWeights(const ChannelsLastWeights&) = delete;
  ChannelsLastWeights& operator=(const ChannelsLastWeights&) = delete;
  ~ChannelsLastWeights() {
    for (size_t i = 0; i < params_.size(); ++i) {
      if (originals_[i].defined()) params_[i].set_data(originals_[i]);
    }
  }

 private:
  ParamList& params_;
  ParamList originals_;
};

}  // namespace

Objective::Objective(Model& model, const Dataset& data, ObjectiveOptions options)
    : Objective(model, data, options, /*checked=*/false) {}

Objective::Objective(Model& model, Dataset data, ObjectiveOptions options, bool checked)
    : model_(model), data_(std::move(data)), options_(options) {
  layout_ = resolve_layout(options_.layout, model_, data_);
  if (checked) return;
  options_.validate();
  if (data_.size() == 0) throw UsageError("--subset: the data subset is empty");
  // One tiny forward pass turns shape mismatches into a clear message instead of a LibTorch
  // stack trace deep inside the first analysis.
  const std::string who = model_.source().empty() ? model_.arch() : model_.source();
  const at::Tensor probe = batch_images(0, std::min<int64_t>(2, data_.size()));
  at::Tensor logits;
  {
    torch::NoGradGuard no_grad;
    ModeScope mode(model_, BatchNormMode::kEval);
    try {
      logits = model_.forward(probe);
    } catch (const InputError&) {  // the model's own contract broken (no tensor returned)
      throw;
    } catch (const std::exception&) {  // c10::Error, or TorchScript's JITException
      throw InputError(who + ": model rejects input of shape " + shape_text(probe) + " from " +
                       data_.name + " (expected the input shape it was trained on)");
    }
  }
  if (logits.dim() != 2 || logits.size(1) != data_.num_classes) {
    throw InputError(who + ": model outputs " + shape_text(logits) + " but " + data_.name +
                     " has " + std::to_string(data_.num_classes) + " classes (expected [B, " +
                     std::to_string(data_.num_classes) + "])");
  }
}

int64_t Objective::num_batches() const {
  return (data_.size() + options_.batch_size - 1) / options_.batch_size;
}

Objective Objective::restricted(int64_t start, int64_t count) const {
  return Objective(model_, data_.slice(start, count), options_, /*checked=*/true);
}

Objective Objective::batch(int64_t index) const {
  const int64_t start = index * options_.batch_size;
  return restricted(start, std::min(options_.batch_size, data_.size() - start));
}

at::Tensor Objective::batch_images(int64_t start, int64_t count) const {
  const at::Tensor x = data_.images.narrow(0, start, count).to(model_.device(), model_.dtype());
  return layout_ == InputLayout::kChannelsLast && x.dim() == 4
             ? x.contiguous(at::MemoryFormat::ChannelsLast)
             : x;
}

int64_t Objective::num_local_batches() const {
  const Communicator& ranks = data_communicator();
  const Shard shard = shard_of(data_.size(), ranks.rank(), ranks.size());
  return (shard.count + options_.batch_size - 1) / options_.batch_size;
}

void Objective::sum_over_ranks(ParamList& total) const {
  all_reduce_sum(data_communicator(), total);
}

// Each rank of a data-parallel run walks its contiguous share of the examples (docs/math.md §16);
// with one rank that is all of them, in the batches it always took.
template <class Body>
void Objective::for_each_batch(Communicator& ranks, Body&& body) const {
  const Shard shard = shard_of(data_.size(), ranks.rank(), ranks.size());
  const int64_t end = shard.start + shard.count;
  for (int64_t start = shard.start; start < end; start += options_.batch_size) {
    const int64_t count = std::min(options_.batch_size, end - start);
    const at::Tensor x = batch_images(start, count);
    const at::Tensor y = data_.labels.narrow(0, start, count).to(model_.device());
    body(x, y);
  }
}

void Objective::visit_batches(
    const std::function<void(const at::Tensor&, const at::Tensor&, int64_t)>& body) const {
  ModeScope mode(model_, options_.bn);
  Communicator& ranks = data_communicator();
  int64_t first = shard_of(data_.size(), ranks.rank(), ranks.size()).start;
  for_each_batch(ranks, [&](const at::Tensor& x, const at::Tensor& y) {
    body(x, y, first);
    first += x.size(0);
  });
}

at::Tensor Objective::example_losses(const at::Tensor& logits, const at::Tensor& labels) const {
  return torch::nn::functional::cross_entropy(logits, labels,
                                              torch::nn::functional::CrossEntropyFuncOptions()
                                                  .reduction(torch::kNone)
                                                  .label_smoothing(options_.label_smoothing));
}

namespace {

// Summed (not mean) per-batch loss, so that Σ_batches / |S| equals L_S for any batch size.
at::Tensor summed_loss(const at::Tensor& logits, const at::Tensor& labels, double smoothing) {
  return torch::nn::functional::cross_entropy(logits, labels,
                                              torch::nn::functional::CrossEntropyFuncOptions()
                                                  .reduction(torch::kSum)
                                                  .label_smoothing(smoothing));
}

// Adds autograd's per-parameter results; parameters the loss does not touch come back undefined
// (allow_unused) and contribute zero.
void accumulate(ParamList& total, const std::vector<at::Tensor>& parts) {
  for (size_t i = 0; i < total.size(); ++i) {
    if (parts[i].defined()) total[i].add_(parts[i]);
  }
}

}  // namespace

Evaluation Objective::evaluate() const {
  const auto passes = [this] {
    torch::NoGradGuard no_grad;
    ModeScope mode(model_, options_.bn);
    Communicator& ranks = data_communicator();
    double loss_sum = 0.0;
    int64_t correct = 0;
    for_each_batch(ranks, [&](const at::Tensor& x, const at::Tensor& y) {
      const at::Tensor logits = model_.forward(x);
      // Per-example losses summed in float64: the float32 rounding of one long sum would make the
      // result depend on the batch size.
      const at::Tensor losses = example_losses(logits, y);
      loss_sum += losses.to(at::kDouble).sum().item<double>();
      correct += logits.argmax(1).eq(y).sum().item<int64_t>();
    });
    std::vector<double> sums{loss_sum, static_cast<double>(correct)};
    all_reduce_sums(ranks, sums);  // float64: counts are exact, losses keep their digits
    const double n = static_cast<double>(data_.size());
    return Evaluation{sums[0] / n, sums[1] / n, data_.size()};
  };
  if (layout_ == InputLayout::kChannelsLast) {
    try {
      const ChannelsLastWeights weights(model_);
      return passes();
    } catch (const c10::Error&) {
      // A model whose forward needs its weights laid out as they are (weight.view(...) in a
      // TorchScript forward) fails at its first batch, on every rank alike: run it that way.
    }
  }
  return passes();
}

LossGradient Objective::gradient() const {
  ModeScope mode(model_, options_.bn);
  ParamList& params = model_.parameters();
  LossGradient result;
  result.gradient = zeros_like(params);
  Communicator& ranks = data_communicator();
  double loss_sum = 0.0;
  int64_t correct = 0;
  const double n = static_cast<double>(data_.size());
  for_each_batch(ranks, [&](const at::Tensor& x, const at::Tensor& y) {
    const at::Tensor logits = model_.forward(x);
    const at::Tensor loss = summed_loss(logits, y, options_.label_smoothing);
    accumulate(result.gradient, torch::autograd::grad({loss / n}, params, {}, c10::nullopt, false,
                                                      /*allow_unused=*/true));
    loss_sum += loss.item<double>();
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
  });
  all_reduce_sum(ranks, result.gradient);
  std::vector<double> sums{loss_sum, static_cast<double>(correct)};
  all_reduce_sums(ranks, sums);
  result.loss = sums[0] / n;
  result.accuracy = sums[1] / n;
  return result;
}

std::vector<at::Tensor> Objective::gradient_graph(int64_t batch_index) const {
  ModeScope mode(model_, options_.bn);
  return graph_in_current_mode(batch_index);
}

std::vector<at::Tensor> Objective::graph_in_current_mode(int64_t batch_index) const {
  ParamList& params = model_.parameters();
  // Batch i of this rank's share (for_each_batch's i-th batch).
  const Communicator& ranks = data_communicator();
  const Shard shard = shard_of(data_.size(), ranks.rank(), ranks.size());
  const int64_t start = shard.start + batch_index * options_.batch_size;
  const int64_t count = std::min(options_.batch_size, shard.start + shard.count - start);
  const at::Tensor x = batch_images(start, count);
  const at::Tensor y = data_.labels.narrow(0, start, count).to(model_.device());
  const double n = static_cast<double>(data_.size());
  const at::Tensor loss = summed_loss(model_.forward(x), y, options_.label_smoothing) / n;
  return torch::autograd::grad({loss}, params, {}, /*retain_graph=*/true, /*create_graph=*/true,
                               /*allow_unused=*/true);
}

void Objective::add_graph_product(const std::vector<at::Tensor>& graph, const ParamList& v,
                                  bool keep, ParamList& total) const {
  // Pearlmutter: H·v = ∇(⟨∇L, v⟩) = the vector-Jacobian product of the gradient with v.
  std::vector<at::Tensor> outputs, directions;
  for (size_t i = 0; i < graph.size(); ++i) {
    if (graph[i].defined() && graph[i].requires_grad()) {
      outputs.push_back(graph[i]);
      directions.push_back(v[i]);
    }
  }
  // A model that is linear in all its parameters has a zero Hessian and no second-order graph.
  if (outputs.empty()) return;
  accumulate(total, torch::autograd::grad(outputs, model_.parameters(), directions, keep,
                                          /*create_graph=*/false, /*allow_unused=*/true));
}

ParamList Objective::hvp(const ParamList& v) const {
  ParamList result = zeros_like(model_.parameters());
  for (int64_t b = 0; b < num_local_batches(); ++b) {
    // One scope around both halves: with --bn train, restoring the running statistics (in
    // place) between them would invalidate the graph the second backward goes through.
    ModeScope mode(model_, options_.bn);
    add_graph_product(graph_in_current_mode(b), v, /*keep=*/false, result);
  }
  sum_over_ranks(result);
  return result;
}

}  // namespace sharpscope

#include "support/testing.h"

#include <filesystem>
#include <sstream>

#include "sharpscope/core/params.h"

namespace sharpscope::testing {

::testing::AssertionResult tensors_near(const at::Tensor& a, const at::Tensor& b, double rtol,
                                        double atol) {
  if (a.sizes() != b.sizes() || a.scalar_type() != b.scalar_type() || a.device() != b.device()) {
    std::ostringstream out;
    out << "tensor mismatch: " << a.sizes() << " " << a.scalar_type() << " " << a.device() << " vs "
        << b.sizes() << " " << b.scalar_type() << " " << b.device();
    return ::testing::AssertionFailure() << out.str();
  }
  const at::Tensor x = a.detach().to(at::kCPU, at::kDouble).reshape(-1);
  const at::Tensor y = b.detach().to(at::kCPU, at::kDouble).reshape(-1);
  const at::Tensor excess = (x - y).abs() - (atol + rtol * y.abs());
  if (x.numel() == 0 || excess.max().item<double>() <= 0.0) return ::testing::AssertionSuccess();
  const int64_t worst = excess.argmax().item<int64_t>();
  return ::testing::AssertionFailure()
         << "element " << worst << " of " << x.numel() << ": " << x[worst].item<double>() << " vs "
         << y[worst].item<double>() << " (rtol " << rtol << ", atol " << atol << ")";
}

::testing::AssertionResult params_near(const ParamList& a, const ParamList& b, double rtol,
                                       double atol) {
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure() << a.size() << " vs " << b.size() << " tensors";
  }
  for (size_t i = 0; i < a.size(); ++i) {
    auto r = tensors_near(a[i], b[i], rtol, atol);
    if (!r) return ::testing::AssertionFailure() << "tensor " << i << ": " << r.message();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult params_equal(const ParamList& a, const ParamList& b) {
  if (a.size() != b.size()) {
    return ::testing::AssertionFailure() << a.size() << " vs " << b.size() << " tensors";
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (!torch::equal(a[i], b[i]))
      return ::testing::AssertionFailure() << "tensor " << i << " differs";
  }
  return ::testing::AssertionSuccess();
}

TinyNet::TinyNet(int64_t in, int64_t hidden, int64_t classes, bool batch_norm) {
  fc1 = register_module("fc1", torch::nn::Linear(in, hidden));
  if (batch_norm) bn = register_module("bn", torch::nn::BatchNorm1d(hidden));
  fc2 = register_module("fc2", torch::nn::Linear(hidden, classes));
}

at::Tensor TinyNet::forward(const at::Tensor& input) {
  at::Tensor h = fc1->forward(input.flatten(1));
  if (bn) h = bn->forward(h);
  return fc2->forward(torch::tanh(h));
}

Model tiny_model(uint64_t seed, bool batch_norm, int64_t in, int64_t hidden, int64_t classes) {
  torch::manual_seed(seed);
  Model model(std::make_shared<TinyNet>(in, hidden, classes, batch_norm), "tiny");
  model.to(torch::kCPU, torch::kDouble);
  return model;
}

Dataset tiny_dataset(int64_t n, uint64_t seed, int64_t classes) {
  auto gen = at::detail::createCPUGenerator(seed);
  Dataset data;
  data.images = torch::randn({n, 1, 2, 2}, gen, torch::kFloat);
  data.labels = torch::randint(classes, {n}, gen, torch::kLong);
  data.num_classes = classes;
  data.name = "tiny";
  data.normalization = "none";
  return data;
}

at::Tensor direct_loss(Model& model, const Dataset& data) {
  const at::Tensor logits = model.forward(data.images.to(torch::kDouble));
  return torch::nn::functional::cross_entropy(logits, data.labels);
}

at::Tensor dense_hessian(Model& model, const Dataset& data) {
  ParamList& w = model.parameters();
  const auto grads = torch::autograd::grad({direct_loss(model, data)}, w, {}, true, true);
  std::vector<at::Tensor> flat;
  for (const auto& t : grads) flat.push_back(t.reshape(-1));
  const at::Tensor g = torch::cat(flat);
  const int64_t d = g.numel();
  at::Tensor h = torch::zeros({d, d}, torch::kDouble);
  for (int64_t i = 0; i < d; ++i) {
    const auto row = torch::autograd::grad({g[i]}, w, {}, true, false, true);
    h[i] = flatten(ParamList(row.begin(), row.end()));
  }
  return h;
}

}  // namespace sharpscope::testing

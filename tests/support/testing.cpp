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

LinearNet::LinearNet(int64_t in, int64_t classes) {
  fc = register_module("fc", torch::nn::Linear(in, classes));
}

at::Tensor LinearNet::forward(const at::Tensor& input) { return fc->forward(input.flatten(1)); }

Model tiny_linear_model(uint64_t seed, int64_t in, int64_t classes) {
  torch::manual_seed(seed);
  Model model(std::make_shared<LinearNet>(in, classes), "tiny-linear");
  model.to(torch::kCPU, torch::kDouble);
  return model;
}

at::Tensor direct_loss(Model& model, const Dataset& data, double smoothing) {
  const at::Tensor logits = model.forward(data.images.to(torch::kDouble));
  return torch::nn::functional::cross_entropy(
      logits, data.labels,
      torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(smoothing));
}

at::Tensor logit_jacobians(Model& model, const Dataset& data) {
  ParamList& w = model.parameters();
  const at::Tensor z = model.forward(data.images.to(torch::kDouble));
  const int64_t n = z.size(0), k = z.size(1), d = numel(w);
  at::Tensor j = torch::zeros({n, k, d}, torch::kDouble);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t c = 0; c < k; ++c) {
      const auto row = torch::autograd::grad({z[i][c]}, w, {}, true, false, true);
      std::vector<at::Tensor> parts;
      for (size_t t = 0; t < row.size(); ++t) {
        parts.push_back(row[t].defined() ? row[t].reshape(-1)
                                         : torch::zeros({w[t].numel()}, torch::kDouble));
      }
      j[i][c] = torch::cat(parts);
    }
  }
  return j;
}

at::Tensor dense_ggn(Model& model, const Dataset& data) {
  const at::Tensor j = logit_jacobians(model, data);
  at::Tensor p;
  {
    torch::NoGradGuard no_grad;
    p = torch::softmax(model.forward(data.images.to(torch::kDouble)), 1);
  }
  const int64_t n = j.size(0), k = j.size(1), d = j.size(2);
  at::Tensor g = torch::zeros({d, d}, torch::kDouble);
  for (int64_t i = 0; i < n; ++i) {
    at::Tensor lambda = torch::zeros({k, k}, torch::kDouble);
    for (int64_t a = 0; a < k; ++a) {
      for (int64_t b = 0; b < k; ++b) {
        const double pa = p[i][a].item<double>(), pb = p[i][b].item<double>();
        lambda[a][b] = (a == b ? pa : 0.0) - pa * pb;
      }
    }
    g += j[i].t().mm(lambda).mm(j[i]);
  }
  return g / static_cast<double>(n);
}

at::Tensor per_example_gradients(Model& model, const Dataset& data, const at::Tensor& labels,
                                 double smoothing) {
  ParamList& w = model.parameters();
  const int64_t n = data.size();
  at::Tensor out = torch::zeros({n, numel(w)}, torch::kDouble);
  for (int64_t i = 0; i < n; ++i) {
    const at::Tensor logits = model.forward(data.images.narrow(0, i, 1).to(torch::kDouble));
    const at::Tensor loss = torch::nn::functional::cross_entropy(
        logits, labels.narrow(0, i, 1),
        torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(smoothing));
    const auto g = torch::autograd::grad({loss}, w, {}, false, false, true);
    out[i] = flatten(ParamList(g.begin(), g.end()));
  }
  return out;
}

at::Tensor dense_empirical_fisher(Model& model, const Dataset& data, double smoothing) {
  const at::Tensor g = per_example_gradients(model, data, data.labels, smoothing);
  return g.t().mm(g) / static_cast<double>(data.size());
}

at::Tensor dense_mc_fisher(Model& model, const Dataset& data, const at::Tensor& sampled) {
  const int64_t d = numel(model.parameters());
  at::Tensor f = torch::zeros({d, d}, torch::kDouble);
  for (int64_t m = 0; m < sampled.size(1); ++m) {
    const at::Tensor g = per_example_gradients(model, data, sampled.select(1, m).contiguous(), 0.0);
    f += g.t().mm(g);
  }
  return f / static_cast<double>(data.size() * sampled.size(1));
}

at::Tensor dense_hessian(Model& model, const Dataset& data, double smoothing) {
  ParamList& w = model.parameters();
  const auto grads =
      torch::autograd::grad({direct_loss(model, data, smoothing)}, w, {}, true, true);
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

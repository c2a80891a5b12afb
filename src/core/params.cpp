#include "sharpscope/core/params.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "float64_sums.h"

namespace sharpscope {
namespace {

void check_same_structure(const ParamList& x, const ParamList& y, const char* what) {
  if (x.size() != y.size()) {
    throw std::invalid_argument(std::string(what) + ": parameter lists have " +
                                std::to_string(x.size()) + " and " + std::to_string(y.size()) +
                                " tensors");
  }
}

}  // namespace

// Products are formed in float64 so that long sums over millions of float32 weights keep their
// precision; ‖·‖ and ⟨·,·⟩ feed step sizes and cosines that must be exact to ~1e-7.
double dot(const ParamList& x, const ParamList& y) {
  check_same_structure(x, y, "dot");
  return detail::float64_sums(x, y, detail::kCrossSum).xy;
}

double norm(const ParamList& x) {
  return std::sqrt(detail::float64_sums(x, x, detail::kSquareSum).xx);
}

Gram gram(const ParamList& x, const ParamList& y) {
  check_same_structure(x, y, "gram");
  const detail::Float64Sums s = detail::float64_sums(x, y, detail::kAllSums);
  return {s.xx, s.yy, s.xy};
}

void axpy(double a, const ParamList& x, ParamList& y) {
  check_same_structure(x, y, "axpy");
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < x.size(); ++i) y[i].add_(x[i], a);
}

void scale(ParamList& x, double a) {
  torch::NoGradGuard no_grad;
  for (auto& t : x) t.mul_(a);
}

ParamList scaled(const ParamList& x, double a) {
  torch::NoGradGuard no_grad;
  ParamList out;
  out.reserve(x.size());
  for (const auto& t : x) out.push_back(at::mul(t.detach(), a));
  return out;
}

ParamList combination(const ParamList& x, double a, const ParamList& y) {
  check_same_structure(x, y, "combination");
  torch::NoGradGuard no_grad;
  ParamList out;
  out.reserve(x.size());
  for (size_t i = 0; i < x.size(); ++i) out.push_back(at::add(x[i].detach(), y[i].detach(), a));
  return out;
}

ParamList clone(const ParamList& x) {
  torch::NoGradGuard no_grad;
  ParamList out;
  out.reserve(x.size());
  for (const auto& t : x) out.push_back(t.detach().clone());
  return out;
}

ParamList zeros_like(const ParamList& x) {
  ParamList out;
  out.reserve(x.size());
  for (const auto& t : x) out.push_back(torch::zeros_like(t, t.options().requires_grad(false)));
  return out;
}

ParamList normalized(const ParamList& x) {
  const double n = norm(x);
  return n > 0.0 ? scaled(x, 1.0 / n) : clone(x);
}

void assign(ParamList& target, const ParamList& source) {
  check_same_structure(target, source, "assign");
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < target.size(); ++i) target[i].copy_(source[i]);
}

void set_combination(ParamList& target, const ParamList& base,
                     const std::vector<std::pair<double, const ParamList*>>& terms) {
  check_same_structure(target, base, "set_combination");
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < target.size(); ++i) {
    bool written = false;  // the first term is added while copying the base: one pass, not two
    for (const auto& [c, d] : terms) {
      if (c == 0.0) continue;
      if (written) {
        target[i].add_((*d)[i], c);
      } else {
        at::add_out(target[i], base[i], (*d)[i], c);
        written = true;
      }
    }
    if (!written) target[i].copy_(base[i]);
  }
}

at::Tensor flatten(const ParamList& x) {
  torch::NoGradGuard no_grad;
  std::vector<at::Tensor> pieces;
  pieces.reserve(x.size());
  for (const auto& t : x) pieces.push_back(t.detach().reshape(-1).to(at::kCPU, at::kDouble));
  return pieces.empty() ? torch::zeros({0}, at::kDouble) : torch::cat(pieces);
}

ParamList unflatten(const at::Tensor& flat, const ParamList& like) {
  torch::NoGradGuard no_grad;
  if (flat.numel() != numel(like)) {
    throw std::invalid_argument("unflatten: vector has " + std::to_string(flat.numel()) +
                                " entries, parameters have " + std::to_string(numel(like)));
  }
  ParamList out;
  out.reserve(like.size());
  int64_t offset = 0;
  for (const auto& t : like) {
    out.push_back(flat.narrow(0, offset, t.numel())
                      .reshape(t.sizes())
                      .to(t.options().requires_grad(false))
                      .clone());
    offset += t.numel();
  }
  return out;
}

int64_t numel(const ParamList& x) {
  int64_t n = 0;
  for (const auto& t : x) n += t.numel();
  return n;
}

double cosine(const ParamList& x, const ParamList& y) {
  const Gram g = gram(x, y);
  const double nx = std::sqrt(g.xx), ny = std::sqrt(g.yy);
  if (nx == 0.0 || ny == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return g.xy / (nx * ny);
}

}  // namespace sharpscope

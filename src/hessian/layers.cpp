#include "sharpscope/hessian/layers.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <chrono>

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/hessian/diagonal.h"
#include "sharpscope/hessian/spectrum.h"

namespace sharpscope {

std::string to_string(GroupBy by) { return by == GroupBy::kTensor ? "tensor" : "module"; }

std::vector<ParameterGroup> group_parameters(const std::vector<std::string>& names,
                                             const std::vector<int64_t>& sizes,
                                             const std::vector<size_t>& candidates, GroupBy by) {
  std::vector<ParameterGroup> groups;
  for (size_t i : candidates) {
    const std::string& name = names.at(i);
    const size_t dot = name.rfind('.');
    const std::string key =
        by == GroupBy::kTensor || dot == std::string::npos ? name : name.substr(0, dot);
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&](const ParameterGroup& g) { return g.name == key; });
    if (it == groups.end()) {
      groups.push_back({key, {}, 0});
      it = groups.end() - 1;
    }
    it->tensors.push_back(i);
    it->size += sizes.at(i);
  }
  return groups;
}

void LayerOptions::validate() const {
  spectrum.validate();
  trace.validate();
  if (dense_max < 0) {
    throw UsageError("--dense-max = " + std::to_string(dense_max) + ": must be >= 0");
  }
}

namespace {

bool assembled_densely(int64_t size, const LayerOptions& o) {
  return size <= std::max<int64_t>(o.dense_max, o.spectrum.k + 1);
}

// Exact top eigenvalues and trace from the assembled block.
void dense_block(const CurvatureOperator& op, const LayerOptions& o, LayerCurvature& out) {
  const Eigen::MatrixXd a = dense_matrix(op);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(a);
  const Eigen::Index d = a.rows();
  for (Eigen::Index j = 0; j < std::min<Eigen::Index>(o.spectrum.k, d); ++j) {
    const Eigen::Index at = d - 1 - j;  // ascending order: the top end is at the back
    const double lambda = solver.eigenvalues()[at];
    out.eigenvalues.push_back(lambda);
    out.residuals.push_back(
        (a * solver.eigenvectors().col(at) - lambda * solver.eigenvectors().col(at)).norm());
  }
  out.trace = a.trace();
  out.dense = true;
}

void estimated_block(const CurvatureOperator& op, const LayerOptions& o, LayerCurvature& out) {
  SpectrumOptions spectrum = o.spectrum;
  spectrum.which = SpectrumEnd::kLargest;
  const SpectrumResult r = compute_spectrum(op, spectrum);
  for (const Eigenpair& p : r.pairs) {
    out.eigenvalues.push_back(p.value);
    out.residuals.push_back(p.residual);
  }
  out.converged = r.info == Spectra::CompInfo::Successful;
  const TraceResult t = estimate_trace(op, o.trace);
  out.trace = t.trace;
  out.trace_se = t.standard_error;
}

}  // namespace

int64_t max_layer_hvps(const std::vector<ParameterGroup>& groups, const LayerOptions& o) {
  int64_t total = 0;
  for (const ParameterGroup& g : groups) {
    total += assembled_densely(g.size, o)
                 ? g.size
                 : max_spectrum_hvps(o.spectrum, g.size) + o.trace.max_probes;
  }
  return total;
}

std::vector<LayerCurvature> analyze_layers(const Objective& objective,
                                           const CurvatureOptions& options,
                                           const std::vector<ParameterGroup>& groups,
                                           const LayerOptions& layer_options,
                                           const LayerProgress& progress) {
  layer_options.validate();
  options.validate();
  const std::vector<std::string>& names = objective.model().parameter_names();
  std::vector<LayerCurvature> results;
  int64_t before = 0;  // products of the groups already done
  for (size_t g = 0; g < groups.size(); ++g) {
    const auto start = std::chrono::steady_clock::now();
    LayerCurvature out;
    out.group = groups[g];
    for (size_t i : groups[g].tensors) out.tensor_names.push_back(names[i]);
    const auto op = make_curvature_operator(objective, options, groups[g].tensors);
    if (progress) {
      op->on_product([&progress, g, before](int64_t hvps) { progress(g, hvps, before + hvps); });
    }
    if (assembled_densely(op->rows(), layer_options)) {
      dense_block(*op, layer_options, out);
    } else {
      estimated_block(*op, layer_options, out);
    }
    out.hvps = op->hvp_count();
    before += out.hvps;
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    results.push_back(std::move(out));
  }
  return results;
}

}  // namespace sharpscope

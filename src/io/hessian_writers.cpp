#include "sharpscope/io/hessian_writers.h"

#include <cstdint>
#include <limits>

#include "io/axes.h"
#include "sharpscope/core/params.h"
#include "sharpscope/hessian/density.h"
#include "sharpscope/hessian/diagonal.h"
#include "sharpscope/hessian/layers.h"
#include "sharpscope/hessian/spectrum_result.h"
#include "sharpscope/hessian/trace.h"
#include "sharpscope/io/direction_file.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope {

void write_spectrum(H5Writer& w, const SpectrumResult& r) {
  std::vector<double> values, residuals, seconds;
  std::vector<int64_t> iterations, hvps, converged;
  std::vector<std::string> ends;
  for (const Eigenpair& p : r.pairs) {
    values.push_back(p.value);
    residuals.push_back(p.residual);
    seconds.push_back(p.seconds);
    iterations.push_back(p.iterations);
    hvps.push_back(p.hvps);
    converged.push_back(p.converged ? 1 : 0);
    ends.push_back(to_string(p.end));
  }
  const std::vector<int64_t> shape{static_cast<int64_t>(values.size())};
  w.write("eigenvalues", values, shape, {}, "",
          "eigenvalues of the curvature (root attribute 'curvature'): largest end descending, "
          "then smallest end ascending");
  w.write(
      "residuals", residuals, shape, {}, "",
      "||Mv - lambda v|| (M the curvature) for each unit eigenvector: from the products the "
      "Lanczos solve made "
      "(no extra product; a restart adds a bound on what it discarded) or measured with one extra "
      "HVP (power)");
  w.write("seconds", seconds, shape, {}, "s",
          "time to find each pair (Lanczos: the whole solve of its end)");
  w.write_int("iterations", iterations, shape,
              "Lanczos restarts of the solve or power iterations of each pair");
  w.write_int("hvps", hvps, shape, "HVPs spent on each pair (Lanczos: the whole solve of its end)");
  w.write_int("converged", converged, shape, "1 when the pair met the tolerance");
  w.write_strings("ends", ends);
  w.attribute("/", "status", to_string(r.info));
  w.attribute("/", "total_hvps", r.hvps);
  w.attribute("/", "total_seconds", r.seconds);
}

void write_eigenvector(H5Writer& w, int index, const std::vector<std::string>& names,
                       const ParamList& vector, const std::string& description) {
  const std::string group = "directions/eig" + std::to_string(index);
  write_direction(w, group, names, vector, description);  // the layout landscape directions read
  w.write_tensor(group + "_flat", flatten(vector), description + " (flat, parameter order)");
}

void write_trace(H5Writer& w, const TraceResult& r) {
  w.write("trace", {r.trace}, "",
          "estimate of tr(M) (M the curvature): tr(Q^T M Q) of the sketch (0 for Hutchinson) + "
          "mean of the probes");
  w.write("standard_error", {r.standard_error}, "",
          "sample standard deviation of the probes / sqrt(probes), given the sketch");
  w.write("probes", r.probes, "",
          "z^T M z for each probe in order: z Rademacher (Hutchinson) or P g, g Rademacher, P the "
          "projector off the sketch (Hutch++)");
  w.write("running_mean", r.running_mean, "", "the estimate after the first i+1 probes");
  w.write("running_se", r.running_se, "", "standard error after the first i+1 probes (NaN at 0)");
  w.attribute("/", "method", to_string(r.method));
  w.attribute("/", "sketch_rank", r.sketch_rank);
  w.attribute("/", "sketch_trace", r.sketch_trace);
  w.attribute("/", "sketch_hvps", r.sketch_hvps);
  w.attribute("/", "stop_reason", r.stop_reason);
  w.attribute("/", "total_hvps", r.hvps);
  w.attribute("/", "total_seconds", r.seconds);
}

void write_density(H5Writer& w, const DensityResult& r) {
  const int64_t bins = static_cast<int64_t>(r.grid.size());
  w.write("grid", r.grid, {bins}, {}, "", "eigenvalue grid t");
  w.write("density", r.density, {bins}, {"grid"}, "",
          "Gaussian-broadened SLQ spectral density, normalized so sum(density)*dt = 1");
  const std::vector<int64_t> shape{r.ritz_values.rows(), r.ritz_values.cols()};
  const auto as_vector = [](const RowMajorMatrix& m) {
    return std::vector<double>(m.data(), m.data() + m.size());
  };
  w.write("ritz_values", as_vector(r.ritz_values), shape, {}, "",
          "Gauss quadrature nodes theta [runs, steps], ascending per run");
  w.write("ritz_weights", as_vector(r.ritz_weights), shape, {}, "",
          "Gauss quadrature weights [runs, steps] (squared first eigenvector components); rows sum "
          "to 1");
  w.attribute("/", "mass_on_grid", r.mass_on_grid);
  w.attribute("/", "variance_used", r.variance);
  w.attribute("/", "lanczos_steps_taken", static_cast<int64_t>(r.steps));
  w.attribute("/", "breakdowns", r.breakdowns);
  w.attribute("/", "total_hvps", r.hvps);
  w.attribute("/", "total_seconds", r.seconds);
}

void write_diagonal(H5Writer& w, const DiagonalResult& r, const std::vector<std::string>& names,
                    const ParamList& diagonal, const ParamList& standard_error) {
  const std::vector<double> d(r.diagonal.data(), r.diagonal.data() + r.diagonal.size());
  const std::vector<double> se(r.standard_error.data(),
                               r.standard_error.data() + r.standard_error.size());
  const std::string what = r.method == DiagonalMethod::kExact ? "exact" : "estimated";
  std::vector<int64_t> sizes;
  for (size_t j = 0; j < names.size(); ++j) {
    w.write_tensor("diagonal/" + names[j], diagonal[j],
                   what + " diagonal of the curvature, shaped like parameter " + names[j]);
    w.write_tensor("standard_error/" + names[j], standard_error[j],
                   "standard error of each entry of diagonal/" + names[j] + " (0 when exact)");
    sizes.push_back(diagonal[j].numel());
  }
  const int64_t t = static_cast<int64_t>(names.size());
  w.write("diagonal_flat", d, "", what + " diagonal, selected parameters flattened in order");
  w.write("standard_error_flat", se, "", "standard error of each entry of diagonal_flat");
  w.write_strings("tensors", names);
  w.write_int("tensor_size", sizes, {t}, "scalars per tensor");
  w.write("tensor_trace", r.block_sums, {t}, {}, "",
          "sum of the diagonal over each tensor: the trace of its diagonal block");
  w.write("tensor_trace_se", r.block_sums_se, {t}, {}, "",
          "standard error of tensor_trace (from the per-probe sums; 0 when exact)");
  w.write("trace", {r.trace}, "", "sum of the whole diagonal");
  w.write("trace_se", {r.trace_se}, "", "its standard error (0 when exact)");
  w.attribute("/", "method_used", to_string(r.method));
  w.attribute("/", "probes_used", static_cast<int64_t>(r.probes));
  w.attribute("/", "rank", static_cast<int64_t>(r.rank));
  w.attribute("/", "total_hvps", r.hvps);
  w.attribute("/", "total_seconds", r.seconds);
}

void write_layers(H5Writer& w, const std::vector<LayerCurvature>& layers, int k) {
  const int64_t g = static_cast<int64_t>(layers.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::string> names, members;
  std::vector<double> eigenvalues, residuals, trace, trace_se, seconds;
  std::vector<int64_t> size, dense, converged, hvps;
  int64_t total = 0;
  for (const LayerCurvature& l : layers) {
    names.push_back(l.group.name);
    std::string joined;
    for (const std::string& t : l.tensor_names) joined += (joined.empty() ? "" : ",") + t;
    members.push_back(joined);
    for (int j = 0; j < k; ++j) {
      const bool has = static_cast<size_t>(j) < l.eigenvalues.size();
      eigenvalues.push_back(has ? l.eigenvalues[static_cast<size_t>(j)] : nan);
      residuals.push_back(has ? l.residuals[static_cast<size_t>(j)] : nan);
    }
    trace.push_back(l.trace);
    trace_se.push_back(l.trace_se);
    seconds.push_back(l.seconds);
    size.push_back(l.group.size);
    dense.push_back(l.dense ? 1 : 0);
    converged.push_back(l.converged ? 1 : 0);
    hvps.push_back(l.hvps);
    total += l.hvps;
  }
  w.write_strings("groups", names);
  w.write_strings("group_tensors", members);
  w.write("group", index_values(g), "", "group index (names in 'groups')");
  w.write("eig", index_values(k, 1.0), "", "eigenvalue rank within a block, 1 = largest");
  w.write("eigenvalues", eigenvalues, {g, k}, {"group", "eig"}, "",
          "top eigenvalues of each group's diagonal block, descending (NaN: fewer found)");
  w.write("residuals", residuals, {g, k}, {"group", "eig"}, "",
          "measured ||M_gg v - lambda v|| of each eigenpair");
  w.write("trace", trace, {g}, {"group"}, "", "trace of each group's diagonal block");
  w.write("trace_se", trace_se, {g}, {"group"}, "",
          "standard error of trace (0: the block was assembled exactly)");
  w.write("seconds", seconds, {g}, {"group"}, "s", "time per group");
  w.write_int("group_size", size, {g}, "scalars in each group");
  w.write_int("dense", dense, {g}, "1: block assembled exactly (eigenvalues and trace exact)");
  w.write_int("converged", converged, {g}, "1: every requested eigenpair converged");
  w.write_int("hvps", hvps, {g}, "products spent on each group");
  w.attribute("/", "total_hvps", total);
}

}  // namespace sharpscope

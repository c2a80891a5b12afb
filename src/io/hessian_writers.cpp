#include "sharpscope/io/hessian_writers.h"

#include <cstdint>

#include "sharpscope/core/params.h"
#include "sharpscope/hessian/density.h"
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
          "Hessian eigenvalues: largest end descending, then smallest end ascending");
  w.write("residuals", residuals, shape, {}, "",
          "||Hv - lambda v|| for each unit eigenvector: from the products the Lanczos solve made "
          "(no extra HVP; a restart adds a bound on what it discarded) or measured with one extra "
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
          "estimate of tr(H): tr(Q^T H Q) of the sketch (0 for Hutchinson) + mean of the probes");
  w.write("standard_error", {r.standard_error}, "",
          "sample standard deviation of the probes / sqrt(probes), given the sketch");
  w.write("probes", r.probes, "",
          "z^T H z for each probe in order: z Rademacher (Hutchinson) or P g, g Rademacher, P the "
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

}  // namespace sharpscope

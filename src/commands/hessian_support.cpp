#include "commands/hessian_support.h"

#include <cstdio>

#include "commands/parse.h"

namespace sharpscope::cli {

void add_curvature_flags(CLI::App& command, CurvatureFlags& f) {
  command
      .add_option("--curvature", f.curvature,
                  "hessian | ggn (generalized Gauss-Newton) | ef (empirical Fisher) | mc-fisher "
                  "(Fisher with labels sampled from the model, seeded by --seed)")
      ->capture_default_str();
  command
      .add_option("--mc-samples", f.mc_samples,
                  "mc-fisher: labels drawn per example (drawn once, so the matrix is fixed)")
      ->capture_default_str();
  command
      .add_option("--hvp", f.hvp,
                  "Hessian products: exact (double backward) | finite-difference (central "
                  "differences of gradients, 2 gradient passes per HVP)")
      ->capture_default_str();
  command.add_option(
      "--params", f.params,
      "Regex on parameter names: restrict the curvature to that block, e.g. '^fc2\\.' (default "
      "all)");
  command
      .add_option("--fd-step", f.fd_step,
                  "Relative finite-difference step (0 = cube root of the dtype's epsilon)")
      ->capture_default_str();
}

CurvatureOptions curvature_options(const CurvatureFlags& f, uint64_t seed) {
  CurvatureOptions options;
  options.curvature = parse_curvature(f.curvature);
  options.hvp = parse_hvp_mode(f.hvp);
  options.params_regex = f.params;
  options.fd_step = f.fd_step;
  options.mc_samples = f.mc_samples;
  options.seed = seed;
  options.validate();
  return options;
}

void add_hessian_flags(CLI::App& command, HessianFlags& f) {
  command.add_option("model", f.model, "Model: sharpscope checkpoint or TorchScript file (.pt)")
      ->required();
  add_common_options(command, f.common);
  add_curvature_flags(command, f.curvature);
}

HessianRun open_hessian_run(const HessianFlags& f, const std::string& suffix) {
  const CurvatureOptions options = curvature_options(f.curvature, f.common.seed);
  HessianRun run{open_session(f.model, f.common), options, nullptr, nullptr};
  run.writer = std::make_unique<H5Writer>(
      output_path(f.common, f.model, to_string(options.curvature) + "-" + suffix));
  run.op = make_curvature_operator(*run.session.objective, options);
  char line[640];
  std::snprintf(
      line, sizeof line,
      "%s of the mean loss over %lld examples of %s: d = %lld of %lld parameters (%s), "
      "%s, %s",
      display_name(options.curvature).c_str(), static_cast<long long>(run.session.data.size()),
      run.session.data.name.c_str(), static_cast<long long>(run.op->rows()),
      static_cast<long long>(run.session.model.parameter_count()),
      f.curvature.params.empty() ? "all" : ("--params '" + f.curvature.params + "'").c_str(),
      run.op->describe().c_str(), run.session.provenance.values().at("dtype").c_str());
  say(f.common, line);
  return run;
}

void write_hessian_preamble(HessianRun& run, const HessianFlags& f, const std::string& suffix,
                            const Metadata& attributes) {
  H5Writer& w = *run.writer;
  write_preamble(w, run.session, attributes);
  w.attribute("/", "result_kind", "hessian_" + suffix);
  w.attribute("/", "curvature", to_string(run.options.curvature));
  w.attribute("/", "curvature_description", run.op->describe());
  w.attribute("/", "hvp", to_string(run.options.hvp));
  w.attribute("/", "dimension", static_cast<int64_t>(run.op->rows()));
  w.write_strings("selected_parameters", run.op->selected_names());
}

std::unique_ptr<Progress> hvp_progress(CurvatureOperator& op, const std::string& label,
                                       int64_t bound, const HessianFlags& flags) {
  auto progress = std::make_unique<Progress>(
      label + " (products, at most " + std::to_string(bound) + ")", bound, flags.common.quiet);
  op.on_product([bar = progress.get()](int64_t hvps) { bar->update(hvps); });
  return progress;
}

void commit_hessian_output(HessianRun& run, const HessianFlags& f) {
  run.writer->commit();
  say(f.common, "wrote " + run.writer->path());
}

}  // namespace sharpscope::cli

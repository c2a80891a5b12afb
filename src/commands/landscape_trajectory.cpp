// sharpscope landscape trajectory CK1 ... CKn: the PCA plane of a training path around its last
// checkpoint (loss-landscape's plot_trajectory), its explained variance and the coordinates of
// every checkpoint; `landscape interp CKn --dirs pca1,pca2 --trajectory OUT.h5` draws the loss on
// that plane.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "commands/analysis_support.h"
#include "commands/landscape_subcommands.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/progress.h"
#include "sharpscope/hessian/curvature_operator.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/landscape_writers.h"
#include "sharpscope/io/provenance.h"
#include "sharpscope/landscape/trajectory.h"
#include "sharpscope/optim/trainer.h"

namespace sharpscope::cli {
namespace {

struct TrajectoryFlags {
  std::vector<std::string> models;
  std::string run;
  std::string params;
  bool no_center = false;
  std::string out;
  bool quiet = false;
};

// The checkpoints a training run with --out RUN wrote: RUN's siblings <stem>.epochE.pt in order of
// E, then RUN itself (trainer.h epoch_checkpoint names them).
std::vector<std::string> run_checkpoints(const std::string& run) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(run)) throw InputError("--run = '" + run + "': no such file");
  const fs::path path(run);
  const std::string prefix = path.stem().string() + ".epoch";
  const std::string extension = path.extension().string();
  std::vector<long long> epochs;
  const fs::path directory = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  for (const auto& entry : fs::directory_iterator(directory)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= prefix.size() + extension.size() || name.rfind(prefix, 0) != 0 ||
        name.compare(name.size() - extension.size(), extension.size(), extension) != 0) {
      continue;
    }
    const std::string digits =
        name.substr(prefix.size(), name.size() - prefix.size() - extension.size());
    if (digits.size() > 9 || !std::all_of(digits.begin(), digits.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        })) {
      continue;
    }
    epochs.push_back(std::stoll(digits));
  }
  std::sort(epochs.begin(), epochs.end());
  std::vector<std::string> out;
  for (long long epoch : epochs) out.push_back(epoch_checkpoint(run, epoch));
  out.push_back(run);
  if (out.size() < 2) {
    throw InputError("--run = '" + run + "': no per-epoch checkpoints " + prefix + "E" + extension +
                     " beside it (train with --save-every-epochs 1)");
  }
  return out;
}

bool same_weights(const ParamList& a, const ParamList& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].equal(b[i])) return false;
  }
  return true;
}

double epoch_of(const Model& model) {
  const auto it = model.metadata().find("epoch");
  if (it == model.metadata().end()) return std::numeric_limits<double>::quiet_NaN();
  char* end = nullptr;
  const double value = std::strtod(it->second.c_str(), &end);
  return end != it->second.c_str() && *end == '\0' ? value
                                                   : std::numeric_limits<double>::quiet_NaN();
}

void run_trajectory(const TrajectoryFlags& f) {
  Progress::set_quiet(f.quiet);
  if (!f.run.empty() && !f.models.empty()) {
    throw UsageError("give either checkpoints CK1 ... CKn or --run RUN.pt, not both");
  }
  const std::vector<std::string> models = f.run.empty() ? f.models : run_checkpoints(f.run);
  if (models.empty()) throw UsageError("give checkpoints CK1 ... CKn or --run RUN.pt");
  check_parameter_regex(f.params);
  Provenance provenance;
  provenance.set_model(models.back());
  const std::string out =
      f.out.empty() ? std::filesystem::path(models.back()).stem().string() + ".trajectory.h5"
                    : f.out;
  H5Writer writer(out);  // opened first: an unwritable --out fails before any loading

  // The reference first: every other checkpoint must have its parameters, names and shapes.
  Model reference = Model::load(models.back());
  reference.to(at::kCPU, at::kDouble);
  const std::vector<std::string>& names = reference.parameter_names();
  TrajectoryOptions options;
  options.center = !f.no_center;
  options.tensors = select_parameters(names, f.params);
  std::vector<ParamList> weights;
  std::vector<double> epochs;
  Progress progress("landscape trajectory (loading)", static_cast<int64_t>(models.size()), f.quiet);
  for (size_t i = 0; i + 1 < models.size(); ++i) {
    progress.update(static_cast<int64_t>(i), models[i]);
    Model model = Model::load(models[i]);
    model.to(at::kCPU, at::kDouble);
    if (model.parameter_names() != names) {
      throw InputError(models[i] + ": parameters differ from " + models.back() +
                       "'s (not the same architecture)");
    }
    for (size_t t = 0; t < names.size(); ++t) {
      if (!model.parameters()[t].sizes().equals(reference.parameters()[t].sizes())) {
        throw InputError(models[i] + ": parameter '" + names[t] + "' has another shape than in " +
                         models.back());
      }
    }
    weights.push_back(clone(model.parameters()));
    epochs.push_back(epoch_of(model));
  }
  // A run that ends on an epoch boundary saves its last epoch's snapshot with the final weights:
  // counted once, as loss-landscape's list of epochs holds the final model once.
  std::vector<std::string> used(models);
  if (!f.run.empty() && !weights.empty() && same_weights(weights.back(), reference.parameters())) {
    weights.pop_back();
    epochs.pop_back();
    used.erase(used.end() - 2);
  }
  weights.push_back(clone(reference.parameters()));
  epochs.push_back(epoch_of(reference));
  progress.finish();
  const Trajectory t = pca_trajectory(std::move(weights), options);

  double x_lo = 0.0, x_hi = 0.0, y_lo = 0.0, y_hi = 0.0;
  if (!f.quiet) {
    std::printf("%-40s %7s %12s %12s %12s %12s\n", "checkpoint", "epoch", "x (pca1)", "y (pca2)",
                "off plane", "|w - w_final|");
    for (size_t i = 0; i < used.size(); ++i) {
      std::printf("%-40s %7s %12.6g %12.6g %12.6g %12.6g\n", used[i].c_str(),
                  std::isnan(epochs[i]) ? "-" : std::to_string(std::lround(epochs[i])).c_str(),
                  t.coordinates[2 * i], t.coordinates[2 * i + 1], t.off_plane[i], t.distance[i]);
    }
  }
  for (size_t i = 0; i < used.size(); ++i) {
    x_lo = std::min(x_lo, t.coordinates[2 * i]);
    x_hi = std::max(x_hi, t.coordinates[2 * i]);
    y_lo = std::min(y_lo, t.coordinates[2 * i + 1]);
    y_hi = std::max(y_hi, t.coordinates[2 * i + 1]);
  }
  char line[512];
  std::snprintf(line, sizeof line,
                "explained variance ratio: pca1 %.4f, pca2 %.4f (together %.4f); cos(pc1, pc2) = "
                "%.1e",
                t.explained_variance_ratio[0], t.explained_variance_ratio[1],
                t.explained_variance_ratio[0] + t.explained_variance_ratio[1], t.cosine_pc1_pc2);
  if (!f.quiet) std::printf("%s\n", line);
  // A grid 20 % wider than the path on each side.
  const double mx = 0.2 * std::max(x_hi - x_lo, 1e-12), my = 0.2 * std::max(y_hi - y_lo, 1e-12);
  std::snprintf(line, sizeof line,
                "plane: sharpscope landscape interp %s --dirs pca1,pca2 --trajectory %s --x "
                "%.3g:%.3g:21 --y %.3g:%.3g:21",
                used.back().c_str(), out.c_str(), x_lo - mx, x_hi + mx, y_lo - my, y_hi + my);
  if (!f.quiet) std::printf("%s\n", line);

  provenance.set("arch", reference.arch());
  provenance.set("parameters", std::to_string(reference.parameter_count()));
  write_preamble(writer, provenance, &reference,
                 {{"checkpoints", std::to_string(used.size())},
                  {"params", f.params},
                  {"no_center", f.no_center ? "true" : "false"}});
  writer.attribute("/", "reference", used.back());
  writer.attribute("/", "reference_sha256", provenance.values().at("model_sha256"));
  writer.attribute("/", "centered", std::string(options.center ? "true" : "false"));
  write_result(writer, t, used, epochs, names);
  writer.commit();
  if (!f.quiet) std::printf("wrote %s\n", writer.path().c_str());
}

}  // namespace

void register_landscape_trajectory(CLI::App& landscape) {
  auto f = std::make_shared<TrajectoryFlags>();
  CLI::App* cmd = landscape.add_subcommand(
      "trajectory",
      "PCA plane of a training path (checkpoints) around its last point, with the path's "
      "coordinates (loss-landscape plot_trajectory)");
  cmd->footer(
      "Examples:\n"
      "  sharpscope landscape trajectory ck/sgd.epoch1.pt ck/sgd.epoch2.pt ck/sgd.pt --out t.h5\n"
      "  sharpscope landscape trajectory --run ck/sgd.pt --out t.h5   # every ck/sgd.epochE.pt\n"
      "  sharpscope landscape interp ck/sgd.pt --dirs pca1,pca2 --trajectory t.h5 --x -1:1:21 "
      "--y -1:1:21");
  cmd->add_option("models", f->models,
                  "Checkpoints in path order; the last is w_final, the centre of the plane");
  cmd->add_option("--run", f->run,
                  "A training run's final checkpoint: use it and its <stem>.epochE.pt siblings");
  cmd->add_option("--params", f->params,
                  "Regex on parameter names: only these tensors take part (default all)");
  cmd->add_flag("--no-center", f->no_center,
                "Principal directions of the differences themselves, not of their deviations "
                "from the mean (scikit-learn's PCA, as loss-landscape, centres)");
  cmd->add_option("--out", f->out, "Output HDF5 file (default <last stem>.trajectory.h5)");
  cmd->add_flag("--quiet,-q", f->quiet, "No progress bars or tables");
  cmd->callback([f] { run_trajectory(*f); });
}

}  // namespace sharpscope::cli

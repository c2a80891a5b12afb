// sharpscope sharpness MODEL...: L(w), L^Asc, L^Max, L^Avg, sharpness and the generalization gap
// (Tiwary & Aananth 001 Table 2), perturbed losses L(w^{pN}) (Kim et al. 000 Table 1), and mean ±
// std over groups of checkpoints.
#include "sharpscope/landscape/sharpness.h"

#include <algorithm>
#include <iostream>

#include "commands/analysis_support.h"
#include "commands/parse.h"
#include "commands/registry.h"
#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/packed_row.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/landscape_writers.h"

namespace sharpscope::cli {
namespace {

struct SharpnessFlags {
  std::vector<std::string> models;
  double rho = 0.05;
  std::string ratio;
  std::string kinds = "asc,max,avg";
  int max_steps = 5;
  int avg_samples = 64;
  std::string perturbed_steps;
  std::string scope = "full";
  std::string group;
  bool no_gap = false;
  CommonOptions common;
};

SharpnessOptions parse_options(const SharpnessFlags& f) {
  SharpnessOptions o;
  o.rho = f.rho;
  if (!f.ratio.empty()) o.ratio = parse_ratio(f.ratio, "--ratio");
  parse_sharpness_kinds(f.kinds, o);
  o.max_steps = f.max_steps;
  o.avg_samples = f.avg_samples;
  if (!f.perturbed_steps.empty())
    o.perturbed_steps = parse_int_list(f.perturbed_steps, "--perturbed-steps", 1);
  o.scope = parse_scope(f.scope);
  o.seed = f.common.seed;
  o.validate();
  return o;
}

// The columns shown: L(w), each asked kind with its sharpness ×10³, perturbed losses, the gap.
std::vector<std::string> shown_quantities(const SharpnessOptions& o, bool gap) {
  std::vector<std::string> names{"loss", "accuracy"};
  if (o.asc) names.insert(names.end(), {"L_asc", "sharpness_asc"});
  if (o.max) names.insert(names.end(), {"L_max", "sharpness_max"});
  if (o.avg) names.insert(names.end(), {"L_avg", "L_avg_standard_error", "sharpness_avg"});
  for (int n : o.perturbed_steps) names.push_back("L_p" + std::to_string(n));
  if (gap) names.insert(names.end(), {"test_loss", "gap_loss", "gap_error"});
  return names;
}

// Sharpness and gaps are printed ×10³ as in 001 Table 2.
double shown_value(const std::string& name, double value) {
  return name.rfind("sharpness", 0) == 0 || name.rfind("gap", 0) == 0 ? 1e3 * value : value;
}

std::string shown_name(const std::string& name) {
  return name.rfind("sharpness", 0) == 0 || name.rfind("gap", 0) == 0 ? name + "*1e3" : name;
}

std::string group_label(const Model& model, const std::string& key, const std::string& path) {
  const auto it = model.metadata().find(key);
  if (it == model.metadata().end())
    throw InputError(path + ": no metadata key '" + key + "' for --group");
  return it->second;
}

std::vector<double> pack(const Sharpness& r, int64_t width) {
  RowPacker row(width);
  for (double v : {r.loss, r.accuracy, r.asc, r.max, r.avg, r.avg_standard_error, r.test_loss,
                   r.test_accuracy, r.gap_loss, r.gap_error})
    row.scalar(v);
  row.array(r.max_per_step).array(r.avg_samples).array(r.perturbed_loss);
  return std::move(row.array({r.perturbed_steps.begin(), r.perturbed_steps.end()})).row();
}

Sharpness unpack(const PointStore& rows, int64_t point) {
  RowUnpacker row(rows, point);
  Sharpness r;
  for (double* v : {&r.loss, &r.accuracy, &r.asc, &r.max, &r.avg, &r.avg_standard_error,
                    &r.test_loss, &r.test_accuracy, &r.gap_loss, &r.gap_error})
    *v = row.scalar();
  r.max_per_step = row.array();
  r.avg_samples = row.array();
  r.perturbed_loss = row.array();
  for (double n : row.array()) r.perturbed_steps.push_back(static_cast<int>(n));
  return r;
}

void run_sharpness(const SharpnessFlags& f) {
  const SharpnessOptions options = parse_options(f);
  const std::string out_path = output_path(f.common, f.models[0], "sharpness");
  const auto writer = open_output(out_path);
  if (!f.no_gap && parse_split(f.common.split) == Split::kTest) {
    throw UsageError(
        "--split test: the gap compares train with test; add --no-gap to analyse the test split");
  }
  const Metadata attributes{{"rho", number_text(f.rho)},
                            {"ratio", f.ratio},
                            {"kinds", f.kinds},
                            {"max_steps", std::to_string(f.max_steps)},
                            {"avg_samples", std::to_string(f.avg_samples)},
                            {"perturbed_steps", f.perturbed_steps},
                            {"scope", f.scope},
                            {"group", f.group},
                            {"gap", f.no_gap ? "false" : "true"}};
  const int64_t models = static_cast<int64_t>(f.models.size());
  // Each model is one point of the loop: under a launcher with at least as many models as ranks,
  // models are dealt to ranks, each evaluated on one rank (core/point_loop.h); otherwise every
  // model is split over the examples. The session of the first model is opened before the loop: its
  // provenance (and its duration, which covers every model) goes into the preamble.
  Session first = open_session(f.models[0], f.common, models);
  std::vector<std::string> labels;  // read up front, so a missing --group key fails before any work
  for (int64_t m = 0; m < models; ++m) {
    const std::string& path = f.models[static_cast<size_t>(m)];
    labels.push_back(f.group.empty() ? path : group_label(Model::load(path), f.group, path));
  }
  // Unasked kinds leave their arrays empty and their counts unvalidated: never below zero here.
  const int64_t width =
      packed_width(10, {std::max(options.max_steps, 0), std::max(options.avg_samples, 0),
                        static_cast<int64_t>(options.perturbed_steps.size()),
                        static_cast<int64_t>(options.perturbed_steps.size())});
  MemoryPoints rows(models, width);
  const auto measure = [&](Session& s) {
    SplitObjective test;
    if (!f.no_gap) test = open_split(s, f.common, Split::kTest);
    return pack(sharpness(*s.objective, f.no_gap ? nullptr : test.objective.get(), options), width);
  };
  run_pending_points(rows, "sharpness", [&](int64_t m) {
    if (m == 0) return measure(first);
    // Initialized in place: a Session is never moved (its objective refers to its model).
    Session s = open_session(f.models[static_cast<size_t>(m)], f.common, models);
    return measure(s);
  });
  std::vector<Sharpness> results;
  for (int64_t m = 0; m < models; ++m) {
    results.push_back(unpack(rows, m));
    say(f.common, f.models[static_cast<size_t>(m)] + ": " + results.back().summary());
  }
  write_preamble(*writer, first, attributes);
  const std::vector<GroupStatistics> groups =
      f.group.empty() ? std::vector<GroupStatistics>{} : group_statistics(labels, results);

  if (!f.common.quiet) {
    const std::vector<std::string> names = shown_quantities(options, !f.no_gap);
    std::cout << label("model", 24);
    for (const std::string& n : names) std::cout << label(shown_name(n), 14);
    std::cout << "\n";
    for (size_t m = 0; m < results.size(); ++m) {
      std::cout << label(f.models[m].size() > 23
                             ? "..." + f.models[m].substr(f.models[m].size() - 20)
                             : f.models[m],
                         24);
      for (const auto& [name, value] : sharpness_quantities(results[m])) {
        if (std::find(names.begin(), names.end(), name) != names.end())
          std::cout << cell(shown_value(name, value), 14);
      }
      std::cout << "\n";
    }
    for (const GroupStatistics& g : groups) {
      std::cout << "group " << f.group << " = " << g.group << " (" << g.members
                << " models): mean +- std\n";
      for (size_t q = 0; q < g.names.size(); ++q) {
        if (std::find(names.begin(), names.end(), g.names[q]) == names.end()) continue;
        std::cout << label(shown_name(g.names[q]), 24)
                  << cell(shown_value(g.names[q], g.mean[q]), 14) << " +- "
                  << cell(shown_value(g.names[q], g.std[q]), 10) << "\n";
      }
    }
  }
  write_result(*writer, f.models, labels, results, groups);
  writer->commit();
  say(f.common, "wrote " + writer->path());
}

}  // namespace

void register_sharpness(CLI::App& app) {
  auto f = std::make_shared<SharpnessFlags>();
  CLI::App* cmd = app.add_subcommand("sharpness",
                                     "L(w), L^Asc, L^Max, L^Avg, sharpness and generalization gap; "
                                     "mean +- std per group (001 Table 2)");
  cmd->footer(
      "Examples:\n"
      "  sharpscope sharpness model.pt --rho 0.05 --kinds asc,max,avg\n"
      "  sharpscope sharpness runs/*.pt --group optimizer --perturbed-steps 1,3,5 --scope batch "
      "--subset 0");
  cmd->add_option("models", f->models, "One or more models")->required();
  cmd->add_option("--rho", f->rho, "Perturbation radius rho")->capture_default_str();
  cmd->add_option("--ratio", f->ratio, "Relative ascent step sizes, e.g. 1:2 (default equal)");
  cmd->add_option("--kinds", f->kinds, "Any of asc,max,avg")->capture_default_str();
  cmd->add_option(
         "--max-steps", f->max_steps,
         "Ascent steps N of the L^Max estimate (max of L(w^pn), n <= N; N(N+1)/2 gradient passes)")
      ->capture_default_str();
  cmd->add_option("--avg-samples", f->avg_samples, "Monte-Carlo samples K of L^Avg")
      ->capture_default_str();
  cmd->add_option("--perturbed-steps", f->perturbed_steps,
                  "Also L(w^pN) for these N (000 Table 1), e.g. 1,3,5");
  cmd->add_option("--scope", f->scope, "full | batch (each batch at its own perturbed point)")
      ->capture_default_str();
  cmd->add_option("--group", f->group, "Checkpoint metadata key to group models by (mean +- std)");
  cmd->add_flag("--no-gap", f->no_gap, "Skip the test split (no generalization gap)");
  add_common_options(*cmd, f->common);
  cmd->callback([f] { run_sharpness(*f); });
}

}  // namespace sharpscope::cli

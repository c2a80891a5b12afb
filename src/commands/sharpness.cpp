// sharpscope sharpness MODEL...: L(w), L^Asc, L^Max, L^Avg, sharpness and the generalization gap
// (Tiwary & Aananth 001 Table 2), perturbed losses L(w^{pN}) (Kim et al. 000 Table 1), and mean ±
// std over groups of checkpoints.
#include "sharpscope/landscape/sharpness.h"

#include <iostream>

#include "commands/analysis_support.h"
#include "commands/parse.h"
#include "commands/registry.h"
#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/error.h"
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
  std::vector<Sharpness> results;
  std::vector<std::string> labels;
  for (size_t m = 0; m < f.models.size(); ++m) {
    // A session per model; it cannot outlive the loop body (its objective refers to its model).
    Session s = open_session(f.models[m], f.common);
    std::string group_value = f.models[m];
    if (!f.group.empty()) {
      const auto it = s.model.metadata().find(f.group);
      if (it == s.model.metadata().end()) {
        throw InputError(f.models[m] + ": no metadata key '" + f.group + "' for --group");
      }
      group_value = it->second;
    }
    SplitObjective test;
    if (!f.no_gap) test = open_split(s, f.common, Split::kTest);
    results.push_back(sharpness(*s.objective, f.no_gap ? nullptr : test.objective.get(), options));
    labels.push_back(group_value);
    say(f.common, f.models[m] + ": " + results.back().summary());
    // Provenance of the last session: its duration then covers every model.
    if (m + 1 == f.models.size()) write_preamble(*writer, s, attributes);
  }
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

// sharpscope escape-test MODEL: steps until an optimizer leaves a trained minimum (docs/math.md §7,
// 002 §5.2 Table 5.1), per trial, over optimizers and radii, resumable.
#include "sharpscope/dynamics/escape.h"

#include <iostream>

#include "commands/analysis_support.h"
#include "commands/parse.h"
#include "commands/registry.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/point_loop.h"
#include "sharpscope/io/dynamics_writers.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope::cli {
namespace {

struct EscapeFlags {
  std::string model;
  std::string optimizers = "sgd,sam";
  std::string rhos = "0.1";
  EscapeOptions escape;
  int64_t trials = 100;
  int64_t train_subset = 0;
  bool resume = false;
  CommonOptions common;
};

void run_escape_test(EscapeFlags& f) {
  std::vector<NamedRule> optimizers;
  for (const std::string& name : parse_name_list(f.optimizers, "--optimizer")) {
    NamedRule named{name, RuleOptions{}};
    apply_optimizer_name(name, named.rule);
    optimizers.push_back(named);
  }
  const std::vector<EscapeConfig> configs =
      escape_configs(optimizers, parse_number_list(f.rhos, "--rho", 0.0));
  f.escape.seed = f.common.seed;
  f.escape.validate();
  if (f.trials < 1) throw UsageError("--trials = " + std::to_string(f.trials) + ": must be >= 1");
  if (f.train_subset < 0)
    throw UsageError("--train-subset = " + std::to_string(f.train_subset) + ": must be >= 0");
  Session s = open_session(f.model, f.common, static_cast<int64_t>(configs.size()) * f.trials);
  const Dataset train = load_dataset(s.spec, Split::kTrain, {f.train_subset, std::nullopt});
  const std::string out = output_path(f.common, f.model, "escape");
  const auto writer = open_output(out);

  const Metadata attributes = {
      {"optimizers", f.optimizers},
      {"rho", f.rhos},
      {"lr", number_text(f.escape.lr)},
      {"train_batch_size", std::to_string(f.escape.batch_size)},
      {"momentum", number_text(f.escape.momentum)},
      {"threshold", f.escape.threshold ? number_text(*f.escape.threshold)
                    : f.escape.drop    ? ""
                                       : "0.9"},
      {"drop", f.escape.drop ? number_text(*f.escape.drop) : ""},
      {"trials", std::to_string(f.trials)},
      {"max_steps", std::to_string(f.escape.max_steps)},
      {"train_subset", std::to_string(f.train_subset)},
      {"accuracy_on", "evaluation subset (--eval-subset of --split), BatchNorm mode --bn"}};
  const int64_t width =
      2 + f.escape.max_steps + 1;  // steps, censored, accuracy after 0..max_steps steps
  const int64_t points = static_cast<int64_t>(configs.size()) * f.trials;
  const auto rows =
      open_grid_rows(out, grid_signature(s, attributes), points, width, f.resume, f.common);

  std::vector<std::unique_ptr<GradientRule>> rules;
  for (const EscapeConfig& config : configs) rules.push_back(make_rule(config.rule));
  // Point = configuration × trial; each trial restarts from w*, so points are independent.
  run_pending_points(
      *rows, "escape-test",
      [&](int64_t point) {
        const size_t c = static_cast<size_t>(point / f.trials);
        const int64_t trial = point % f.trials;
        const EscapeTrial t = run_escape_trial(s.model, train, *s.objective, *rules[c], f.escape,
                                               trial_seed(f.escape.seed, trial));
        std::vector<double> row(static_cast<size_t>(width),
                                std::numeric_limits<double>::quiet_NaN());
        row[0] = static_cast<double>(t.steps);
        row[1] = t.censored ? 1.0 : 0.0;
        std::copy(t.accuracy.begin(), t.accuracy.end(), row.begin() + 2);
        return row;
      },
      [&](int64_t point, const std::vector<double>& row) {
        return configs[static_cast<size_t>(point / f.trials)].label() + " trial " +
               std::to_string(point % f.trials) + ": " +
               std::to_string(static_cast<int64_t>(row[0])) +
               (row[1] != 0.0 ? "+ steps" : " steps");
      });

  EscapeResult result{configs, {}, f.escape.max_steps};
  for (size_t c = 0; c < configs.size(); ++c) {
    std::vector<EscapeTrial> trials;
    for (int64_t k = 0; k < f.trials; ++k) {
      const int64_t point = static_cast<int64_t>(c) * f.trials + k;
      EscapeTrial t{static_cast<int64_t>(rows->value(point, 0)), rows->value(point, 1) != 0.0, {}};
      for (int64_t step = 0; step <= t.steps; ++step)
        t.accuracy.push_back(rows->value(point, 2 + step));
      trials.push_back(std::move(t));
    }
    result.trials.push_back(std::move(trials));
  }
  write_result(*writer, result);
  write_preamble(*writer, s, attributes);
  commit_output(*writer, rows.get(),
                "escape time (steps), mean +- std over " + std::to_string(f.trials) + " trials:\n" +
                    result.summary(),
                f.common);
}

}  // namespace

void register_escape_test(CLI::App& app) {
  auto f = std::make_shared<EscapeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "escape-test", "Steps until SGD or a SAM variant escapes a trained minimum (002 Table 5.1)");
  cmd->footer(
      "Each trial restarts from the model with its own seed (trial k draws the same batches under "
      "every\n"
      "optimizer) and counts complete optimizer steps until the training accuracy on the "
      "evaluation subset\n"
      "falls below the threshold. Censored trials (no escape within --max-steps) are counted, "
      "never dropped.\n"
      "Examples:\n"
      "  sharpscope escape-test model.pt --rho 0.1\n"
      "  sharpscope escape-test model.pt --optimizer sgd,sam --rho 0.05,0.1,0.2 --lr 0.03 --drop "
      "0.05 --trials 20\n"
      "Output layout and protocol: docs/dynamics.md");
  cmd->add_option("model", f->model,
                  "Model at a minimum: sharpscope checkpoint or TorchScript file")
      ->required();
  cmd->add_option("--optimizer", f->optimizers,
                  "Optimizers, e.g. sgd,sam,stablesam,sam-2 (sgd runs once, at rho 0)")
      ->capture_default_str();
  cmd->add_option("--rho", f->rhos, "Radii of the SAM variants, e.g. 0.05,0.1,0.2")
      ->capture_default_str();
  cmd->add_option("--lr", f->escape.lr, "Constant learning rate")->capture_default_str();
  cmd->add_option("--momentum", f->escape.momentum, "SGD momentum (the paper's test: 0)")
      ->capture_default_str();
  cmd->add_option("--threshold", f->escape.threshold, "Escape when accuracy < this (default 0.9)");
  cmd->add_option("--drop", f->escape.drop,
                  "Escape when accuracy < start accuracy - this (instead of --threshold)");
  cmd->add_option("--trials", f->trials, "Trials per optimizer and radius")->capture_default_str();
  cmd->add_option("--max-steps", f->escape.max_steps,
                  "Step budget; trials still above the threshold are censored")
      ->capture_default_str();
  cmd->add_option("--train-subset", f->train_subset,
                  "Draw training batches from the first n examples (0 = all)")
      ->capture_default_str();
  cmd->add_flag("--resume", f->resume, "Continue from the partial file of an interrupted run");
  add_common_options(*cmd, f->common, 10000);
  // --batch-size is the optimizer's here (the paper's 256); evaluation keeps the default batch.
  cmd->remove_option(cmd->get_option("--batch-size"));
  cmd->add_option("--batch-size", f->escape.batch_size,
                  "Training batch size of every optimizer step")
      ->capture_default_str();
  cmd->get_option("--subset")
      ->description("Evaluation subset: first n training examples (0 = all)");
  cmd->callback([f] { run_escape_test(*f); });
}

}  // namespace sharpscope::cli

// sharpscope landscape line A.pt B.pt: train and test loss and error on (1−α) w_A + α w_B
// (Park 002 Fig. 5.1).
#include <iostream>

#include "commands/analysis_support.h"
#include "commands/landscape_subcommands.h"
#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/params.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/landscape_writers.h"
#include "sharpscope/io/partial_grid.h"
#include "sharpscope/landscape/checkpoint_line.h"

namespace sharpscope::cli {
namespace {

struct LineFlags {
  std::string model_a, model_b;
  std::string alpha = "-0.5:1.5:41";
  bool resume = false;
  CommonOptions common;
};

// w_B as tensors placed and typed like A's parameters; InputError when the architectures differ.
ParamList load_endpoint(const std::string& path, Model& a) {
  Model b = Model::load(path);
  b.to(a.device(), a.dtype());
  b.require_finite_weights();
  if (b.parameter_names() != a.parameter_names()) {
    throw InputError(path +
                     ": parameters differ from the first model's (not the same architecture)");
  }
  for (size_t i = 0; i < a.parameters().size(); ++i) {
    if (!b.parameters()[i].sizes().equals(a.parameters()[i].sizes())) {
      throw InputError(path + ": parameter '" + a.parameter_names()[i] +
                       "' has another shape than in the first model");
    }
  }
  return clone(b.parameters());
}

void run_line(const LineFlags& f) {
  const std::vector<double> alpha = parse_range(f.alpha, "--alpha").values();
  Session s = open_session(f.model_a, f.common, static_cast<int64_t>(alpha.size()));
  const std::string out_path = output_path(f.common, f.model_a, "line");
  const auto writer = open_output(out_path);
  s.provenance.set("model_b", f.model_b);
  s.provenance.set("model_b_sha256", sha256_file(f.model_b));
  const ParamList weights_b = load_endpoint(f.model_b, s.model);
  // The session's split plays "train" when it is the training split, else the two swap.
  SplitObjective other = open_split(s, f.common, other_split(f.common));
  const bool session_is_train = parse_split(f.common.split) == Split::kTrain;
  const Objective& train = session_is_train ? *s.objective : *other.objective;
  const Objective& test = session_is_train ? *other.objective : *s.objective;

  const Metadata attributes{{"alpha", f.alpha}, {"model_b", f.model_b}};
  const auto rows =
      open_grid_rows(out_path,
                     grid_signature(s, attributes) +
                         "model_b_sha256=" + s.provenance.values().at("model_b_sha256"),
                     static_cast<int64_t>(alpha.size()), kLineRowWidth, f.resume, f.common);
  const CheckpointLine r = evaluate_checkpoint_line(train, &test, weights_b, alpha, *rows);

  if (!f.common.quiet) {
    std::cout << label("alpha", 8) << label("train loss", 12) << label("train err", 12)
              << label("test loss", 12) << label("test err", 12) << "\n";
    for (size_t i = 0; i < alpha.size(); ++i) {
      std::cout << cell(alpha[i], 8) << cell(r.train_loss[i], 12) << cell(r.train_error[i], 12)
                << cell(r.test_loss[i], 12) << cell(r.test_error[i], 12) << "\n";
    }
  }
  write_result(*writer, r);
  write_preamble(*writer, s, attributes);
  commit_output(*writer, rows.get(), r.summary(), f.common);
}

}  // namespace

void register_landscape_line(CLI::App& landscape) {
  auto f = std::make_shared<LineFlags>();
  CLI::App* cmd = landscape.add_subcommand("line",
                                           "Train/test loss and error on (1-alpha) w_A + alpha w_B "
                                           "between two checkpoints (002 Fig. 5.1)");
  cmd->footer("Example:\n  sharpscope landscape line sgd.pt sam.pt --alpha -0.5:1.5:41");
  cmd->add_option("model_a", f->model_a, "First model (alpha = 0)")->required();
  cmd->add_option("model_b", f->model_b, "Second model (alpha = 1), same architecture")->required();
  cmd->add_option("--alpha", f->alpha, "Positions on the line, start:stop:count")
      ->capture_default_str();
  cmd->add_flag("--resume", f->resume, "Continue an interrupted run from its .partial.h5 file");
  add_common_options(*cmd, f->common);
  cmd->callback([f] { run_line(*f); });
}

}  // namespace sharpscope::cli

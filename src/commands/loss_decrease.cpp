// sharpscope loss-decrease MODEL: ΔL(u) = L(u) − L(u − η g) for g = ∇L(w^{pN}) and u = w^{pM}
// (Kim et al. 000 Fig. 7), optionally along the segment w^{pA} → w^{pB} (Fig. 8).
#include "sharpscope/landscape/loss_decrease.h"

#include <iostream>

#include "commands/analysis_support.h"
#include "commands/flag_value.h"
#include "commands/parse.h"
#include "commands/registry.h"
#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/error.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/landscape_writers.h"

namespace sharpscope::cli {
namespace {

struct LossDecreaseFlags {
  std::string model;
  double rho = 0.1;
  std::string ratio;
  std::string steps = "0,1,2";
  double lr = 0.1;
  std::string segment;
  int points = 11;
  CommonOptions common;
};

void print(const LossDecrease& r) {
  const size_t n = r.steps.size();
  std::cout << "L(u) - L(u - lr g), lr " << r.lr << ": rows g = grad L(w^pN), columns u = w^pM\n"
            << label("g \\ u", 8);
  for (int m : r.steps) std::cout << label("w^p" + std::to_string(m), 12);
  std::cout << "\n";
  for (size_t i = 0; i < n; ++i) {
    std::cout << label("g^p" + std::to_string(r.steps[i]), 8);
    for (size_t j = 0; j < n; ++j) std::cout << cell(r.delta[i * n + j], 12);
    std::cout << "\n";
  }
  std::cout << label("L(u)", 8);
  for (double l : r.loss) std::cout << cell(l, 12);
  std::cout << "\n";
  if (r.t.empty()) return;
  std::cout << "along u = (1-t) w^p" << r.segment.first << " + t w^p" << r.segment.second << "\n"
            << label("t", 8) << label("L(u)", 12);
  for (int m : r.steps) std::cout << label("g^p" + std::to_string(m), 12);
  std::cout << "\n";
  for (size_t k = 0; k < r.t.size(); ++k) {
    std::cout << cell(r.t[k], 8) << cell(r.segment_loss[k], 12);
    for (size_t i = 0; i < n; ++i) std::cout << cell(r.segment_delta[i * r.t.size() + k], 12);
    std::cout << "\n";
  }
}

void run_loss_decrease(const LossDecreaseFlags& f) {
  LossDecreaseOptions options;
  options.rho = f.rho;
  if (!f.ratio.empty()) options.ratio = parse_ratio(f.ratio, "--ratio");
  options.steps = parse_int_list(f.steps, "--steps", 0);
  options.lr = f.lr;
  options.points = f.points;
  if (!f.segment.empty()) {
    std::vector<int> ends;
    for (const std::string& end : parse_name_list(f.segment, "--segment")) {
      ends.push_back(parse_int_list(end, "--segment", 0)[0]);
    }
    if (ends.size() != 2)
      throw UsageError(flag_value("--segment", f.segment) + ": expected two N, e.g. 1,2");
    options.segment = std::make_pair(ends[0], ends[1]);
  }
  options.validate();
  const int64_t n = static_cast<int64_t>(options.steps.size());
  Session s = open_session(f.model, f.common, n * n + (options.segment ? options.points : 0));
  const auto writer = open_output(output_path(f.common, f.model, "lossdecrease"));

  const LossDecrease r = loss_decrease(*s.objective, options);

  if (!f.common.quiet) print(r);
  write_result(*writer, r);
  write_preamble(*writer, s,
                 {{"rho", number_text(f.rho)},
                  {"ratio", f.ratio},
                  {"steps", f.steps},
                  {"lr", number_text(f.lr)},
                  {"segment", f.segment},
                  {"points", std::to_string(f.points)}});
  commit_output(*writer, nullptr, r.summary(), f.common);
}

}  // namespace

void register_loss_decrease(CLI::App& app) {
  auto f = std::make_shared<LossDecreaseFlags>();
  CLI::App* cmd = app.add_subcommand(
      "loss-decrease",
      "Loss decrease L(u) - L(u - lr g) of each gradient at each perturbed weight (000 Fig. 7, 8)");
  cmd->footer(
      "Examples (the paper uses the first training batch: --subset 128):\n"
      "  sharpscope loss-decrease model.pt --rho 0.1 --steps 0,1,2 --lr 0.1 --subset 128\n"
      "  sharpscope loss-decrease model.pt --steps 0,1,2 --segment 1,2 --points 11 --subset 128");
  cmd->add_option("model", f->model, "Model: sharpscope checkpoint or TorchScript file")
      ->required();
  cmd->add_option("--rho", f->rho, "Ascent radius rho")->capture_default_str();
  cmd->add_option("--ratio", f->ratio, "Relative ascent step sizes, e.g. 1:2 (default equal)");
  cmd->add_option("--steps", f->steps, "N of the gradients and weights (0 = w)")
      ->capture_default_str();
  cmd->add_option("--lr", f->lr, "Step size eta of u - eta g")->capture_default_str();
  cmd->add_option("--segment", f->segment, "A,B: also along the segment from w^pA to w^pB");
  cmd->add_option("--points", f->points, "Points on the segment (t = 0..1)")->capture_default_str();
  add_common_options(*cmd, f->common);
  cmd->callback([f] { run_loss_decrease(*f); });
}

}  // namespace sharpscope::cli

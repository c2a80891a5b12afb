// sharpscope landscape ascent MODEL: L(w + k v_N) for several N (Kim et al. 000 Fig. 3).
#include <iostream>

#include "commands/analysis_support.h"
#include "commands/landscape_subcommands.h"
#include "commands/parse.h"
#include "sharpscope/ascent/ascent.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/landscape_writers.h"
#include "sharpscope/landscape/ascent_curves.h"

namespace sharpscope::cli {
namespace {

struct AscentFlags {
  std::string model;
  double rho = 0.1;
  std::string ratio;
  std::string steps = "1,2,3,5,10";
  std::string k = "0:0.2:21";
  std::string scope = "full";
  CommonOptions common;
};

void run_ascent(const AscentFlags& f) {
  AscentCurveOptions options;
  options.rho = f.rho;
  if (!f.ratio.empty()) options.ratio = parse_ratio(f.ratio, "--ratio");
  options.steps = parse_int_list(f.steps, "--steps", 1);
  options.k = parse_range(f.k, "--k").values();
  options.scope = parse_scope(f.scope);
  options.validate();
  Session s = open_session(f.model, f.common);
  const auto writer = open_output(output_path(f.common, f.model, "ascent"));

  const AscentCurves r = ascent_curves(*s.objective, options);

  if (!f.common.quiet) {
    std::cout << "L(w + k v_N), rho " << f.rho << ", " << f.scope << " scope\n" << label("k", 8);
    for (int n : r.steps) std::cout << label("N=" + std::to_string(n), 12);
    std::cout << "\n";
    for (size_t j = 0; j < r.k.size(); ++j) {
      std::cout << cell(r.k[j], 8);
      for (size_t i = 0; i < r.steps.size(); ++i) std::cout << cell(r.loss[i * r.k.size() + j], 12);
      std::cout << "\n";
    }
    std::cout << label("|w^N-w|", 8);
    for (double d : r.displacement) std::cout << cell(d, 12);
    std::cout << "\n" << label("L(w^pN)", 8);
    for (double l : r.perturbed_loss) std::cout << cell(l, 12);
    std::cout << "\n";
  }
  write_result(*writer, r);
  write_preamble(*writer, s,
                 {{"rho", number_text(f.rho)},
                  {"ratio", f.ratio},
                  {"steps", f.steps},
                  {"k", f.k},
                  {"scope", f.scope}});
  commit_output(*writer, nullptr, r.summary(), f.common);
}

}  // namespace

void register_landscape_ascent(CLI::App& landscape) {
  auto f = std::make_shared<AscentFlags>();
  CLI::App* cmd =
      landscape.add_subcommand("ascent", "Loss along ascent directions L(w + k v_N) (000 Fig. 3)");
  cmd->footer(
      "Example:\n  sharpscope landscape ascent model.pt --rho 0.1 --steps 1,2,3,5,10 --k 0:0.2:21");
  cmd->add_option("model", f->model, "Model: sharpscope checkpoint or TorchScript file")
      ->required();
  cmd->add_option("--rho", f->rho, "Ascent radius rho")->capture_default_str();
  cmd->add_option("--ratio", f->ratio, "Relative ascent step sizes, e.g. 1:2 (default equal)");
  cmd->add_option("--steps", f->steps, "Numbers of ascent steps N, one curve each")
      ->capture_default_str();
  cmd->add_option("--k", f->k, "Distances along v_N, start:stop:count")->capture_default_str();
  cmd->add_option("--scope", f->scope, "full (one direction) | batch (a direction per mini-batch)")
      ->capture_default_str();
  add_common_options(*cmd, f->common);
  cmd->callback([f] { run_ascent(*f); });
}

}  // namespace sharpscope::cli

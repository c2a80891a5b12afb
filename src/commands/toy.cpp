// sharpscope toy saddle|valley: the two-dimensional saddle of 003 Fig. 4 and the one-dimensional
// valleys of 002 Fig. 3.1 (docs/math.md §9). No model or data: seconds on a laptop.
#include <CLI/CLI.hpp>
#include <iostream>
#include <limits>

#include "commands/analysis_support.h"
#include "commands/flag_value.h"
#include "commands/parse.h"
#include "commands/registry.h"
#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/progress.h"
#include "sharpscope/core/runtime.h"
#include "sharpscope/dynamics/saddle.h"
#include "sharpscope/dynamics/valley.h"
#include "sharpscope/dynamics/valley2d.h"
#include "sharpscope/io/dynamics_writers.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/provenance.h"

namespace sharpscope::cli {
namespace {

struct ToyCommon {
  std::string out;
  int threads = 0;
  bool quiet = false;
};

void add_toy_common(CLI::App& cmd, ToyCommon& c, const std::string& default_out) {
  c.out = default_out;
  cmd.add_option("--out", c.out, "Output HDF5 file")->capture_default_str();
  cmd.add_option("--threads", c.threads, "Threads (0 = all cores)")->capture_default_str();
  cmd.add_flag("--quiet,-q", c.quiet, "No progress bar or table");
}

void finish(H5Writer& writer, const Provenance& provenance, const Metadata& options,
            const ToyCommon& c, const std::string& summary) {
  write_preamble(writer, provenance, nullptr, options);
  writer.commit();
  if (c.quiet) return;
  std::cout << summary << "wrote " << writer.path() << "\n";
}

struct SaddleFlags {
  std::string optimizers = "gd,sam,stablesam";
  std::string rhos = "0.05,0.2,0.5";
  std::string lrs = "0.001:0.3:100:log";
  int64_t starts = 10000;
  int64_t iterations = 1000;
  uint64_t seed = 0;
  SaddleCriterion criterion;
  std::string criterion_kind = "basin";
  ToyCommon common;
  DistributedFlags dist;
};

void run_saddle(SaddleFlags& f) {
  Progress::set_quiet(f.common.quiet);
  std::vector<SaddleOptimizer> optimizers;
  const std::vector<double> rhos = parse_number_list(f.rhos, "--rho", 0.0);
  for (const std::string& name : parse_name_list(f.optimizers, "--optimizers")) {
    const SaddleMethod method = parse_saddle_method(name);
    if (method == SaddleMethod::kGd) {
      optimizers.push_back({method, 0.0, std::nullopt});
    } else {
      for (double rho : rhos) optimizers.push_back({method, rho, std::nullopt});
    }
  }
  f.criterion.kind = parse_saddle_criterion(f.criterion_kind);
  const std::vector<double> lrs = parse_range(f.lrs, "--lrs").values();
  for (double lr : lrs) {
    if (!(lr > 0.0)) throw UsageError(flag_value("--lrs", f.lrs) + ": learning rates must be > 0");
  }
  if (f.starts < 1) throw UsageError("--starts = " + std::to_string(f.starts) + ": must be >= 1");
  if (f.iterations < 1)
    throw UsageError("--iters = " + std::to_string(f.iterations) + ": must be >= 1");
  f.criterion.validate();
  // Under a launcher the (optimizer, lr) cells are dealt to ranks; rank 0 writes.
  join_distributed(f.dist, c10::Device(c10::kCPU));
  choose_parallel_mode(static_cast<int64_t>(optimizers.size() * lrs.size()));
  const Runtime runtime =
      configure_runtime({f.common.threads, f.seed, c10::Device(c10::kCPU), c10::kDouble});
  Provenance provenance;
  provenance.set("seed", std::to_string(f.seed));
  provenance.set("threads", std::to_string(runtime.threads));
  provenance.set("dtype", "float64");
  provenance.set("device", "cpu");
  for (const auto& [key, value] : distributed_provenance()) provenance.set(key, value);
  H5Writer writer(f.common.out);

  const SaddleSweep sweep = saddle_sweep(optimizers, lrs, saddle_starts(f.starts, f.seed),
                                         f.iterations, f.criterion, runtime.threads);

  std::string table = "success rate (" + f.criterion_kind + " criterion) at " +
                      std::to_string(lrs.size()) + " learning rates, " + std::to_string(f.starts) +
                      " starts, " + std::to_string(f.iterations) + " iterations\n" +
                      label("optimizer", 22);
  const std::vector<size_t> shown = {0, lrs.size() / 4, lrs.size() / 2, 3 * lrs.size() / 4,
                                     lrs.size() - 1};
  for (size_t l : shown) table += label("lr " + cell(lrs[l], 0), 12);
  table += "\n";
  for (size_t o = 0; o < optimizers.size(); ++o) {
    table += label(optimizers[o].label(), 22);
    for (size_t l : shown) table += cell(sweep.success_rate(o, l), 12);
    table += "\n";
  }
  write_result(writer, sweep);
  finish(writer, provenance,
         {{"optimizers", f.optimizers},
          {"rho", f.rhos},
          {"lrs", f.lrs},
          {"starts", std::to_string(f.starts)},
          {"iters", std::to_string(f.iterations)},
          {"criterion", f.criterion_kind},
          {"tol", number_text(f.criterion.tol)},
          {"grad_tol", number_text(f.criterion.grad_tol)}},
         f.common, table);
}

struct ValleyFlags {
  std::string loss = "linex";
  ValleyParameters parameters;
  std::string rhos;
  std::string grid;
  ToyCommon common;
};

void run_valley(const ValleyFlags& f) {
  const ValleyLoss loss = valley_loss(parse_valley_kind(f.loss), f.parameters);
  const std::string rho_text = !f.rhos.empty()          ? f.rhos
                               : f.loss == "sextic"     ? "0.1,0.2,0.3"
                               : f.loss == "asymmetric" ? "0.25,0.5,1"
                                                        : "1,2,4";
  const std::vector<double> rhos = parse_number_list(rho_text, "--rho", 0.0);
  const std::string grid_text =
      !f.grid.empty() ? f.grid
                      : number_text(loss.grid_start) + ":" + number_text(loss.grid_stop) + ":4001";
  const std::vector<double> w = parse_range(grid_text, "--grid").values();
  if (w.size() < 3) throw UsageError(flag_value("--grid", grid_text) + ": needs at least 3 points");
  Provenance provenance;
  provenance.set("dtype", "float64");
  H5Writer writer(f.common.out);

  const ValleyCurves curves = valley_curves(loss, rhos, w);

  std::string table = "minima of L: ";
  for (const ValleyMinimum& m : curves.minima) table += cell(m.w, 0) + " ";
  table += "\n" + label("rho", 8) + label("min of L~", 16) + label("shift", 16) +
           label("shift/rho", 16) + "\n";
  for (size_t i = 0; i < rhos.size(); ++i) {
    for (size_t k = 0; k < curves.sam_minima[i].size(); ++k) {
      table += cell(rhos[i], 8) + cell(curves.sam_minima[i][k].w, 16) +
               cell(curves.shifts[i][k], 16) +
               cell(rhos[i] > 0.0 ? curves.shifts[i][k] / rhos[i] : 0.0, 16) + "\n";
    }
  }
  if (loss.steepness > 0.0) {
    const double c = loss.steepness;
    table += "002 Lemma 7.1.4: the minimum of L~ lies in [(c-1) rho/(c+1), rho) = ";
    for (double rho : rhos)
      table += "[" + cell((c - 1.0) / (c + 1.0) * rho, 0) + ", " + cell(rho, 0) + ") ";
    table += "\n";
  }
  write_result(writer, curves);
  finish(writer, provenance,
         {{"loss", f.loss},
          {"alpha", f.loss == "linex" ? number_text(f.parameters.alpha) : ""},
          {"rho", rho_text},
          {"grid", grid_text}},
         f.common, table);
}

struct Valley2dFlags {
  std::string alphas = "-0.3,-0.3";
  std::string rhos = "1,2,4";
  std::string grid = "-8:8:161";
  Valley2dOptions options;
  ToyCommon common;
};

void run_valley2d(Valley2dFlags& f) {
  const std::vector<double> alphas =
      parse_number_list(f.alphas, "--alpha", std::numeric_limits<double>::lowest());
  if (alphas.size() != 2)
    throw UsageError("--alpha = '" + f.alphas + "': needs two values a1,a2 (one per coordinate)");
  f.options.alpha1 = alphas[0];
  f.options.alpha2 = alphas[1];
  f.options.rhos = parse_number_list(f.rhos, "--rho", 0.0);
  f.options.w1 = f.options.w2 = parse_range(f.grid, "--grid").values();
  Provenance provenance;
  provenance.set("dtype", "float64");
  H5Writer writer(f.common.out);

  const Valley2dResult result = valley2d(f.options);

  std::string table = "minimum of L: (0, 0)\n" + label("rho", 8) + label("w1 of min L~", 16) +
                      label("w2 of min L~", 16) + label("L~ there", 16) + "\n";
  for (size_t i = 0; i < f.options.rhos.size(); ++i) {
    const Valley2dPoint& m = result.sam_minima[i];
    table +=
        cell(f.options.rhos[i], 8) + cell(m.w1, 16) + cell(m.w2, 16) + cell(m.value, 16) + "\n";
  }
  write_result(writer, result);
  finish(writer, provenance, {{"alpha", f.alphas}, {"rho", f.rhos}, {"grid", f.grid}}, f.common,
         table);
}

}  // namespace

void register_toy(CLI::App& app) {
  CLI::App* toy = app.add_subcommand(
      "toy", "Toy problems: the saddle of 003 Fig. 4, the valleys of 002 Figs. 3.1, 3.2 and 7.1");
  toy->require_subcommand(1);

  auto s = std::make_shared<SaddleFlags>();
  CLI::App* saddle = toy->add_subcommand("saddle",
                                         "Success rate vs learning rate of GD, SAM, StableSAM on "
                                         "x1^4/4 - x1 x2 + x2^2/2 (003 Fig. 4)");
  saddle->footer(
      "Examples:\n"
      "  sharpscope toy saddle\n"
      "  sharpscope toy saddle --rho 0.2 --lrs 0.01:0.3:30:log --starts 2000 --criterion distance "
      "--tol 0.3\n"
      "Criteria, outcomes and layout: docs/dynamics.md");
  saddle
      ->add_option("--optimizers", s->optimizers,
                   "gd, sam, stablesam (SAM variants once per radius)")
      ->capture_default_str();
  saddle->add_option("--rho", s->rhos, "Radii of SAM and StableSAM")->capture_default_str();
  saddle->add_option("--lrs", s->lrs, "Learning rates start:stop:count[:log]")
      ->capture_default_str();
  saddle->add_option("--starts", s->starts, "Starting points, uniform in [-2,2]^2")
      ->capture_default_str();
  saddle->add_option("--iters", s->iterations, "Updates per run")->capture_default_str();
  saddle->add_option("--criterion", s->criterion_kind, "basin | distance")->capture_default_str();
  saddle->add_option("--tol", s->criterion.tol, "distance: radius around a minimum")
      ->capture_default_str();
  saddle->add_option("--grad-tol", s->criterion.grad_tol, "basin: largest gradient norm at the end")
      ->capture_default_str();
  saddle->add_option("--seed", s->seed, "Seed of the starting points")->capture_default_str();
  add_toy_common(*saddle, s->common, "saddle.h5");
  add_distributed_options(*saddle, s->dist, /*parallel=*/false);
  saddle->callback([s] { run_saddle(*s); });

  auto v = std::make_shared<ValleyFlags>();
  CLI::App* valley = toy->add_subcommand("valley",
                                         "L and the SAM objective max_{|e|<=rho} L(w+e) on 1-D "
                                         "valleys, and their minima (002 Fig. 3.1)");
  valley->footer(
      "Examples:\n"
      "  sharpscope toy valley --loss linex --rho 1,2,4\n"
      "  sharpscope toy valley --loss sextic --rho 0.1,0.2,0.3\n"
      "  sharpscope toy valley --loss asymmetric --slope 1 --steepness 3 --rho 0.5   (002 Fig. "
      "7.1)");
  valley
      ->add_option("--loss", v->loss,
                   "sextic (symmetric) | linex (asymmetric) | quadratic | asymmetric "
                   "(piecewise linear, 002 Fig. 7.1)")
      ->capture_default_str();
  valley->add_option("--alpha", v->parameters.alpha, "LINEX alpha in e^{alpha w} - alpha w - 1")
      ->capture_default_str();
  valley
      ->add_option("--slope", v->parameters.slope,
                   "asymmetric: slope p of the flat side (L = p w for w >= 0)")
      ->capture_default_str();
  valley
      ->add_option("--steepness", v->parameters.steepness,
                   "asymmetric: c >= 1, the steep side's slope is -c p")
      ->capture_default_str();
  valley->add_option("--rho", v->rhos,
                     "Radii (default sextic 0.1,0.2,0.3; linex 1,2,4; asymmetric 0.25,0.5,1)");
  valley->add_option("--grid", v->grid, "w grid start:stop:count (default per loss, 4001 points)");
  add_toy_common(*valley, v->common, "valley.h5");
  valley->callback([v] { run_valley(*v); });

  auto v2 = std::make_shared<Valley2dFlags>();
  CLI::App* valley2d_cmd =
      toy->add_subcommand("valley2d",
                          "L = linex(w1) + linex(w2) on R^2, its SAM objective over the l2 disk, "
                          "and their minima (002 Fig. 3.2)");
  valley2d_cmd->footer(
      "Examples:\n"
      "  sharpscope toy valley2d --alpha -0.3,-0.3 --rho 1,2,4\n"
      "  sharpscope toy valley2d --alpha -0.3,0.6 --rho 2 --grid -6:6:121\n"
      "Layout and math: docs/dynamics.md, docs/math.md §9");
  valley2d_cmd->add_option("--alpha", v2->alphas, "LINEX alpha of w1 and of w2 (a1,a2; != 0)")
      ->capture_default_str();
  valley2d_cmd->add_option("--rho", v2->rhos, "Radii of the disk")->capture_default_str();
  valley2d_cmd->add_option("--grid", v2->grid, "Grid of each coordinate start:stop:count")
      ->capture_default_str();
  valley2d_cmd
      ->add_option("--angles", v2->options.angles,
                   "Angular samples of the circle before the golden-section refinement")
      ->capture_default_str();
  add_toy_common(*valley2d_cmd, v2->common, "valley2d.h5");
  valley2d_cmd->callback([v2] { run_valley2d(*v2); });
}

}  // namespace sharpscope::cli

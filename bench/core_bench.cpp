// Times the two operations every analysis is built from, on Fashion-MNIST:
//   (1) a forward loss evaluation L_S(w) over --examples examples (default 10 000),
//   (2) one full-subset Hessian-vector product over --hvp-examples examples (default 2 048),
// for a zoo architecture, printing one "name seconds" line per measurement (median of repeats).
// bench/run_core_bench.sh runs it beside bench/core_bench.py (the same work in PyTorch) and
// prints the ratios.
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/runtime.h"
#include "sharpscope/core/zoo.h"
#include "sharpscope/data/loader.h"

using namespace sharpscope;

template <class F>
double median_seconds(int repeats, F&& f) {
  f();  // warm-up: first-touch allocations and oneDNN primitive creation
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

int main(int argc, char** argv) {
  CLI::App app{"sharpscope core benchmark"};
  std::string arch = "mlp:500,500";
  int64_t examples = 10000, hvp_examples = 2048, batch = 1024, hvp_batch = 2048;
  int threads = 0, repeats = 5;
  bool default_malloc = false;
  app.add_option("--arch", arch);
  app.add_option("--examples", examples);
  app.add_option("--hvp-examples", hvp_examples);
  app.add_option("--batch-size", batch);
  app.add_option("--hvp-batch-size", hvp_batch);
  app.add_option("--threads", threads);
  app.add_option("--repeats", repeats);
  app.add_flag("--default-malloc", default_malloc, "Leave glibc's mmap threshold as it is");
  CLI11_PARSE(app, argc, argv);

  const Runtime runtime =
      configure_runtime({threads, 0, c10::Device(c10::kCPU), c10::kFloat, !default_malloc});
  const Dataset test = load_dataset(DataSpec{}, Split::kTest, {examples, std::nullopt});
  Model model(make_network(arch, {1, 28, 28, 10}), arch);

  const Objective forward(model, test, {batch});
  const double t_forward = median_seconds(repeats, [&] { forward.evaluate(); });
  const Objective curvature(model, test.slice(0, hvp_examples), {hvp_batch});
  const ParamList v = normalized(clone(model.parameters()));
  const double t_hvp = median_seconds(repeats, [&] { curvature.hvp(v); });
  // The parameter-space primitives a SAM step adds to its passes (docs/math.md §1): ‖g‖, a copy of
  // w.
  const ParamList w = model.parameters();
  double sink = 0.0;
  const double t_norm = median_seconds(repeats * 20, [&] { sink += norm(v); });
  const double t_gram = median_seconds(repeats * 20, [&] { sink += gram(v, w).xy; });
  const double t_clone = median_seconds(repeats * 20, [&] { sink += clone(w).size(); });
  std::printf("arch %s threads %d allocator %s params %lld\nforward %.6f\nhvp %.6f\n", arch.c_str(),
              runtime.threads, default_malloc ? "default" : "tuned",
              static_cast<long long>(numel(w)), t_forward, t_hvp);
  std::printf("norm %.6f\ngram %.6f\nclone %.6f\n", t_norm, t_gram, t_clone + 0.0 * sink);
  return 0;
}

// Where a training step's time goes, in-process (no start-up, loading or evaluation): for each
// gradient rule it times whole take_step calls and, separately, the bare forward-backward pass on
// the same batches, and prints
//   <rule> <ms per step> <passes per step> <ms per pass> <overhead ms>
// where overhead = step − passes × pass − (the base optimizer's update, timed alone). The overhead
// is the parameter-space work of the rule (copies, norms, axpys: docs/math.md §1), the part
// sharpscope controls beyond LibTorch's forward and backward. vs_sgd is the step time over the
// first rule's.
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <memory>

#include "commands/parse.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/runtime.h"
#include "sharpscope/core/zoo.h"
#include "sharpscope/data/loader.h"
#include "sharpscope/optim/base_optimizer.h"
#include "sharpscope/optim/gradient_rule.h"
#include "sharpscope/optim/training_batch.h"
#include "sharpscope/optim/training_step.h"

using namespace sharpscope;

// Milliseconds per call of a block of `calls` calls.
template <class F>
double ms_per_call(int calls, F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) f(i);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
         calls;
}

int main(int argc, char** argv) {
  CLI::App app{"sharpscope training-step benchmark"};
  std::string arch = "mlp:500,500";
  std::vector<std::string> rules{"sgd", "sam", "sam-2"};
  int64_t batch_size = 128;
  int threads = 0, repeats = 5, steps = 50;
  app.add_option("--arch", arch);
  app.add_option("--rules", rules)->delimiter(',');
  app.add_option("--batch-size", batch_size);
  app.add_option("--threads", threads);
  app.add_option("--repeats", repeats);
  app.add_option("--steps", steps);
  CLI11_PARSE(app, argc, argv);

  const Runtime runtime = configure_runtime({threads});
  const Dataset train = load_dataset(DataSpec{}, Split::kTrain, {10000, std::nullopt});
  Model model(make_network(arch, {1, 28, 28, 10}), arch);
  BaseOptimizerOptions sgd;
  sgd.lr = 0.01;
  BaseOptimizer optimizer(model.parameters(), sgd);
  BatchOrder order(train, batch_size, 0, false);

  ParamList gradient;
  for (const at::Tensor& w : model.parameters()) gradient.push_back(torch::full_like(w, 1e-6));
  std::vector<std::unique_ptr<GradientRule>> made;
  for (const std::string& name : rules) {
    RuleOptions options;
    cli::apply_optimizer_name(name, options);
    made.push_back(make_rule(options));
  }
  std::vector<double> passes(rules.size());

  // This VM's speed drifts between seconds: the measurements take turns within every round, and
  // the fastest round of each (the least disturbed, as timeit reports) is compared.
  const auto pass = [&](int step) {
    auto [images, labels] = order.batch(step);
    TrainingBatch batch(model, images, labels, 0.0);
    batch.gradient(0, batch.size());
  };
  const auto update = [&](int) { optimizer.step(gradient, 1e-3); };
  const auto rule_step = [&](size_t r) {
    return [&, r](int step) {
      passes[r] = take_step(model, *made[r], optimizer, order, step, {1e-3, 0.0, 0, steps}).passes;
    };
  };
  std::vector<double> best(rules.size() + 2, std::numeric_limits<double>::infinity());
  for (int round = -1; round < repeats; ++round) {  // round −1 warms up (allocator, oneDNN)
    const auto keep = [&](size_t slot, double ms) {
      if (round >= 0) best[slot] = std::min(best[slot], ms);
    };
    keep(0, ms_per_call(steps, pass));
    keep(1, ms_per_call(steps, update));
    for (size_t r = 0; r < rules.size(); ++r) keep(r + 2, ms_per_call(steps, rule_step(r)));
  }

  std::printf(
      "arch %s batch %lld threads %d, best of %d rounds of %d steps\npass %.3f ms, update %.3f "
      "ms\n",
      arch.c_str(), static_cast<long long>(batch_size), runtime.threads, repeats, steps, best[0],
      best[1]);
  std::printf("%-8s %9s %7s %12s %9s\n", "rule", "step_ms", "passes", "overhead_ms", "vs_sgd");
  for (size_t r = 0; r < rules.size(); ++r) {
    const double step_ms = best[r + 2];
    std::printf("%-8s %9.3f %7.0f %12.3f %9.2f\n", rules[r].c_str(), step_ms, passes[r],
                step_ms - passes[r] * best[0] - best[1], step_ms / best[2]);
  }
  return 0;
}

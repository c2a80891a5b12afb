#include "sharpscope/io/dynamics_writers.h"

#include <cmath>
#include <limits>

#include "io/axes.h"
#include "sharpscope/dynamics/escape.h"
#include "sharpscope/dynamics/saddle.h"
#include "sharpscope/dynamics/stability.h"
#include "sharpscope/dynamics/valley.h"
#include "sharpscope/dynamics/valley2d.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope {

void write_result(H5Writer& w, const EscapeResult& r) {
  const int64_t configs = static_cast<int64_t>(r.configs.size());
  const int64_t trials = configs > 0 ? static_cast<int64_t>(r.trials[0].size()) : 0;
  const int64_t steps = r.max_steps + 1;
  std::vector<std::string> labels, optimizers;
  std::vector<double> rhos;
  for (const EscapeConfig& c : r.configs) {
    labels.push_back(c.label());
    optimizers.push_back(c.optimizer);
    rhos.push_back(c.rho);
  }
  w.write_strings("configs/label", labels);
  w.write_strings("configs/optimizer", optimizers);
  w.write("configs/rho", rhos, "", "perturbation radius (0 for SGD)");
  w.write("config", index_values(configs), "", "configuration index (configs/*)");
  w.write("trial", index_values(trials), "",
          "trial index; trial k has the same seed in every configuration");
  w.write("step", index_values(steps), "steps", "optimizer steps taken from the minimum");

  std::vector<int64_t> counts, censored;
  std::vector<double> accuracy(static_cast<size_t>(configs * trials * steps),
                               std::numeric_limits<double>::quiet_NaN());
  std::vector<double> mean, stdev, median;
  std::vector<int64_t> censored_total;
  for (int64_t c = 0; c < configs; ++c) {
    for (int64_t k = 0; k < trials; ++k) {
      const EscapeTrial& t = r.trials[c][k];
      counts.push_back(t.steps);
      censored.push_back(t.censored ? 1 : 0);
      for (size_t s = 0; s < t.accuracy.size(); ++s)
        accuracy[(c * trials + k) * steps + s] = t.accuracy[s];
    }
    const EscapeSummary s = summarize(r.trials[c]);
    mean.push_back(s.mean);
    stdev.push_back(s.std);
    median.push_back(s.median);
    censored_total.push_back(s.censored);
  }
  w.write_int("steps", counts, {configs, trials},
              "escape time: steps until accuracy < threshold (max_steps if censored)");
  w.attribute("steps", "axes", std::string("config,trial"));
  w.write_int("censored", censored, {configs, trials},
              "1: never escaped within max_steps (steps is a lower bound)");
  w.attribute("censored", "axes", std::string("config,trial"));
  w.write(
      "accuracy", accuracy, {configs, trials, steps}, {"config", "trial", "step"}, "fraction",
      "evaluation-subset accuracy after each step (step 0 = the minimum); NaN after the escape");
  w.write("summary/mean", mean, {configs}, {"config"}, "steps",
          "mean escape time, censored trials at max_steps");
  w.write("summary/std", stdev, {configs}, {"config"}, "steps",
          "sample standard deviation (n - 1)");
  w.write("summary/median", median, {configs}, {"config"}, "steps", "median escape time");
  w.write_int("summary/censored", censored_total, {configs}, "trials that never escaped");
  w.attribute("/", "result_kind", std::string("escape_time"));
  w.attribute("/", "max_steps", r.max_steps);
}

void write_result(H5Writer& w, const SaddleSweep& r) {
  const int64_t optimizers = static_cast<int64_t>(r.optimizers.size());
  const int64_t lrs = static_cast<int64_t>(r.lrs.size());
  std::vector<std::string> labels, names;
  std::vector<double> rhos;
  for (const SaddleOptimizer& o : r.optimizers) {
    labels.push_back(o.label());
    names.push_back(to_string(o.method));
    rhos.push_back(o.rho);
  }
  w.write("lr", r.lrs, "", "learning rate");
  w.write("optimizer", index_values(optimizers), "", "optimizer index (optimizers/*)");
  w.write_strings("optimizers/label", labels);
  w.write_strings("optimizers/name", names);
  w.write("optimizers/rho", rhos, "", "perturbation radius (0 for GD)");
  std::vector<std::string> outcome_names;
  for (int k = 0; k < kSaddleOutcomes; ++k)
    outcome_names.push_back(to_string(static_cast<SaddleOutcome>(k)));
  w.write_strings("outcome_names", outcome_names);
  w.write("outcome", index_values(kSaddleOutcomes), "", "outcome index (outcome_names)");

  std::vector<double> success;
  for (int64_t o = 0; o < optimizers; ++o) {
    for (int64_t l = 0; l < lrs; ++l) success.push_back(r.success_rate(o, l));
  }
  w.write("success_rate", success, {optimizers, lrs}, {"optimizer", "lr"}, "fraction",
          "runs that ended at a minimum (criterion in the root attributes)");
  w.write_int("outcome_counts", r.counts, {optimizers, lrs, kSaddleOutcomes},
              "runs per final position: minimum, saddle, diverged, other");
  w.attribute("outcome_counts", "axes", std::string("optimizer,lr,outcome"));
  std::vector<double> starts;
  for (const Point2& x : r.starts) starts.insert(starts.end(), x.begin(), x.end());
  w.write("starts", starts, std::vector<int64_t>{static_cast<int64_t>(r.starts.size()), 2}, {}, "",
          "starting points (x1, x2), uniform in [-2, 2]^2, shared by every optimizer and learning "
          "rate");
  w.attribute("/", "result_kind", std::string("saddle_success"));
  w.attribute("/", "function", std::string("f(x1,x2) = x1^4/4 - x1*x2 + x2^2/2"));
  w.attribute("/", "iterations", r.iterations);
  w.attribute("/", "criterion", to_string(r.criterion.kind));
  w.attribute("/", "tol", r.criterion.tol);
  w.attribute("/", "grad_tol", r.criterion.grad_tol);
}

void write_result(H5Writer& w, const ValleyCurves& r) {
  const int64_t points = static_cast<int64_t>(r.w.size());
  const int64_t rhos = static_cast<int64_t>(r.rhos.size());
  w.write("w", r.w, "", "position along the valley");
  w.write("rho", r.rhos, "", "SAM radius");
  w.write("loss", r.loss_values, {points}, {"w"}, "", "L(w)");
  w.write("sam_objective", r.sam_values, {rhos, points}, {"rho", "w"}, "",
          "max over |e| <= rho of L(w + e), exact");
  std::vector<double> minimum_w, minimum_value;
  for (const ValleyMinimum& m : r.minima) {
    minimum_w.push_back(m.w);
    minimum_value.push_back(m.value);
  }
  w.write("minima/w", minimum_w, "", "local minima of L (golden-section refined)");
  w.write("minima/value", minimum_value, "", "L at the minima");
  std::vector<double> rho, sam_w, sam_value, shift;
  for (size_t i = 0; i < r.rhos.size(); ++i) {
    for (size_t k = 0; k < r.sam_minima[i].size(); ++k) {
      rho.push_back(r.rhos[i]);
      sam_w.push_back(r.sam_minima[i][k].w);
      sam_value.push_back(r.sam_minima[i][k].value);
      shift.push_back(r.shifts[i][k]);
    }
  }
  w.write("sam_minima/rho", rho, "", "radius of each minimum of the SAM objective");
  w.write("sam_minima/w", sam_w, "", "local minima of the SAM objective");
  w.write("sam_minima/value", sam_value, "", "SAM objective at its minima");
  w.write("sam_minima/shift", shift, "",
          "w - (nearest minimum of L): SAM's bias, > 0 towards larger w");
  if (r.loss.steepness > 0.0) {
    // 002 Lemma 7.1.4: the minimum of L̃ lies in [(c−1)ρ/(c+1), ρ) for an (r, p, c, 0) valley.
    const double c = r.loss.steepness;
    std::vector<double> lower, upper;
    for (double radius : r.rhos) {
      lower.push_back((c - 1.0) / (c + 1.0) * radius);
      upper.push_back(radius);
    }
    w.write("theorem_interval/lower", lower, {rhos}, {"rho"}, "",
            "(c-1) rho/(c+1): lower end of 002 Lemma 7.1.4's interval for the minimum of L~");
    w.write("theorem_interval/upper", upper, {rhos}, {"rho"}, "",
            "rho: upper end (excluded) of 002 Lemma 7.1.4's interval");
    w.attribute("/", "steepness", c);
  }
  w.attribute("/", "result_kind", std::string("valley"));
  w.attribute("/", "loss", r.loss.name);
}

void write_result(H5Writer& w, const Valley2dResult& r) {
  const Valley2dOptions& o = r.options;
  const int64_t n1 = static_cast<int64_t>(o.w1.size()), n2 = static_cast<int64_t>(o.w2.size());
  const int64_t rhos = static_cast<int64_t>(o.rhos.size());
  w.write("w1", o.w1, "", "first coordinate");
  w.write("w2", o.w2, "", "second coordinate");
  w.write("rho", o.rhos, "", "SAM radius (l2 disk)");
  w.write("loss", r.loss, {n1, n2}, {"w1", "w2"}, "", "L(w1, w2) = linex_a1(w1) + linex_a2(w2)");
  w.write("sam_objective", r.sam, {rhos, n1, n2}, {"rho", "w1", "w2"}, "",
          "max over ||e||_2 <= rho of L(w + e) (on the circle, angular search + golden section)");
  w.write("minimum/w1", std::vector<double>{r.minimum.w1}, "", "minimum of L (w*)");
  w.write("minimum/w2", std::vector<double>{r.minimum.w2}, "", "minimum of L (w*)");
  w.write("minimum/value", std::vector<double>{r.minimum.value}, "", "L(w*)");
  std::vector<double> a, b, value;
  for (const Valley2dPoint& m : r.sam_minima) {
    a.push_back(m.w1);
    b.push_back(m.w2);
    value.push_back(m.value);
  }
  w.write("sam_minima/w1", a, {rhos}, {"rho"}, "", "first coordinate of the minimum of L~");
  w.write("sam_minima/w2", b, {rhos}, {"rho"}, "", "second coordinate of the minimum of L~");
  w.write("sam_minima/value", value, {rhos}, {"rho"}, "", "L~ at its minimum");
  w.attribute("/", "result_kind", std::string("valley2d"));
  w.attribute("/", "alpha1", o.alpha1);
  w.attribute("/", "alpha2", o.alpha2);
}

void write_result(H5Writer& w, const StabilityResult& r) {
  w.attribute("/", "result_kind", std::string("stability"));
  w.attribute("/", "removed_example", r.pair.removed);
  w.attribute("/", "replaced_example", r.pair.replaced);
  w.attribute("/", "train_examples", r.train_examples);
  w.attribute("/", "distance_normalization", std::string("||w_S - w_S'|| / (||w_S|| + ||w_S'||)"));
  std::vector<std::string> names;
  for (const StabilityCurve& c : r.curves) names.push_back(c.optimizer);
  w.write_strings("optimizers", names);
  for (const StabilityCurve& c : r.curves) {
    const std::string g = c.optimizer + "/";
    const int64_t epochs = static_cast<int64_t>(c.epoch.size());
    w.write(g + "epoch", c.epoch, "epochs", "training epochs completed");
    w.write(g + "distance", c.distance, {epochs}, {g + "epoch"}, "", "||w_S - w_S'||");
    w.write(g + "normalized_distance", c.normalized_distance, {epochs}, {g + "epoch"}, "",
            "||w_S - w_S'|| / (||w_S|| + ||w_S'||)");
    const char* sides[2] = {"S", "Sprime"};
    for (int s = 0; s < 2; ++s) {
      const std::string p = g + sides[s] + "/";
      w.write(p + "train_loss", c.train_loss[s], {epochs}, {g + "epoch"}, "nats",
              "mean loss on the training set");
      w.write(p + "test_loss", c.test_loss[s], {epochs}, {g + "epoch"}, "nats",
              "mean loss on the test set");
      w.write(p + "train_accuracy", c.train_accuracy[s], {epochs}, {g + "epoch"}, "fraction",
              "training accuracy");
      w.write(p + "test_accuracy", c.test_accuracy[s], {epochs}, {g + "epoch"}, "fraction",
              "test accuracy");
      w.write(p + "loss_gap", c.loss_gap[s], {epochs}, {g + "epoch"}, "nats",
              "test loss - train loss");
      w.write(p + "error_gap", c.error_gap[s], {epochs}, {g + "epoch"}, "fraction",
              "test error - train error");
    }
  }
}

}  // namespace sharpscope

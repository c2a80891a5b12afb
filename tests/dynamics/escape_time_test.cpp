#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/dynamics/escape.h"
#include "sharpscope/optim/base_optimizer.h"
#include "sharpscope/optim/training_step.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

// A tiny network trained by the trainer's own step to a point with high training accuracy.
struct Minimum {
  Model model = testing::tiny_model(3);
  Dataset data = testing::tiny_dataset(96, 5);
  std::unique_ptr<Objective> evaluation;
  Minimum() {
    BaseOptimizerOptions base;
    base.lr = 0.3;
    BaseOptimizer optimizer(model.parameters(), base);
    const auto rule = make_rule(RuleOptions{});
    BatchOrder order(data, 32, 11, false);
    for (int64_t step = 0; step < 600; ++step)
      take_step(model, *rule, optimizer, order, step, {0.3, 0.0, 11, 600});
    evaluation = std::make_unique<Objective>(model, data);
  }
};

EscapeOptions options(double lr, int64_t max_steps) {
  EscapeOptions o;
  o.lr = lr;
  o.batch_size = 16;
  o.max_steps = max_steps;
  return o;
}

TEST(EscapeTime, StartBelowThresholdIsZeroStepsAndUnreachableIsCensored) {
  Minimum m;
  const double start = m.evaluation->evaluate().accuracy;
  ASSERT_LT(start, 1.0);
  ASSERT_GT(start, 0.6);
  const auto sam = make_rule([] {
    RuleOptions r;
    cli::apply_optimizer_name("sam", r);
    r.ascent.rho = 0.1;
    return r;
  }());
  EscapeOptions above = options(0.05, 30);
  above.threshold = 1.0;  // the start already violates it
  const EscapeTrial zero = run_escape_trial(m.model, m.data, *m.evaluation, *sam, above, 1);
  EXPECT_EQ(zero.steps, 0);
  EXPECT_FALSE(zero.censored);
  EXPECT_EQ(zero.accuracy, std::vector<double>{start});

  EscapeOptions never = options(0.05, 30);
  never.threshold = 0.0;  // accuracy is never below 0
  const EscapeTrial censored = run_escape_trial(m.model, m.data, *m.evaluation, *sam, never, 1);
  EXPECT_EQ(censored.steps, 30);
  EXPECT_TRUE(censored.censored);
  EXPECT_EQ(censored.accuracy.size(), 31u);
  EXPECT_DOUBLE_EQ(censored.accuracy[0], start);
}

// The trial is the trainer's step replayed: an independent loop of take_step with the same seed
// gives the same accuracy after every step, and the count is the first step below the threshold.
TEST(EscapeTime, CountIsTheFirstStepBelowThresholdOfTheTrainersSteps) {
  Minimum m;
  const ParamList start = clone(m.model.parameters());
  RuleOptions r;
  cli::apply_optimizer_name("sam", r);
  r.ascent.rho = 0.5;
  const auto rule = make_rule(r);
  EscapeOptions o = options(2.0, 40);  // a large step: leaves the minimum within a few steps
  o.drop = 0.05;
  const uint64_t seed = trial_seed(0, 4);
  const EscapeTrial trial = run_escape_trial(m.model, m.data, *m.evaluation, *rule, o, seed);
  EXPECT_TRUE(testing::params_equal(m.model.parameters(), start));  // w* restored

  BaseOptimizerOptions base;
  base.lr = 2.0;
  base.momentum = 0.0;
  BaseOptimizer optimizer(m.model.parameters(), base);
  BatchOrder order(m.data, 16, seed, false);
  const double threshold = m.evaluation->evaluate().accuracy - 0.05;
  int64_t expected = -1;
  for (int64_t step = 0; step < 40 && expected < 0; ++step) {
    take_step(m.model, *rule, optimizer, order, step, {2.0, 0.0, seed, 40});
    const double accuracy = m.evaluation->evaluate().accuracy;
    ASSERT_EQ(trial.accuracy.at(static_cast<size_t>(step + 1)), accuracy) << "step " << step + 1;
    if (accuracy < threshold) expected = step + 1;
  }
  ASSERT_GT(expected, 0) << "the replay never escaped: the test needs a case that does";
  EXPECT_EQ(trial.steps, expected);
  EXPECT_FALSE(trial.censored);
  assign(m.model.parameters(), start);
  // Same seed, same count.
  EXPECT_EQ(run_escape_trial(m.model, m.data, *m.evaluation, *rule, o, seed).accuracy,
            trial.accuracy);
}

TEST(EscapeTime, SummaryCountsCensoredTrialsAtTheBudget) {
  std::vector<EscapeTrial> trials{{1, false, {}}, {2, false, {}}, {3, false, {}}, {10, true, {}}};
  const EscapeSummary s = summarize(trials);
  EXPECT_DOUBLE_EQ(s.mean, 4.0);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt((9.0 + 4.0 + 1.0 + 36.0) / 3.0));
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_EQ(s.censored, 1);
  EXPECT_EQ(s.trials, 4);
}

// The optimizers of a sweep as the command parses --optimizer.
std::vector<NamedRule> named(const std::vector<std::string>& names) {
  std::vector<NamedRule> rules;
  for (const std::string& name : names) {
    rules.push_back({name, RuleOptions{}});
    cli::apply_optimizer_name(name, rules.back().rule);
  }
  return rules;
}

TEST(EscapeTime, SgdRunsOnceAtRhoZeroAndSamOncePerRadius) {
  const std::vector<EscapeConfig> configs =
      escape_configs(named({"sgd", "sam", "stablesam"}), {0.0, 0.05, 0.1});
  ASSERT_EQ(configs.size(), 5u);
  EXPECT_EQ(configs[0].label(), "SGD");
  EXPECT_EQ(configs[0].rule.variant, Variant::kSgd);
  EXPECT_EQ(configs[1].label(), "SAM (rho=0.05)");
  EXPECT_DOUBLE_EQ(configs[2].rule.ascent.rho, 0.1);
  EXPECT_TRUE(configs[4].rule.stable);
  EXPECT_THROW(escape_configs(named({"adam"}), {0.1}), UsageError);
  EscapeOptions both;
  both.threshold = 0.9;
  both.drop = 0.1;
  EXPECT_THROW(both.validate(), UsageError);
}

}  // namespace
}  // namespace sharpscope

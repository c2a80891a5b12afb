#include "sharpscope/optim/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "sharpscope/core/checkpoint.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/runtime.h"
#include "sharpscope/core/zoo.h"
#include "sharpscope/data/dataset.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/partial_grid.h"
#include "sharpscope/io/progress.h"
#include "sharpscope/io/provenance.h"
#include "sharpscope/io/train_log_writer.h"
#include "sharpscope/io/version.h"
#include "sharpscope/optim/random_streams.h"
#include "sharpscope/optim/training_step.h"

namespace sharpscope {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// <dir>/<stem>.<tag>.pt beside the final checkpoint.
std::string sibling(const std::string& out, const std::string& tag) {
  const std::filesystem::path path(out);
  return (path.parent_path() / (path.stem().string() + "." + tag + path.extension().string()))
      .string();
}

bool augmentation_on(const TrainOptions& o, const DataSpec& spec) {
  if (o.augment == "auto") return spec.kind == "cifar10" || spec.kind == "cifar100";
  return o.augment == "on";
}

Evaluation evaluate_on(Model& model, const Dataset& data, double label_smoothing) {
  ObjectiveOptions options;
  options.label_smoothing = label_smoothing;
  return Objective(model, data, options).evaluate();
}

// Everything that drives one run: data, model, optimizer, rule, schedule and the log so far.
struct Run {
  const TrainOptions& o;
  Runtime runtime;
  DataSpec spec;
  Dataset train_data, test_data, eval_train_data;
  InputShape shape;
  bool augment = false;
  int64_t steps_per_epoch = 0, total_steps = 0, start_step = 0;
  LrSchedule schedule;
  TrainLog log;
  double wall_offset = 0.0;
  std::string status = "completed";

  explicit Run(const TrainOptions& options) : o(options) {}

  double passes() const { return log.steps.empty() ? 0.0 : log.steps.back().passes; }

  Metadata metadata(const RuleOptions& rule, int64_t step) const {
    Metadata m;
    m["input_shape"] = to_string(shape);
    m["data"] = spec.text;
    m["data_name"] = train_data.name;
    m["normalization"] = train_data.normalization;
    m["train_examples"] = std::to_string(train_data.size());
    m["optimizer"] = rule.describe();
    m["variant"] = rule.variant;
    m["rho"] = number_text(rule.ascent.rho);
    m["ascent_steps"] = std::to_string(rule.ascent.steps);
    m["base_optimizer"] = o.base.describe();
    m["lr"] = number_text(o.base.lr);
    m["lr_schedule"] = schedule.describe();
    m["batch_size"] = std::to_string(o.batch_size);
    m["label_smoothing"] = number_text(o.label_smoothing);
    m["label_noise"] = number_text(o.label_noise);
    m["augment"] = augment ? "crop4+flip" : "none";
    m["seed"] = std::to_string(o.seed);
    m["threads"] = std::to_string(runtime.threads);
    m["dtype"] = dtype_name(runtime.dtype);
    m["step"] = std::to_string(step);
    m["epoch"] = number_text(static_cast<double>(step) / static_cast<double>(steps_per_epoch));
    m["steps_per_epoch"] = std::to_string(steps_per_epoch);
    m["total_steps"] = std::to_string(total_steps);
    m["passes"] = number_text(passes());
    m["status"] = status;
    m["trainer.signature"] = o.signature();
    m["tool_version"] = tool_version();
    m["command"] = process_command_line();
    if (!log.epochs.empty()) {
      const EpochRecord& e = log.epochs.back();
      m["metrics.train_loss"] = number_text(e.train_loss);
      m["metrics.train_accuracy"] = number_text(e.train_accuracy);
      m["metrics.test_loss"] = number_text(e.test_loss);
      m["metrics.test_accuracy"] = number_text(e.test_accuracy);
      m["metrics.at_step"] = number_text(e.step);
    }
    return m;
  }
};

void check_resume_signature(const Model& model, const TrainOptions& o) {
  const auto it = model.metadata().find("trainer.signature");
  if (it == model.metadata().end()) {
    throw InputError(o.resume +
                     ": not a trainer checkpoint with resume state (no trainer.signature)");
  }
  if (it->second != o.signature()) {
    throw UsageError("--resume = '" + o.resume +
                     "': the checkpoint was trained with other options:\n  checkpoint: " +
                     it->second + "\n  now:        " + o.signature());
  }
}

}  // namespace

void TrainOptions::validate() const {
  if (train_subset < 0)
    throw UsageError("--train-subset = " + std::to_string(train_subset) + ": must be >= 0");
  if (test_subset < 0)
    throw UsageError("--test-subset = " + std::to_string(test_subset) + ": must be >= 0");
  if (eval_train_subset < 0) {
    throw UsageError("--eval-train-subset = " + std::to_string(eval_train_subset) +
                     ": must be >= 0");
  }
  if (batch_size <= 0)
    throw UsageError("--batch-size = " + std::to_string(batch_size) + ": must be > 0");
  if (epochs < 1 && steps == 0)
    throw UsageError("--epochs = " + std::to_string(epochs) + ": must be >= 1");
  if (steps < 0) throw UsageError("--train-steps = " + std::to_string(steps) + ": must be >= 0");
  if (!(label_smoothing >= 0.0 && label_smoothing < 1.0)) {
    throw UsageError("--label-smoothing = " + number_text(label_smoothing) + ": must be in [0, 1)");
  }
  if (!(label_noise >= 0.0 && label_noise <= 1.0)) {
    throw UsageError("--label-noise = " + number_text(label_noise) + ": must be in [0, 1]");
  }
  if (augment != "auto" && augment != "on" && augment != "off") {
    throw UsageError("--augment = '" + augment + "': expected auto, on or off");
  }
  if (!(warmup_epochs >= 0.0))
    throw UsageError("--warmup = " + number_text(warmup_epochs) + ": must be >= 0");
  for (double m : lr_milestones) {
    if (!(m > 0.0))
      throw UsageError("--lr-milestones: " + number_text(m) + ": each must be > 0 (epochs)");
  }
  if (!lr_milestones.empty() && lr_schedule != "step") {
    throw UsageError("--lr-milestones: needs --lr-schedule step");
  }
  if (replace_example >= 0 && drop_example < 0)
    throw UsageError("--replace-example: needs --drop-example");
  if (save_every_epochs < 0) {
    throw UsageError("--save-every-epochs = " + std::to_string(save_every_epochs) +
                     ": must be >= 0");
  }
  if (save_every_steps < 0) {
    throw UsageError("--save-every-steps = " + std::to_string(save_every_steps) + ": must be >= 0");
  }
  if (out.empty()) throw UsageError("--out: must name the checkpoint file");
  if (!resume.empty() && !std::filesystem::is_regular_file(resume)) {
    throw InputError("--resume = '" + resume + "': no such checkpoint");
  }
  rule.validate();
  base.validate();
  LrSchedule{lr_schedule, 0, {}, lr_gamma}.validate();
}

std::string TrainOptions::signature() const {
  std::ostringstream out;
  out << "arch=" << arch << " data=" << data << " train_subset=" << train_subset
      << " batch=" << batch_size << " smoothing=" << label_smoothing << " noise=" << label_noise
      << " augment=" << augment << " drop=" << drop_example << " replace=" << replace_example
      << " rule=[" << rule.describe() << "] base=[" << base.describe()
      << "] schedule=" << lr_schedule << " warmup=" << warmup_epochs << " gamma=" << lr_gamma
      << " milestones=";
  for (double m : lr_milestones) out << m << ",";
  out << " seed=" << seed << " dtype=" << dtype << " device=" << device;
  return out.str();
}

std::string TrainOptions::log_path() const {
  if (!log.empty()) return log;
  std::filesystem::path path(out);
  return (path.parent_path() / (path.stem().string() + ".train.h5")).string();
}

std::string epoch_checkpoint(const std::string& out, int64_t epoch) {
  return sibling(out, "epoch" + std::to_string(epoch));
}

std::string TrainResult::brief_report() const {
  char line[320];
  std::snprintf(line, sizeof line,
                "step %lld (epoch %.2f): train loss %.4f acc %.2f%%, test loss %.4f acc %.2f%%; "
                "%.1f steps/s, %.0f passes",
                static_cast<long long>(steps), final.epoch, final.train_loss,
                100.0 * final.train_accuracy, final.test_loss, 100.0 * final.test_accuracy,
                steps_per_second, passes);
  return line;
}

TrainResult train(const TrainOptions& o) {
  o.validate();
  const auto wall_start = Clock::now();
  for (const std::string& file : {o.out, o.log_path()}) {
    const auto directory = std::filesystem::path(file).parent_path();
    if (!directory.empty()) std::filesystem::create_directories(directory);
  }
  Run run(o);
  run.runtime = configure_runtime({o.threads, o.seed, o.device, o.dtype});
  run.spec = parse_data_spec(o.data);
  run.train_data = load_dataset(run.spec, Split::kTrain, {o.train_subset, std::nullopt});
  run.test_data = load_dataset(run.spec, Split::kTest, {o.test_subset, std::nullopt});
  run.train_data.labels = shuffle_labels(run.train_data.labels, o.label_noise, o.seed);
  if (o.drop_example >= 0)
    run.train_data = neighbouring_set(run.train_data, o.drop_example, o.replace_example);
  run.eval_train_data = o.eval_train_subset > 0 && o.eval_train_subset < run.train_data.size()
                            ? run.train_data.slice(0, o.eval_train_subset)
                            : run.train_data;
  run.shape = {run.train_data.channels(), run.train_data.height(), run.train_data.width(),
               run.train_data.num_classes};
  run.augment = augmentation_on(o, run.spec);
  const int64_t n = run.train_data.size();
  run.steps_per_epoch = (n + o.batch_size - 1) / o.batch_size;
  run.total_steps = o.steps > 0 ? o.steps : o.epochs * run.steps_per_epoch;
  const auto epochs_to_steps = [&](double epochs) {
    return static_cast<int64_t>(std::llround(epochs * static_cast<double>(run.steps_per_epoch)));
  };
  run.schedule = {o.lr_schedule, epochs_to_steps(o.warmup_epochs), {}, o.lr_gamma};
  for (double m : o.lr_milestones) run.schedule.milestones.push_back(epochs_to_steps(m));

  torch::serialize::InputArchive optimizer_state;
  Model model = [&] {
    if (o.resume.empty()) return Model(make_network(o.arch, run.shape), o.arch);
    Model loaded = load_checkpoint(o.resume, [&](torch::serialize::InputArchive& archive) {
      archive.read("optimizer", optimizer_state);
      at::Tensor step, wall;
      archive.read("trainer_step", step);
      archive.read("trainer_wall_seconds", wall);
      run.start_step = step.item<int64_t>();
      run.wall_offset = wall.item<double>();
      run.log.load(archive);
    });
    check_resume_signature(loaded, o);
    return loaded;
  }();
  model.to(run.runtime.device, run.runtime.dtype);
  BaseOptimizer optimizer(model.parameters(), o.base);
  if (!o.resume.empty()) optimizer.load(optimizer_state);
  const std::unique_ptr<GradientRule> rule = make_rule(o.rule);

  const auto wall_seconds = [&] { return run.wall_offset + seconds_since(wall_start); };
  const auto save = [&](const std::string& path, int64_t step) {
    model.metadata() = run.metadata(o.rule, step);
    save_checkpoint(path, model, [&](torch::serialize::OutputArchive& archive) {
      torch::serialize::OutputArchive optimizer_archive;
      optimizer.save(optimizer_archive);
      archive.write("optimizer", optimizer_archive);
      archive.write("trainer_step", torch::tensor(step, torch::kLong));
      archive.write("trainer_wall_seconds", torch::tensor(wall_seconds(), torch::kDouble));
      run.log.save(archive);
    });
  };
  const auto write_log = [&](int64_t step) {
    H5Writer writer(o.log_path());
    write_train_log(writer, run.log);
    writer.attributes("/", run.metadata(o.rule, step));
    writer.attribute("/", "result_kind", std::string("train_log"));
    writer.attribute("/", "checkpoint", o.out);
    writer.commit();
  };
  const auto evaluate = [&](int64_t steps_done) {
    const Evaluation train_eval = evaluate_on(model, run.eval_train_data, o.label_smoothing);
    const Evaluation test_eval = evaluate_on(model, run.test_data, o.label_smoothing);
    run.log.epochs.push_back(
        {static_cast<double>(steps_done) / static_cast<double>(run.steps_per_epoch),
         static_cast<double>(steps_done), run.passes(), train_eval.loss, train_eval.accuracy,
         test_eval.loss, test_eval.accuracy, wall_seconds()});
  };

  // Ctrl-C saves a resumable checkpoint at the current step instead of losing the run.
  install_interrupt_handler();
  Progress progress("train " + o.rule.describe(), run.total_steps, o.quiet);
  BatchOrder order(run.train_data, o.batch_size, o.seed, run.augment);
  double train_seconds = 0.0;
  int64_t step = run.start_step;
  for (; step < run.total_steps; ++step) {
    if (interrupt_requested()) {
      save(o.out, step);
      write_log(step);
      throw Interrupted("interrupted at step " + std::to_string(step) + ": checkpoint saved to " +
                        o.out + "; continue with --resume " + o.out);
    }
    const auto step_start = Clock::now();
    const int64_t epoch = step / run.steps_per_epoch;
    const double lr = run.schedule.lr_at(step, run.total_steps, o.base.lr);
    const StepDiagnostics d = take_step(model, *rule, optimizer, order, step,
                                        {lr, o.label_smoothing, o.seed, run.total_steps});
    train_seconds += seconds_since(step_start);

    run.log.steps.push_back({static_cast<double>(step),
                             static_cast<double>(step) / static_cast<double>(run.steps_per_epoch),
                             lr, run.passes() + d.passes, d.loss, d.perturbed_loss, d.gradient_norm,
                             d.ascent_gradient_norm, d.norm_ratio, d.alignment, d.passes,
                             d.sharpness ? 1.0 : 0.0});
    if (!std::isfinite(d.loss)) {
      // Divergence is a result, not a failure: the checkpoint and log record where it happened.
      run.status = "diverged: non-finite batch loss at step " + std::to_string(step);
      ++step;
      break;
    }
    const int64_t done = step + 1;
    const bool epoch_end = done % run.steps_per_epoch == 0;
    if (epoch_end || done == run.total_steps) evaluate(done);
    if (epoch_end && o.save_every_epochs > 0 &&
        (done / run.steps_per_epoch) % o.save_every_epochs == 0) {
      save(epoch_checkpoint(o.out, done / run.steps_per_epoch), done);
    }
    if (o.save_every_steps > 0 && done % o.save_every_steps == 0) {
      save(sibling(o.out, "step" + std::to_string(done)), done);
    }
    char detail[96];
    std::snprintf(detail, sizeof detail, "epoch %lld loss %.4f", static_cast<long long>(epoch + 1),
                  d.loss);
    progress.update(done, detail);
  }
  progress.finish();
  if (run.log.epochs.empty() || run.log.epochs.back().step != static_cast<double>(step))
    evaluate(step);

  save(o.out, step);
  write_log(step);

  TrainResult result;
  result.steps = step;
  result.steps_this_run = step - run.start_step;
  result.passes = run.passes();
  result.train_seconds = train_seconds;
  result.steps_per_second = train_seconds > 0.0 ? result.steps_this_run / train_seconds : 0.0;
  result.final = run.log.epochs.back();
  result.checkpoint = o.out;
  result.log = o.log_path();
  if (run.status != "completed") std::cerr << "sharpscope train: " << run.status << "\n";
  return result;
}

}  // namespace sharpscope

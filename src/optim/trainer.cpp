#include "sharpscope/optim/trainer.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <utility>
#include <vector>

#include "sharpscope/core/atomic_file.h"
#include "sharpscope/core/checkpoint.h"
#include "sharpscope/core/command_line.h"
#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/version.h"
#include "sharpscope/core/zoo.h"
#include "sharpscope/data/neighbouring_set.h"
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

Evaluation evaluate_on(Model& model, const Dataset& data, double label_smoothing) {
  ObjectiveOptions options;
  options.label_smoothing = label_smoothing;
  return Objective(model, data, options).evaluate();
}

// A signature's fields, "key=value" separated by spaces outside [...]: key -> value, in order.
std::vector<std::pair<std::string, std::string>> signature_fields(const std::string& signature) {
  std::vector<std::pair<std::string, std::string>> fields;
  int depth = 0;
  std::string token;
  const auto flush = [&] {
    if (token.empty()) return;
    const size_t equals = token.find('=');
    fields.emplace_back(token.substr(0, equals),
                        equals == std::string::npos ? "" : token.substr(equals + 1));
    token.clear();
  };
  for (char c : signature) {
    depth += c == '[' ? 1 : c == ']' ? -1 : 0;
    if (c == ' ' && depth == 0) {
      flush();
    } else {
      token += c;
    }
  }
  flush();
  return fields;
}

// "batch 128, now 64; seed 1, now 2": the fields that differ between two signatures, on one line.
std::string signature_difference(const std::string& saved, const std::string& now) {
  const auto saved_fields = signature_fields(saved), now_fields = signature_fields(now);
  std::map<std::string, std::string> saved_value(saved_fields.begin(), saved_fields.end());
  std::map<std::string, std::string> now_value(now_fields.begin(), now_fields.end());
  std::string difference;
  const auto add = [&](const std::string& key) {
    const auto a = saved_value.find(key), b = now_value.find(key);
    const std::string was = a == saved_value.end() ? "(none)" : a->second;
    const std::string is = b == now_value.end() ? "(none)" : b->second;
    if (was == is) return;
    difference += (difference.empty() ? "" : "; ") + key + " " + was + ", now " + is;
  };
  for (const auto& field : now_fields) add(field.first);
  for (const auto& field : saved_fields) {
    if (now_value.count(field.first) == 0) add(field.first);
  }
  return difference;
}

void check_resume_signature(const Model& model, const TrainOptions& o) {
  const auto it = model.metadata().find("trainer.signature");
  if (it == model.metadata().end()) {
    throw InputError(o.resume +
                     ": not a trainer checkpoint with resume state (no trainer.signature)");
  }
  if (it->second != o.signature()) {
    throw UsageError("--resume = '" + o.resume +
                     "': the checkpoint was trained with other options (" +
                     signature_difference(it->second, o.signature()) + ")");
  }
}

// Train and test loss and accuracy at the current weights, appended to the log.
void evaluate(TrainingRun& run) {
  const TrainOptions& o = run.options;
  const Evaluation train_eval = evaluate_on(run.model, run.eval_train_data, o.label_smoothing);
  const Evaluation test_eval = evaluate_on(run.model, run.test_data, o.label_smoothing);
  run.log.epochs.push_back(
      {static_cast<double>(run.step) / static_cast<double>(run.steps_per_epoch),
       static_cast<double>(run.step), run.passes(), train_eval.loss, train_eval.accuracy,
       test_eval.loss, test_eval.accuracy, run.wall_seconds()});
}

}  // namespace

std::string to_string(Augment augment) {
  switch (augment) {
    case Augment::kAuto:
      return "auto";
    case Augment::kOn:
      return "on";
    case Augment::kOff:
      return "off";
  }
  return "?";
}

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
  if (!(warmup_epochs >= 0.0))
    throw UsageError("--warmup = " + number_text(warmup_epochs) + ": must be >= 0");
  for (double m : lr_milestones) {
    if (!(m > 0.0))
      throw UsageError("--lr-milestones: " + number_text(m) + ": each must be > 0 (epochs)");
  }
  if (!lr_milestones.empty() && lr_schedule != LrScheduleKind::kStep) {
    throw UsageError("--lr-milestones: needs --lr-schedule step");
  }
  if (replace_example >= 0 && drop_example < 0)
    throw UsageError("--replace-example: needs --drop-example");
  if (sync_bn && sam_sync == SamSync::kLocal) {
    throw UsageError(
        "--sync-bn: needs --sam-sync global (local ascents keep their statistics per rank)");
  }
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
  out << "arch=" << arch << " data=" << data.text << " train_subset=" << train_subset
      << " batch=" << batch_size << " smoothing=" << label_smoothing << " noise=" << label_noise
      << " augment=" << to_string(augment) << " drop=" << drop_example
      << " replace=" << replace_example << " rule=[" << rule.describe() << "] base=["
      << base.describe() << "] schedule=" << to_string(lr_schedule) << " warmup=" << warmup_epochs
      << " gamma=" << lr_gamma << " milestones=";
  for (double m : lr_milestones) out << m << ",";
  out << " seed=" << seed << " dtype=" << dtype_name(dtype) << " device=" << device.str();
  // Local ascents depend on the per-rank batch, hence on the world size; global ones do not.
  if (sam_sync == SamSync::kLocal && world().size() > 1) {
    out << " sam_sync=local world_size=" << world().size();
  }
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

std::string step_checkpoint(const std::string& out, int64_t step) {
  return sibling(out, "step" + std::to_string(step));
}

double TrainingRun::passes() const { return log.steps.empty() ? 0.0 : log.steps.back().passes; }

double TrainingRun::wall_seconds() const { return wall_offset + seconds_since(started); }

std::string TrainingRun::status(bool finished) const {
  if (!finished) return "in progress";
  switch (termination) {
    case Termination::kCompleted:
      return "completed";
    case Termination::kDiverged:
      return "diverged: non-finite batch loss at step " + std::to_string(diverged_at);
    case Termination::kInterrupted:
      return "interrupted";
  }
  return "?";
}

Metadata TrainingRun::metadata(bool finished) const {
  const TrainOptions& o = options;
  Metadata m;
  m["input_shape"] = to_string(shape);
  m["data"] = o.data.text;
  m["data_name"] = train_data.name;
  m["normalization"] = train_data.normalization;
  m["train_examples"] = std::to_string(train_data.size());
  m["optimizer"] = o.rule.describe();
  m["variant"] = to_string(o.rule.variant);
  m["rho"] = number_text(o.rule.ascent.rho);
  m["ascent_steps"] = std::to_string(o.rule.ascent.steps);
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
  m["status"] = status(finished);
  m["trainer.signature"] = o.signature();
  m["tool_version"] = tool_version();
  m["command"] = process_command_line();
  for (const auto& [key, value] : distributed_provenance()) m[key] = value;
  m["sam_sync"] = to_string(o.sam_sync);
  m["sync_bn"] = o.sync_bn ? "true" : "false";
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

void TrainingRun::save(const std::string& path, bool finished) {
  if (!writes_run_files()) return;  // a data-parallel run's checkpoints are its rank 0's
  model.metadata() = metadata(finished);
  save_checkpoint(path, model, [&](torch::serialize::OutputArchive& archive) {
    torch::serialize::OutputArchive optimizer_archive;
    optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
    archive.write("trainer_step", torch::tensor(step, torch::kLong));
    archive.write("trainer_wall_seconds", torch::tensor(wall_seconds(), torch::kDouble));
    log.save(archive);
  });
}

TrainingRun open_training(const TrainOptions& o) {
  o.validate();
  for (const std::string& file : {o.out, o.log_path()}) {
    if (!writes_run_files()) break;  // only the run's rank 0 writes files
    const auto directory = std::filesystem::path(file).parent_path();
    std::error_code ec;
    if (!directory.empty()) std::filesystem::create_directories(directory, ec);
    if (ec) {
      throw OutputError("--out = '" + file + "': cannot create directory '" + directory.string() +
                        "': " + ec.message());
    }
    // Fails now, not after the training, when the file cannot be written (a directory or a device
    // by that name, no write permission); also clears leftovers of killed runs.
    AtomicFile probe(file);
  }
  const Runtime runtime = configure_runtime({o.threads, o.seed, rank_device(o.device), o.dtype});
  Dataset train_data = load_dataset(o.data, Split::kTrain, {o.train_subset, std::nullopt});
  Dataset test_data = load_dataset(o.data, Split::kTest, {o.test_subset, std::nullopt});
  train_data.labels = shuffle_labels(train_data.labels, o.label_noise, o.seed);
  if (o.drop_example >= 0)
    train_data = neighbouring_set(train_data, o.drop_example, o.replace_example);
  const InputShape shape{train_data.channels(), train_data.height(), train_data.width(),
                         train_data.num_classes};

  torch::serialize::InputArchive optimizer_state;
  int64_t start_step = 0;
  double wall_offset = 0.0;
  TrainLog log;
  Model model = [&] {
    if (o.resume.empty()) return Model(make_network(o.arch, shape), o.arch);
    Model loaded = load_checkpoint(o.resume, [&](torch::serialize::InputArchive& archive) {
      archive.read("optimizer", optimizer_state);
      at::Tensor step, wall;
      archive.read("trainer_step", step);
      archive.read("trainer_wall_seconds", wall);
      start_step = step.item<int64_t>();
      wall_offset = wall.item<double>();
      log.load(archive);
    });
    check_resume_signature(loaded, o);
    return loaded;
  }();
  model.to(runtime.device, runtime.dtype);
  if (o.sync_bn) synchronize_batch_norm(*model.network(), true);
  // DDP starts every rank from rank 0's weights and BatchNorm statistics.
  Communicator& ranks = data_communicator();
  if (ranks.size() > 1) {
    ParamList state = model.parameters();
    for (const at::Tensor& b : model.buffers()) state.push_back(b);
    broadcast(ranks, state, 0);
  }

  TrainingRun run{o,
                  runtime,
                  std::move(train_data),
                  std::move(test_data),
                  {},
                  shape,
                  false,
                  0,
                  0,
                  start_step,
                  start_step,
                  {},
                  std::move(log),
                  std::move(model)};
  run.eval_train_data = o.eval_train_subset > 0 && o.eval_train_subset < run.train_data.size()
                            ? run.train_data.slice(0, o.eval_train_subset)
                            : run.train_data;
  run.augment = o.augment == Augment::kAuto ? is_cifar(o.data.kind) : o.augment == Augment::kOn;
  run.steps_per_epoch = (run.train_data.size() + o.batch_size - 1) / o.batch_size;
  run.total_steps = o.steps > 0 ? o.steps : o.epochs * run.steps_per_epoch;
  const auto epochs_to_steps = [&](double epochs) {
    return static_cast<int64_t>(std::llround(epochs * static_cast<double>(run.steps_per_epoch)));
  };
  run.schedule = {o.lr_schedule, epochs_to_steps(o.warmup_epochs), {}, o.lr_gamma};
  for (double m : o.lr_milestones) run.schedule.milestones.push_back(epochs_to_steps(m));
  run.optimizer = std::make_unique<BaseOptimizer>(run.model.parameters(), o.base);
  if (!o.resume.empty()) run.optimizer->load(optimizer_state);
  run.rule = make_rule(o.rule);
  run.wall_offset = wall_offset;
  return run;
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

TrainResult train(TrainingRun& run, const std::vector<TrainingCallback*>& callbacks) {
  const TrainOptions& o = run.options;
  Communicator& ranks = data_communicator();
  BatchOrder order(run.train_data, o.batch_size, o.seed, run.augment);
  const auto evaluated = [&] {
    evaluate(run);
    for (TrainingCallback* c : callbacks) c->on_evaluation(run);
  };
  double train_seconds = 0.0;
  const int64_t first_step = run.step;
  run.termination = Termination::kCompleted;
  while (run.step < run.total_steps) {
    const int64_t t = run.step;
    const auto step_start = Clock::now();
    const double lr = run.schedule.lr_at(t, run.total_steps, o.base.lr);
    const StepDiagnostics d =
        take_step(run.model, *run.rule, *run.optimizer, order, t,
                  {lr, o.label_smoothing, o.seed, run.total_steps, o.sam_sync});
    train_seconds += seconds_since(step_start);
    run.log.steps.push_back(
        {static_cast<double>(t), static_cast<double>(t) / static_cast<double>(run.steps_per_epoch),
         lr, run.passes() + d.passes, d.loss, d.perturbed_loss, d.gradient_norm,
         d.ascent_gradient_norm, d.norm_ratio, d.alignment, d.passes, d.sharpness ? 1.0 : 0.0,
         d.exact_surrogate_norm_ratio, d.ascent_inner_excess});
    run.step = t + 1;
    if (!std::isfinite(d.loss)) {
      // Divergence is a result, not a failure: the checkpoint and log record where it happened.
      run.termination = Termination::kDiverged;
      run.diverged_at = t;
      break;
    }
    if (run.step % run.steps_per_epoch == 0 || run.step == run.total_steps) evaluated();
    bool stop = false;
    for (TrainingCallback* c : callbacks) stop = c->on_step(run) == CallbackReturn::kStop || stop;
    if (ranks.size() > 1) {
      // Ranks stop together (a Ctrl-C may reach one rank first), so rank 0 saves a checkpoint
      // every rank could resume from.
      std::vector<double> votes{stop ? 1.0 : 0.0};
      all_reduce_sums(ranks, votes);
      stop = votes[0] > 0.0;
    }
    if (stop && run.step < run.total_steps) {
      run.termination = Termination::kInterrupted;
      break;
    }
  }
  if (run.termination != Termination::kInterrupted &&
      (run.log.epochs.empty() || run.log.epochs.back().step != static_cast<double>(run.step))) {
    evaluated();
  }
  for (TrainingCallback* c : callbacks) c->on_end(run);
  // No rank leaves before rank 0 has written the checkpoint and the log (the next step of a
  // command, e.g. stability, may read them).
  if (ranks.size() > 1) {
    std::vector<double> token{0.0};
    all_reduce_sums(ranks, token);
  }

  TrainResult result;
  result.termination = run.termination;
  result.steps = run.step;
  result.steps_this_run = run.step - first_step;
  result.passes = run.passes();
  result.train_seconds = train_seconds;
  result.steps_per_second = train_seconds > 0.0 ? result.steps_this_run / train_seconds : 0.0;
  if (!run.log.epochs.empty()) result.final = run.log.epochs.back();
  return result;
}

}  // namespace sharpscope

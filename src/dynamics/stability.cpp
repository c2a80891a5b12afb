#include "sharpscope/dynamics/stability.h"

#include <array>
#include <cmath>
#include <filesystem>

#include "sharpscope/core/checkpoint.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/packed_row.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/random.h"
#include "sharpscope/data/loader.h"

namespace sharpscope {
namespace {

const char* const kSideNames[2] = {"S", "Sprime"};

std::string metadata_value(const Model& model, const std::string& key, const std::string& path) {
  const auto it = model.metadata().find(key);
  if (it == model.metadata().end())
    throw InputError(path + ": checkpoint has no '" + key + "' metadata");
  return it->second;
}

double metric(const Model& model, const std::string& key, const std::string& path) {
  return std::stod(metadata_value(model, "metrics." + key, path));
}

// Trains one side unless a finished run with the same options is already there; continues an
// interrupted one.
void train_or_reuse(TrainOptions run, const TrainFunction& train_run) {
  if (std::filesystem::is_regular_file(run.out)) {
    const Model done = Model::load(run.out);
    const auto signature = done.metadata().find("trainer.signature");
    if (signature == done.metadata().end() || signature->second != run.signature()) {
      throw UsageError("--out = '" + std::filesystem::path(run.out).parent_path().string() +
                       "': holds " + run.out +
                       " from other options; remove it or choose another directory");
    }
    const auto step = done.metadata().find("step"), total = done.metadata().find("total_steps");
    if (step != done.metadata().end() && total != done.metadata().end() &&
        step->second == total->second)
      return;
    run.resume = run.out;
  }
  train_run(run);
}

// The curve of one pair of runs, from their per-epoch checkpoints.
StabilityCurve measure_curve(const std::string& optimizer, const std::string (&paths)[2],
                             int64_t epochs) {
  StabilityCurve curve;
  curve.optimizer = optimizer;
  for (int64_t epoch = 1; epoch <= epochs; ++epoch) {
    std::vector<Model> models;
    const std::string files[2] = {epoch_checkpoint(paths[0], epoch),
                                  epoch_checkpoint(paths[1], epoch)};
    // A diverged run stops early (its log says where): the curve ends at its last epoch.
    if (!std::filesystem::is_regular_file(files[0]) || !std::filesystem::is_regular_file(files[1]))
      break;
    for (const std::string& file : files) models.push_back(Model::load(file));
    double raw = 0.0;
    curve.epoch.push_back(static_cast<double>(epoch));
    curve.normalized_distance.push_back(
        normalized_distance(models[0].parameters(), models[1].parameters(), &raw));
    curve.distance.push_back(raw);
    for (int side = 0; side < 2; ++side) {
      const double train_loss = metric(models[side], "train_loss", files[side]);
      const double test_loss = metric(models[side], "test_loss", files[side]);
      const double train_accuracy = metric(models[side], "train_accuracy", files[side]);
      const double test_accuracy = metric(models[side], "test_accuracy", files[side]);
      curve.train_loss[side].push_back(train_loss);
      curve.test_loss[side].push_back(test_loss);
      curve.train_accuracy[side].push_back(train_accuracy);
      curve.test_accuracy[side].push_back(test_accuracy);
      curve.loss_gap[side].push_back(test_loss - train_loss);
      curve.error_gap[side].push_back(train_accuracy - test_accuracy);
    }
  }
  return curve;
}

// A curve's arrays, in the order a point-loop row holds them.
constexpr int kCurveArrays = 15;

template <class Curve>
auto curve_arrays(Curve& c) {
  return std::array<decltype(&c.epoch), kCurveArrays>{&c.epoch,
                                                      &c.distance,
                                                      &c.normalized_distance,
                                                      &c.loss_gap[0],
                                                      &c.loss_gap[1],
                                                      &c.error_gap[0],
                                                      &c.error_gap[1],
                                                      &c.train_loss[0],
                                                      &c.train_loss[1],
                                                      &c.test_loss[0],
                                                      &c.test_loss[1],
                                                      &c.train_accuracy[0],
                                                      &c.train_accuracy[1],
                                                      &c.test_accuracy[0],
                                                      &c.test_accuracy[1]};
}

std::vector<double> pack(const StabilityCurve& curve, int64_t width) {
  RowPacker row(width);
  for (const std::vector<double>* values : curve_arrays(curve)) row.array(*values);
  return std::move(row).row();
}

StabilityCurve unpack(const PointStore& rows, int64_t point, const std::string& optimizer) {
  StabilityCurve curve;
  curve.optimizer = optimizer;
  RowUnpacker row(rows, point);
  for (std::vector<double>* values : curve_arrays(curve)) *values = row.array();
  return curve;
}

}  // namespace

ExamplePair draw_example_pair(int64_t examples, uint64_t seed) {
  if (examples < 2)
    throw UsageError("--train-subset: a stability experiment needs at least 2 examples");
  const uint64_t first = splitmix64(seed), second = splitmix64(first);
  return {static_cast<int64_t>(first % static_cast<uint64_t>(examples)),
          static_cast<int64_t>(second % static_cast<uint64_t>(examples - 1))};
}

double normalized_distance(const ParamList& a, const ParamList& b, double* distance) {
  ParamList difference = clone(a);
  axpy(-1.0, b, difference);
  const double d = norm(difference);
  if (distance) *distance = d;
  const double scale = norm(a) + norm(b);
  return scale > 0.0 ? d / scale : 0.0;
}

StabilityResult run_stability(const StabilityOptions& o, const TrainFunction& train_run) {
  if (o.optimizers.empty())
    throw UsageError("--optimizer: expected at least one name, e.g. sgd,sam,stablesam");
  o.train.validate();
  const std::string directory = o.train.out;
  const Dataset full =
      load_dataset(o.train.data, Split::kTrain, {o.train.train_subset, std::nullopt});

  StabilityResult result;
  result.pair = draw_example_pair(full.size(), o.pair_seed);
  result.train_examples = full.size() - 1;
  // Only once the data and the pair are known good: a refused run leaves no directory behind.
  std::filesystem::create_directories(directory);
  // One point per optimizer, its pair of runs and its curve (core/point_loop.h): under a launcher
  // with at least as many optimizers as ranks each rank trains whole pairs and writes their
  // checkpoints itself; otherwise every run is data-parallel over all ranks.
  const int64_t epochs = o.train.epochs;
  MemoryPoints rows(static_cast<int64_t>(o.optimizers.size()),
                    packed_width(0, std::vector<int64_t>(kCurveArrays, epochs)));
  run_pending_points(rows, "stability", [&](int64_t point) {
    const auto& [name, rule] = o.optimizers[static_cast<size_t>(point)];
    std::string paths[2];
    for (int side = 0; side < 2; ++side) {
      TrainOptions run = o.train;
      run.rule = rule;
      run.steps = 0;
      run.drop_example = result.pair.removed;
      run.replace_example = side == 0 ? -1 : result.pair.replaced;
      run.save_every_epochs = 1;
      run.save_every_steps = 0;
      run.out =
          (std::filesystem::path(directory) / (name + "-" + kSideNames[side] + ".pt")).string();
      run.log.clear();
      train_or_reuse(run, train_run);
      paths[side] = run.out;
    }
    return pack(measure_curve(name, paths, epochs), rows.width());
  });
  for (int64_t point = 0; point < rows.points(); ++point) {
    result.curves.push_back(unpack(rows, point, o.optimizers[static_cast<size_t>(point)].name));
  }
  return result;
}

}  // namespace sharpscope

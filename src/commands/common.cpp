#include "commands/common.h"

#include <filesystem>
#include <iostream>

#include "commands/effective_options.h"
#include "commands/parse.h"
#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/progress.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope::cli {

void add_distributed_options(CLI::App& command, DistributedFlags& f, bool parallel) {
  command
      .add_option("--dist-backend", f.backend,
                  "Under a launcher: gloo | nccl | auto (nccl for --device cuda where built)")
      ->capture_default_str();
  command.add_option("--dist-init", f.init,
                     "Under a launcher: rendezvous at tcp://HOST:PORT or file:///PATH (default: "
                     "a private file on one machine, MASTER_ADDR:MASTER_PORT across machines)");
  command
      .add_option("--dist-timeout", f.timeout,
                  "Under a launcher: seconds to wait for another rank before failing")
      ->capture_default_str();
  if (parallel) {
    command
        .add_option("--parallel", f.parallel,
                    "Under a launcher: split points (grid points, trials) | data (the examples of "
                    "each evaluation) | auto (points when there are at least as many as ranks)")
        ->capture_default_str();
  }
}

void join_distributed(const DistributedFlags& f, const c10::Device& device) {
  DistributedOptions options;
  options.backend = parse_dist_backend(f.backend);
  options.init = f.init;
  options.timeout_seconds = f.timeout;
  options.parallel = parse_parallel_mode(f.parallel);
  start_distributed(options, device);
}

void add_common_options(CLI::App& command, CommonOptions& o, int64_t default_subset) {
  o.subset = default_subset;
  command.add_option("--data", o.data,
                     "Data set: fmnist[:DIR] | mnist:DIR | cifar10:DIR | cifar100:DIR | "
                     "synthetic[:N,C,H,W,K,SEED] (default: the model's own, else fmnist)");
  command.add_option("--split", o.split, "train | test")->capture_default_str();
  command.add_option("--subset", o.subset, "Number of examples, first in file order (0 = all)")
      ->capture_default_str();
  command.add_option("--subset-seed", o.subset_seed, "Draw the subset at random with this seed");
  command
      .add_option("--batch-size", o.batch_size,
                  "Evaluation batch size, or auto (a cache model: small batches for convolutions, "
                  "1024 otherwise): changes speed and memory, never the result beyond float "
                  "rounding")
      ->capture_default_str();
  command
      .add_option("--layout", o.layout,
                  "Input memory layout: auto (channels-last for convolutions on a CPU) | nchw | "
                  "channels-last: changes speed, never the result beyond float rounding")
      ->capture_default_str();
  command.add_option("--label-smoothing", o.label_smoothing, "Cross-entropy label smoothing")
      ->capture_default_str();
  command.add_option("--bn", o.bn, "BatchNorm mode during analysis: eval | train")
      ->capture_default_str();
  command.add_option("--dtype", o.dtype, "float32 | float64")->capture_default_str();
  command.add_option("--device", o.device, "cpu | cuda | cuda:N")->capture_default_str();
  command.add_option("--threads", o.threads, "Intra-op threads (0 = all cores)")
      ->capture_default_str();
  command.add_option("--seed", o.seed, "Seed for every random choice")->capture_default_str();
  command.add_option("--out", o.out, "Output HDF5 file");
  command.add_flag("--quiet,-q", o.quiet, "No progress bars or tables");
  add_distributed_options(command, o.dist);
}

void join_launch(const CommonOptions& o, int64_t points) {
  Progress::set_quiet(o.quiet);
  join_distributed(o.dist, parse_device(o.device));
  choose_parallel_mode(points);
}

Session open_session(const std::string& model_path, const CommonOptions& o, int64_t points) {
  join_launch(o, points);
  const c10::Device device = parse_device(o.device);
  if (o.subset < 0) throw UsageError("--subset = " + std::to_string(o.subset) + ": must be >= 0");
  ObjectiveOptions objective_options;
  const std::optional<int64_t> batch_size = parse_batch_size(o.batch_size);
  objective_options.label_smoothing = o.label_smoothing;
  objective_options.bn = parse_bn_mode(o.bn);
  objective_options.layout = parse_layout(o.layout);
  const Split split = parse_split(o.split);

  Runtime runtime =
      configure_runtime({o.threads, o.seed, rank_device(device), parse_dtype(o.dtype)});
  Model model = Model::load(model_path);
  model.to(runtime.device, runtime.dtype);
  model.require_finite_weights();  // after the cast: 1e300 in float64 is inf in float32

  const auto own_data = model.metadata().find("data");
  DataSpec spec;
  if (!o.data.empty()) {
    spec = parse_data_spec(o.data);
  } else if (own_data != model.metadata().end()) {
    try {
      spec = parse_data_spec(own_data->second, model_path + ": metadata data");
    } catch (const UsageError& e) {
      throw InputError(e.what());  // the file is at fault, not a flag: exit 3
    }
  }
  Subset subset{o.subset, o.subset_seed};
  Dataset data = load_dataset(spec, split, subset);

  Session session{runtime, std::move(model), std::move(data), nullptr, Provenance(), spec};
  const BatchSizeChoice choice =
      batch_size ? BatchSizeChoice{*batch_size, "given"}
                 : choose_batch_size(session.model, session.data, objective_options.layout);
  objective_options.batch_size = choice.size;
  objective_options.validate();
  session.objective = std::make_unique<Objective>(session.model, session.data, objective_options);

  Provenance& p = session.provenance;
  p.set_model(model_path);
  p.set("model_kind", session.model.kind());
  p.set("arch", session.model.arch());
  p.set("parameters", std::to_string(session.model.parameter_count()));
  p.set("data", spec.text);
  p.set("data_name", session.data.name);
  p.set("normalization", session.data.normalization);
  p.set("split", to_string(split));
  p.set("subset", subset.describe());
  p.set("examples", std::to_string(session.data.size()));
  p.set("batch_size", std::to_string(choice.size));
  p.set("batch_size_choice", choice.reason);
  p.set("layout", to_string(session.objective->layout()));
  p.set("label_smoothing", std::to_string(o.label_smoothing));
  p.set("bn_mode", o.bn);
  p.set("seed", std::to_string(runtime.seed));
  p.set("dtype", dtype_name(runtime.dtype));
  p.set("device", runtime.device.str());
  p.set("threads", std::to_string(runtime.threads));
  for (const auto& [key, value] : distributed_provenance()) p.set(key, value);
  return session;
}

std::string output_path(const CommonOptions& o, const std::string& model_path,
                        const std::string& suffix) {
  if (!o.out.empty()) return o.out;
  return std::filesystem::path(model_path).stem().string() + "." + suffix + ".h5";
}

void say(const CommonOptions& o, const std::string& line) {
  if (!o.quiet) std::cout << line << "\n";
}

std::unique_ptr<H5Writer> open_output(const std::string& path) {
  return std::make_unique<H5Writer>(path);
}

void write_preamble(H5Writer& writer, const Provenance& provenance, const Model* model,
                    const Metadata& extra) {
  writer.attributes("/", provenance.finish());
  if (model) {
    for (const auto& [key, value] : model->metadata())
      writer.attribute("/", "model_meta." + key, value);
  }
  writer.attributes("/", option_attributes(extra));
}

Metadata option_attributes(const Metadata& extra) {
  const EffectiveOptions effective = effective_options();
  Metadata attributes;
  for (const auto& [key, value] : effective.options) attributes["option." + key] = value;
  for (const auto& [key, value] : extra) attributes["option." + key] = value;
  attributes["command_path"] = effective.command_path;
  attributes["config"] = effective.config;
  return attributes;
}

void write_preamble(H5Writer& writer, Session& session, const Metadata& extra) {
  write_preamble(writer, session.provenance, &session.model, extra);
}

}  // namespace sharpscope::cli

#pragma once
/// Options every analysis command shares (--data, --split, --subset, --batch-size, --layout,
/// --dtype, --device, --threads, --seed, --out, ...), the session they resolve to (runtime
/// configured, model loaded and moved, data loaded, objective bound, provenance started), and the
/// preamble every command writes into its output.
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/runtime.h"
#include "sharpscope/data/loader.h"
#include "sharpscope/io/provenance.h"

namespace sharpscope {
class H5Writer;
}

namespace sharpscope::cli {

/// The flags of a distributed run (docs/distributed.md); they matter only under a launcher.
struct DistributedFlags {
  std::string backend = "auto";
  std::string init;
  double timeout = 60.0;
  std::string parallel = "auto";
};

/// Adds --dist-backend, --dist-init, --dist-timeout and (with `parallel`) --parallel.
void add_distributed_options(CLI::App& command, DistributedFlags& flags, bool parallel = true);

/// Parses the flags and joins the launch the environment describes (core/distributed.h
/// start_distributed): nothing is opened without launcher variables.
void join_distributed(const DistributedFlags& flags, const c10::Device& device);

struct CommonOptions {
  std::string data;  ///< empty: the model's own data spec (checkpoint metadata), else fmnist
  std::string split = "train";
  int64_t subset = 2048;  ///< 0 = the whole split
  std::optional<uint64_t> subset_seed;
  std::string batch_size = "auto";  ///< a positive integer or auto (choose_batch_size)
  std::string layout = "auto";      ///< auto | nchw | channels-last
  double label_smoothing = 0.0;
  std::string bn = "eval";
  std::string dtype = "float32";
  std::string device = "cpu";
  int threads = 0;
  uint64_t seed = 0;
  std::string out;
  bool quiet = false;
  DistributedFlags dist;
};

/// Adds the shared options to a subcommand. `default_subset` differs per command (info uses all).
void add_common_options(CLI::App& command, CommonOptions& options, int64_t default_subset = 2048);

/// What an analysis works on, resolved once from the options.
struct Session {
  Runtime runtime;
  Model model;
  Dataset data;
  std::unique_ptr<Objective> objective;
  Provenance provenance;
  DataSpec spec;  ///< the data set the session resolved (--data or the model's own)
};

/// Silences progress under --quiet, joins a distributed launch (join_distributed) and chooses its
/// parallel mode for a command whose loop has `points` independent points (open_session does this
/// first; a command whose points each open a session calls it before its loop).
void join_launch(const CommonOptions& options, int64_t points);

/// Joins a distributed launch (join_distributed) and chooses its parallel mode for a command whose
/// loop has `points` independent points (0: none; core/distributed.h choose_parallel_mode), then
/// configures threads/seed/device, loads and moves the model, loads the data (the model's own
/// data set unless --data overrides), binds the objective and records provenance attributes
/// (world_size, dist_backend, parallel and launcher among them).
Session open_session(const std::string& model_path, const CommonOptions& options,
                     int64_t points = 0);

/// Default output path "<model stem>.<suffix>.h5" when --out is not given.
std::string output_path(const CommonOptions& options, const std::string& model_path,
                        const std::string& suffix);

/// Prints a line to stdout unless --quiet.
void say(const CommonOptions& options, const std::string& line);

/// Opens the output first (so an unwritable --out fails before any computation).
std::unique_ptr<H5Writer> open_output(const std::string& path);

/// The command's effective options as output attributes: option.<name> for each (`extra` adding or
/// overriding analysis-derived ones), command_path and config (commands/effective_options.h).
Metadata option_attributes(const Metadata& extra = {});

/// The one preamble of every output file, on its root group: the provenance, the model's checkpoint
/// metadata as model_meta.<key> (when there is a model), the command's effective options as
/// option.<name> with `extra` adding or overriding analysis-derived ones, command_path and config
/// (commands/effective_options.h).
void write_preamble(H5Writer& writer, const Provenance& provenance, const Model* model,
                    const Metadata& extra = {});
/// The same for a session's output.
void write_preamble(H5Writer& writer, Session& session, const Metadata& extra = {});

}  // namespace sharpscope::cli

#pragma once
/// Options every analysis command shares (--data, --split, --subset, --batch-size, --dtype,
/// --device, --threads, --seed, --out, ...) and the session they resolve to: runtime configured,
/// model loaded and moved, data loaded, objective bound, provenance started.
#include <CLI/CLI.hpp>
#include <memory>
#include <optional>
#include <string>

#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/runtime.h"
#include "sharpscope/data/dataset.h"
#include "sharpscope/io/provenance.h"

namespace sharpscope::cli {

struct CommonOptions {
  std::string data;  ///< empty: the model's own data spec (checkpoint metadata), else fmnist
  std::string split = "train";
  int64_t subset = 2048;  ///< 0 = the whole split
  std::optional<uint64_t> subset_seed;
  int64_t batch_size = 1024;
  double label_smoothing = 0.0;
  std::string bn = "eval";
  std::string dtype = "float32";
  std::string device = "cpu";
  int threads = 0;
  uint64_t seed = 0;
  std::string out;
  bool quiet = false;
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

/// Configures threads/seed/device, loads and moves the model, loads the data (the model's own
/// data set unless --data overrides), binds the objective and records provenance attributes.
Session open_session(const std::string& model_path, const CommonOptions& options);

/// Default output path "<model stem>.<suffix>.h5" when --out is not given.
std::string output_path(const CommonOptions& options, const std::string& model_path,
                        const std::string& suffix);

/// Prints a line to stdout unless --quiet.
void say(const CommonOptions& options, const std::string& line);

}  // namespace sharpscope::cli

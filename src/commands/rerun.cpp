// sharpscope rerun OUT.h5 --out NEW.h5: recomputes a result from the options its file records.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands/app.h"
#include "commands/effective_options.h"
#include "commands/flag_value.h"
#include "commands/registry.h"
#include "sharpscope/core/error.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope::cli {
namespace {

struct RerunFlags {
  std::string result;
  std::string out;
  std::vector<std::string> overrides;
};

// Removes the temporary config file however the rerun ends.
struct TemporaryFile {
  std::string path;
  ~TemporaryFile() {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
  }
};

void run_rerun(const RerunFlags& f) {
  std::string command_path, config;
  {
    const H5Reader reader(f.result);
    if (!reader.has_attribute("/", "config") || !reader.has_attribute("/", "command_path")) {
      throw InputError(f.result +
                       ": records no config (written by a sharpscope older than 'rerun')");
    }
    command_path = reader.attribute("/", "command_path");
    config = reader.attribute("/", "config");
  }
  if (std::filesystem::exists(f.out) && std::filesystem::equivalent(f.out, f.result)) {
    throw UsageError(flag_value("--out", f.out) + ": would overwrite the result being rerun");
  }
  const TemporaryFile file{(std::filesystem::temp_directory_path() /
                            ("sharpscope-rerun-" + std::to_string(::getpid()) + ".toml"))
                               .string()};
  {
    std::ofstream out(file.path);
    out << config;
    out.close();  // a full /tmp shows only when the buffer is flushed
    if (!out) throw OutputError(file.path + ": cannot write the recorded config");
  }

  std::vector<std::string> args = {"sharpscope", "--config", file.path};
  std::istringstream words(command_path);
  for (std::string word; words >> word;) args.push_back(word);
  args.insert(args.end(), {"--out", f.out});
  args.insert(args.end(), f.overrides.begin(), f.overrides.end());
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());

  // The recorded command runs in an application of its own; errors reach run() as they would from
  // the command itself, and the outputs record the outer command line (this rerun).
  CLI::App inner;
  build_application(inner);
  set_running_application(&inner);
  inner.parse(static_cast<int>(argv.size()), argv.data());
}

}  // namespace

void register_rerun(CLI::App& app) {
  auto f = std::make_shared<RerunFlags>();
  CLI::App* cmd =
      app.add_subcommand("rerun", "Recompute a result from the options its output file records");
  cmd->footer(
      "Runs the command recorded in RESULT's 'command_path' with the options of its 'config'\n"
      "attribute, writing to --out; flags after -- override recorded ones.\n"
      "Examples:\n"
      "  sharpscope rerun surface.h5 --out surface-again.h5\n"
      "  sharpscope rerun spectrum.h5 --out spectrum-f64.h5 -- --dtype float64");
  cmd->configurable(false);
  cmd->add_option("result", f->result, "A sharpscope output file (.h5)")->required();
  cmd->add_option("--out", f->out, "Output of the recomputed result (must differ from RESULT)")
      ->required();
  cmd->add_option("overrides", f->overrides, "Flags overriding the recorded ones (after --)");
  cmd->callback([f] { run_rerun(*f); });
}

}  // namespace sharpscope::cli

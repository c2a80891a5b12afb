#pragma once
/// The options of the command being run, as every output records them: `command_path`
/// ("landscape interp"), one `option.<name>` value per flag (the long name with '-' as '_'; the
/// value given, or the default), and `config`, the same options as a CLI11 config file (TOML,
/// sections by subcommand) that `sharpscope --config FILE` or `sharpscope COMMAND --config FILE`
/// reads back — `sharpscope rerun OUT.h5` does exactly that.
#include <string>

#include "sharpscope/core/types.h"

namespace CLI {
class App;
}

namespace sharpscope::cli {

/// The application whose parsed command line effective_options() reads; set by run().
void set_running_application(const CLI::App* root);

struct EffectiveOptions {
  std::string command_path;  ///< the subcommand names, space-separated
  Metadata options;          ///< name → value, without the option. prefix
  std::string config;        ///< TOML; options with an empty value are left out (their default)
};

/// The options of the deepest subcommand of the running application's parsed command line.
EffectiveOptions effective_options();

}  // namespace sharpscope::cli

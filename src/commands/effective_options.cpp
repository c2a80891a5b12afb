#include "commands/effective_options.h"

#include <CLI/CLI.hpp>
#include <sstream>

namespace sharpscope::cli {
namespace {

const CLI::App* g_root = nullptr;

// CLI11 writes an unset optional or an empty list as "" or "[]", which its own config reader then
// rejects ("At least 1 required"): such entries mean "the default" and are left out.
std::string without_empty_entries(const std::string& config) {
  std::istringstream in(config);
  std::string line, out;
  while (std::getline(in, line)) {
    const size_t equals = line.find('=');
    if (equals != std::string::npos) {
      const std::string value = line.substr(equals + 1);
      if (value == "\"\"" || value == "\"[]\"" || value == "[]") continue;
    }
    out += line + "\n";
  }
  return out;
}

std::string key_of(const CLI::Option& option) {
  std::string name = !option.get_lnames().empty() ? option.get_lnames().front() : option.get_name();
  for (char& c : name) c = c == '-' ? '_' : c;
  return name;
}

std::string value_of(const CLI::Option& option) {
  if (option.count() == 0) return option.get_default_str();
  std::string joined;
  for (const std::string& result : option.results()) joined += (joined.empty() ? "" : ",") + result;
  return joined;
}

}  // namespace

void set_running_application(const CLI::App* root) { g_root = root; }

EffectiveOptions effective_options() {
  EffectiveOptions out;
  if (!g_root) return out;
  const CLI::App* leaf = g_root;
  while (!leaf->get_subcommands().empty()) {
    leaf = leaf->get_subcommands().front();
    out.command_path += (out.command_path.empty() ? "" : " ") + leaf->get_name();
  }
  for (const CLI::Option* option : leaf->get_options()) {
    if (!option->get_configurable()) continue;  // --help, --config
    out.options[key_of(*option)] = value_of(*option);
  }
  out.config = without_empty_entries(
      g_root->config_to_str(/*default_also=*/true, /*write_description=*/false));
  return out;
}

}  // namespace sharpscope::cli

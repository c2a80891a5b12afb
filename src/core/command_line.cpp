#include "sharpscope/core/command_line.h"

#include <cctype>

namespace sharpscope {
namespace {

std::string& command_line_storage() {
  static std::string line;  // function-local: safe to use from other static initialisers
  return line;
}

// Letters, digits and these never need quoting in a POSIX shell word.
bool shell_safe(const std::string& arg) {
  if (arg.empty()) return false;
  for (unsigned char c : arg)
    if (!std::isalnum(c) && std::string("_-+=.,/:@%^").find(char(c)) == std::string::npos)
      return false;
  return true;
}

std::string shell_quote(const std::string& arg) {
  if (shell_safe(arg)) return arg;
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

std::string joined_command_line(int argc, const char* const* argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + shell_quote(argv[i]);
  return line;
}

void set_process_command_line(const std::string& line) { command_line_storage() = line; }

const std::string& process_command_line() { return command_line_storage(); }

}  // namespace sharpscope

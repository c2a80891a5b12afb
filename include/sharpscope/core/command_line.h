#pragma once
/// The command line of this process, as every output records it (HDF5 provenance, checkpoint
/// metadata).
#include <string>

namespace sharpscope {

/// The full command line, shell-quoted where needed.
std::string joined_command_line(int argc, const char* const* argv);

/// Set once by the command-line application before it runs a command; read by every writer.
void set_process_command_line(const std::string& line);
const std::string& process_command_line();

}  // namespace sharpscope

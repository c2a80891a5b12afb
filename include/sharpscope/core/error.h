#pragma once
/// Error kinds, each with its own process exit code (see src/commands/main.cpp). Messages are one
/// line and name the flag or file at fault together with what was expected.
#include <stdexcept>
#include <string>

namespace sharpscope {

/// A flag has an invalid value ("--rho = -0.1: must be >= 0"). Exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// An input file or data set is missing, unreadable, corrupt or inconsistent with the model.
/// Exit 3.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// An output cannot be written. Exit 4.
struct OutputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A distributed run lost a peer: a rank died, left, hung past --dist-timeout, or could not join
/// (docs/distributed.md). The message names this rank and what happened. Exit 5.
struct DistributedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The user interrupted (SIGINT) a long computation; partial results were saved. Exit 130.
struct Interrupted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace sharpscope

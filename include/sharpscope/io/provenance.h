#pragma once
/// What every output file records about how it was made (attributes of the HDF5 root group).
#include <chrono>
#include <string>

#include "sharpscope/core/types.h"

namespace sharpscope {

/// Hex SHA-256 of a file's bytes; throws InputError when it cannot be read.
std::string sha256_file(const std::string& path);

/// Provenance collects the attributes common to all outputs. Commands add their own keys.
class Provenance {
 public:
  Provenance();  ///< records the start time and tool version
  void set(const std::string& key, const std::string& value);
  /// Model path and its sha256; the hash is computed when first needed (finish() or values()), so
  /// a command that writes no output never reads the file twice.
  void set_model(const std::string& path);
  /// All attributes, with duration_s (since construction) and end time filled in now.
  Metadata finish() const;
  const Metadata& values() const;

 private:
  void hash_model() const;
  mutable Metadata values_;
  mutable std::string unhashed_model_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace sharpscope

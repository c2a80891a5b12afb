#include "sharpscope/io/provenance.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <vector>

#include "io/sha256.h"
#include "sharpscope/core/command_line.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/version.h"

namespace sharpscope {

namespace {

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

}  // namespace

std::string sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read file");
  Sha256 hash;
  // Model checkpoints can be gigabytes: stream them in 1 MiB chunks.
  std::vector<char> chunk(1 << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    hash.update(chunk.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw InputError(path + ": read error while hashing");
  return hash.hex_digest();
}

Provenance::Provenance() : start_(std::chrono::steady_clock::now()) {
  values_["tool_version"] = tool_version();
  values_["start_time"] = utc_now_iso8601();
  values_["hostname"] = host_name();
}

void Provenance::set(const std::string& key, const std::string& value) { values_[key] = value; }

void Provenance::set_model(const std::string& path) {
  values_["model"] = path;
  values_.erase("model_sha256");
  unhashed_model_ = path;
}

void Provenance::hash_model() const {
  if (unhashed_model_.empty()) return;
  values_["model_sha256"] = sha256_file(unhashed_model_);
  unhashed_model_.clear();
}

const Metadata& Provenance::values() const {
  hash_model();
  return values_;
}

Metadata Provenance::finish() const {
  hash_model();
  Metadata all = values_;
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.3f", elapsed.count());
  all["command_line"] = process_command_line();
  all["end_time"] = utc_now_iso8601();
  all["duration_s"] = duration;
  return all;
}

}  // namespace sharpscope

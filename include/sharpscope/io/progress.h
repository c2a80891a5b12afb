#pragma once
/// A one-line progress bar with rate and ETA on stderr. Silent when stderr is not a terminal or
/// when quiet is requested, so logs and CI output stay clean.
#include <chrono>
#include <cstdint>
#include <string>

namespace sharpscope {

class Progress {
 public:
  Progress(std::string label, int64_t total, bool quiet = false);
  ~Progress();
  /// Marks `done` units complete (absolute count) and redraws at most ~10 times a second.
  void update(int64_t done, const std::string& detail = "");
  void finish();
  /// Whether progress is drawn at all (terminal and not quiet).
  bool visible() const { return visible_; }
  /// Global quiet switch set from --quiet.
  static void set_quiet(bool quiet);

 private:
  std::string label_;
  int64_t total_;
  int64_t start_done_ = -1;
  bool visible_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace sharpscope

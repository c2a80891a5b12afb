#pragma once
/// A one-line progress bar with rate and ETA on stderr. Silent when stderr is not a terminal or
/// when quiet is requested, so logs and CI output stay clean, and on every rank but 0 of a
/// distributed run (core/distributed.h).
#include <chrono>
#include <cstdint>
#include <string>

namespace sharpscope {

class Progress {
 public:
  /// `total` units of work; `quiet` silences this bar (the global set_quiet silences all).
  Progress(std::string label, int64_t total, bool quiet = false);
  ~Progress();
  /// Marks `done` units complete (absolute count) and redraws at most ~10 times a second.
  void update(int64_t done, const std::string& detail = "");
  /// Draws the final line with the total time and ends it with a newline. Further calls do nothing.
  void finish();
  /// Whether progress is drawn at all (terminal and not quiet).
  bool visible() const { return visible_; }
  /// Global quiet switch set from --quiet.
  static void set_quiet(bool quiet);

 private:
  /// Units per second since the first update (0 before any progress).
  double rate(std::chrono::steady_clock::time_point now) const;

  std::string label_;
  int64_t total_;
  int64_t start_done_ = -1;  ///< `done` at the first update
  int64_t done_ = 0;
  std::string detail_;
  bool visible_;
  bool drawn_ = false;  ///< a bar is on the terminal line
  bool finished_ = false;
  std::chrono::steady_clock::time_point created_;  ///< for the total time finish() prints
  std::chrono::steady_clock::time_point start_;    ///< time of the first update, for the rate
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace sharpscope

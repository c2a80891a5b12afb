#include "sharpscope/core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/progress_line.h"
#include "sharpscope/core/distributed.h"

namespace sharpscope {

namespace {

bool g_quiet = false;

constexpr int kBarWidth = 20;
constexpr std::chrono::milliseconds kRedrawInterval{100};

double seconds_between(std::chrono::steady_clock::time_point from,
                       std::chrono::steady_clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// "\r" returns to the line start; "\x1b[K" clears what a longer previous line left behind.
void draw(const std::string& line, const char* end) {
  std::fprintf(stderr, "\r%s\x1b[K%s", line.c_str(), end);
  std::fflush(stderr);
}

}  // namespace

std::string format_duration(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  return text;
}

std::string progress_line(const std::string& label, int64_t done, int64_t total, double rate,
                          const std::string& detail) {
  const int filled =
      total > 0 ? static_cast<int>(kBarWidth * std::min(done, total) / total) : kBarWidth;
  std::string line = label + " [" + std::string(filled, '#') +
                     std::string(kBarWidth - filled, '.') + "] " + std::to_string(done) + "/" +
                     std::to_string(total);
  char numbers[64];
  if (rate > 0)
    std::snprintf(numbers, sizeof numbers, " %.1f/s ETA %s", rate,
                  format_duration(std::max<int64_t>(total - done, 0) / rate).c_str());
  else
    std::snprintf(numbers, sizeof numbers, " ?/s ETA ?");
  line += numbers;
  if (!detail.empty()) line += " " + detail;
  return line;
}

Progress::Progress(std::string label, int64_t total, bool quiet)
    : label_(std::move(label)),
      total_(total),
      // Rank 0 alone draws: the others' bars would repeat (or garble) its line.
      visible_(!quiet && !g_quiet && ::isatty(2) && is_output_rank()),
      created_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  // Ends a bar left mid-line (an exception skipped finish()) so the error message starts clean.
  if (drawn_ && !finished_) std::fputc('\n', stderr);
}

void Progress::update(int64_t done, const std::string& detail) {
  if (!visible_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  // The rate is measured from the first update, not from zero: a resumed grid starts part done.
  if (start_done_ < 0) {
    start_done_ = done;
    start_ = now;
  }
  done_ = done;
  detail_ = detail;
  if (drawn_ && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  drawn_ = true;
  draw(progress_line(label_, done_, total_, rate(now), detail_), "");
}

void Progress::finish() {
  if (!visible_ || finished_) return;
  finished_ = true;
  const auto now = std::chrono::steady_clock::now();
  draw(progress_line(label_, done_, total_, rate(now), detail_) + " in " +
           format_duration(seconds_between(created_, now)),
       "\n");
}

double Progress::rate(std::chrono::steady_clock::time_point now) const {
  const double elapsed = seconds_between(start_, now);
  return start_done_ >= 0 && elapsed > 0 ? (done_ - start_done_) / elapsed : 0.0;
}

void Progress::set_quiet(bool quiet) { g_quiet = quiet; }

}  // namespace sharpscope

#include "sharpscope/core/point_loop.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/interrupt.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/progress.h"

namespace sharpscope {

void check_row(const PointStore& store, int64_t point, const std::vector<double>& row) {
  if (point < 0 || point >= store.points() || static_cast<int64_t>(row.size()) != store.width()) {
    throw std::invalid_argument("PointStore::record: point " + std::to_string(point) + " of " +
                                std::to_string(store.points()) + " with " +
                                std::to_string(row.size()) + " values, expected " +
                                std::to_string(store.width()));
  }
}

MemoryPoints::MemoryPoints(int64_t points, int64_t width)
    : points_(points),
      width_(width),
      values_(static_cast<size_t>(points * width), std::numeric_limits<double>::quiet_NaN()),
      done_(static_cast<size_t>(points), 0) {}

int64_t MemoryPoints::completed() const { return std::count(done_.begin(), done_.end(), 1); }

void MemoryPoints::record(int64_t point, const std::vector<double>& row) {
  check_row(*this, point, row);
  std::copy(row.begin(), row.end(), values_.begin() + point * width_);
  done_[point] = 1;
}

namespace {

using Clock = std::chrono::steady_clock;

void run_on_one_rank(PointStore& rows, const std::string& label, const PointFunction& compute,
                     const PointDetail& detail) {
  Progress progress(label, rows.points());
  try {
    for (int64_t i = 0; i < rows.points(); ++i) {
      if (rows.done(i)) continue;
      const std::vector<double> row = compute(i);
      rows.record(i, row);
      progress.update(rows.completed(), detail ? detail(i, row) : std::string());
      if (interrupt_requested()) {
        rows.flush();
        if (!rows.resumable()) throw Interrupted("interrupted");
        throw_if_interrupted(rows.location());
      }
    }
  } catch (...) {
    // A failure at point i must not cost the points before it: they are saved for --resume. When
    // saving fails too (the failure may be a full disk), the first error is the one to report.
    try {
      rows.flush();
    } catch (const std::exception&) {
    }
    throw;
  }
  progress.finish();
}

// Rank 0's rows as one float64 tensor: P done flags, then P × width values.
at::Tensor snapshot(const PointStore& rows) {
  const int64_t p = rows.points(), w = rows.width();
  at::Tensor t = torch::full({p + p * w}, std::numeric_limits<double>::quiet_NaN(), torch::kDouble);
  double* data = t.data_ptr<double>();
  for (int64_t i = 0; i < p; ++i) {
    data[i] = rows.done(i) ? 1.0 : 0.0;
    if (!rows.done(i)) continue;
    for (int64_t c = 0; c < w; ++c) data[p + i * w + c] = rows.value(i, c);
  }
  return t;
}

std::string encode(int64_t point, const std::vector<double>& row) {
  std::string bytes(sizeof(int64_t) + row.size() * sizeof(double), '\0');
  std::memcpy(bytes.data(), &point, sizeof point);
  std::memcpy(bytes.data() + sizeof point, row.data(), row.size() * sizeof(double));
  return bytes;
}

std::pair<int64_t, std::vector<double>> decode(const std::string& bytes, int64_t width) {
  if (bytes.size() != sizeof(int64_t) + static_cast<size_t>(width) * sizeof(double)) {
    throw DistributedError("point loop: a row of " + std::to_string(bytes.size()) +
                           " bytes from the store, expected " + std::to_string(width) +
                           " values (ranks running different sharpscope versions?)");
  }
  int64_t point = 0;
  std::vector<double> row(static_cast<size_t>(width));
  std::memcpy(&point, bytes.data(), sizeof point);
  std::memcpy(row.data(), bytes.data() + sizeof point, row.size() * sizeof(double));
  return {point, row};
}

// While a rank computes, a thread beside it writes an increasing count under its key every
// `interval`, so the other ranks can tell a long point (a training run, a model's whole sharpness)
// from a dead or cut-off rank: only a rank whose state and beat both stand still for --dist-timeout
// is taken for dead. The price: a rank whose process lives but whose point hangs keeps beating, so
// a hang inside a point is not caught by the timeout (a launcher's own time limit is). The store is
// thread-safe (c10d locks each operation).
class Heartbeat {
 public:
  Heartbeat(Communicator& ranks, std::string key, std::chrono::milliseconds interval)
      : thread_([this, &ranks, key = std::move(key), interval] {
          std::unique_lock<std::mutex> lock(mutex_);
          for (int64_t beat = 1; !stop_; ++beat) {
            lock.unlock();
            try {
              ranks.set(key, std::to_string(beat));
            } catch (...) {
              // Beats go on: a store that is gone for good shows up where the main thread next
              // uses it; a passing failure must not make this rank look dead.
            }
            lock.lock();
            wake_.wait_for(lock, interval, [this] { return stop_; });
          }
        }) {}
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;  // last: it starts once the members above exist
};

// A tenth of the timeout, within [0.1 s, 5 s]: several beats fit in any timeout a user sets.
std::chrono::milliseconds beat_interval(double timeout_seconds) {
  const double ms = std::clamp(timeout_seconds * 100.0, 100.0, 5000.0);
  return std::chrono::milliseconds(static_cast<int64_t>(ms));
}

// The point loop over the ranks of a launch (docs/distributed.md, "Point-parallel"): rank 0's
// store says which points are pending; under kPoints each rank takes pending points (from a
// counter in the rendezvous store, or statically), publishes each row to the store and its state
// ("run:<rows>", "end:<rows>", "error:<message>", "interrupted"); rank 0 records the others' rows
// as they arrive, so its store flushes them for --resume. Under kData every rank runs every point
// together (the objective splits each one). At the end rank 0's rows go to every rank.
class RankedLoop {
 public:
  RankedLoop(Communicator& ranks, PointStore& rows, const std::string& label,
             const PointFunction& compute, const PointDetail& detail)
      : ranks_(ranks),
        rows_(rows),
        compute_(compute),
        detail_(detail),
        deal_(parallel_mode() == ParallelMode::kPoints),
        dealing_(distributed_options().dealing),
        prefix_("points/" + std::to_string(++sequence()) + "/"),
        received_(static_cast<size_t>(ranks.size()), 0),
        progress_(label, rows.points()) {}

  void run() {
    at::Tensor agreed = snapshot(rows_);
    ranks_.broadcast(agreed, 0);
    const double* done = agreed.data_ptr<double>();
    for (int64_t i = 0; i < rows_.points(); ++i) {
      if (done[i] == 0.0) pending_.push_back(i);
    }
    completed_ = rows_.points() - static_cast<int64_t>(pending_.size());
    std::optional<Heartbeat> beating;
    if (deal_) {
      beating.emplace(ranks_, key("beat/" + std::to_string(ranks_.rank())),
                      beat_interval(ranks_.timeout_seconds()));
    }
    try {
      compute_pending();
      if (deal_) {
        announce("end:" + std::to_string(mine_));
        wait_for_ranks();
      }
    } catch (const Interrupted&) {
      if (deal_) announce_quietly("interrupted");
      save_on_rank0();
      if (!rows_.resumable()) throw Interrupted("interrupted");
      throw Interrupted("interrupted: partial results saved to " + rows_.location() +
                        "; rerun with --resume to continue");
    } catch (const DistributedError& e) {
      // The others then name the first failure, not this rank's exit that follows it.
      if (deal_) announce_quietly("error:" + std::string(e.what()));
      save_on_rank0();
      throw;
    } catch (const std::exception& e) {
      if (deal_) announce_quietly("error:" + std::string(e.what()));
      save_on_rank0();
      throw;
    }
    at::Tensor result = snapshot(rows_);
    ranks_.broadcast(result, 0);
    if (ranks_.rank() != 0) adopt(result);
    progress_.finish();
  }

 private:
  static int64_t& sequence() {
    static int64_t loops = 0;
    return loops;
  }

  std::string key(const std::string& name) const { return prefix_ + name; }

  // The index into pending_ this rank computes next (>= pending_.size(): none left).
  int64_t claim() {
    if (!deal_) return taken_++;
    if (dealing_ == PointDealing::kStatic) return ranks_.rank() + ranks_.size() * taken_++;
    return ranks_.add(key("next"), 1) - 1;
  }

  void compute_pending() {
    for (int64_t k; (k = claim()) < static_cast<int64_t>(pending_.size());) {
      const int64_t i = pending_[static_cast<size_t>(k)];
      const std::vector<double> row = compute_(i);
      if (ranks_.rank() == 0 || !deal_) {
        rows_.record(i, row);
        ++completed_;
      } else {
        ranks_.set(key("row/" + std::to_string(ranks_.rank()) + "/" + std::to_string(mine_)),
                   encode(i, row));
      }
      ++mine_;
      if (deal_) {
        if (ranks_.rank() != 0) announce("run:" + std::to_string(mine_));
        if (ranks_.rank() == 0) drain();
        watch_peers(/*every=*/std::chrono::milliseconds(500));
      }
      progress_.update(completed_, detail_ ? detail_(i, row) : std::string());
      if (stop_requested()) throw Interrupted("interrupted");
    }
  }

  // Under kData the ranks run in step and must stop at the same point: one tiny all-reduce of the
  // Ctrl-C flags per point. Under kPoints each rank stops on its own and says so in the store.
  bool stop_requested() {
    if (deal_) return interrupt_requested();
    std::vector<double> flag{interrupt_requested() ? 1.0 : 0.0};
    all_reduce_sums(ranks_, flag);
    return flag[0] > 0.0;
  }

  void announce(const std::string& state) {
    ranks_.set(key("state/" + std::to_string(ranks_.rank())), state);
  }

  // Tells the others before leaving; the store may be gone already (rank 0 died): never throws.
  void announce_quietly(const std::string& state) {
    try {
      announce(state.substr(0, 400));
    } catch (...) {
    }
  }

  // Rank 0 records every row the others have published since the last drain.
  void drain() {
    for (int r = 1; r < ranks_.size(); ++r) {
      int64_t& next = received_[static_cast<size_t>(r)];
      while (const auto bytes =
                 ranks_.try_get(key("row/" + std::to_string(r) + "/" + std::to_string(next)))) {
        const auto [point, row] = decode(*bytes, rows_.width());
        rows_.record(point, row);
        ++completed_;
        ++next;
      }
    }
    progress_.update(completed_);
  }

  // Fails fast when another rank failed or was interrupted; at most once per `every`.
  void watch_peers(std::chrono::milliseconds every) {
    const auto now = Clock::now();
    if (now - last_watch_ < every) return;
    last_watch_ = now;
    for (int r = 0; r < ranks_.size(); ++r) {
      if (r == ranks_.rank()) continue;
      const std::optional<std::string> state = ranks_.try_get(key("state/" + std::to_string(r)));
      check_state(r, state);
      check_alive(r, state);
    }
  }

  // A rank of this machine whose process exited before it finished its points.
  void check_alive(int r, const std::optional<std::string>& state) {
    if (state && state->rfind("end:", 0) == 0) return;
    if (ranks_.known_dead(r)) {
      // It may have left because of a failure it announced just before exiting.
      check_state(r, ranks_.try_get(key("state/" + std::to_string(r))));
      throw DistributedError(ranks_.who() + ": rank " + std::to_string(r) +
                             " died (its process exited before finishing its points)");
    }
  }

  void check_state(int r, const std::optional<std::string>& state) {
    if (!state) return;
    if (state->rfind("error:", 0) == 0) {
      std::string what = state->substr(6);
      // Its own message names it already ("rank 1/3: ..."): said once is enough.
      const std::string its_name = "rank " + std::to_string(r) + "/";
      if (what.rfind(its_name, 0) == 0 && what.find(": ") != std::string::npos)
        what = what.substr(what.find(": ") + 2);
      throw DistributedError(ranks_.who() + ": rank " + std::to_string(r) + " failed: " + what);
    }
    if (*state == "interrupted") throw Interrupted("interrupted");
  }

  // Every rank waits until every rank has published all its rows (rank 0 recording them), or
  // fails naming the ranks that gave no sign of life (no row, no beat) for --dist-timeout.
  void wait_for_ranks() {
    const int n = ranks_.size();
    std::vector<std::string> last(static_cast<size_t>(n));  // state and beat, as last seen
    std::vector<Clock::time_point> changed(static_cast<size_t>(n), Clock::now());
    const auto timeout = std::chrono::duration<double>(ranks_.timeout_seconds());
    auto pause = std::chrono::milliseconds(2);
    for (;;) {
      bool finished = true;
      std::string silent;
      for (int r = 0; r < n; ++r) {
        if (r == ranks_.rank()) continue;
        const std::optional<std::string> state = ranks_.try_get(key("state/" + std::to_string(r)));
        check_state(r, state);
        check_alive(r, state);
        const bool ended = state && state->rfind("end:", 0) == 0;
        if (ended && ranks_.rank() == 0 &&
            received_[static_cast<size_t>(r)] < std::stoll(state->substr(4))) {
          finished = false;  // its last rows are in the store but not recorded yet
        }
        if (ended) continue;
        finished = false;
        const auto now = Clock::now();
        const std::optional<std::string> beat = ranks_.try_get(key("beat/" + std::to_string(r)));
        const std::string sign = state.value_or("") + "#" + beat.value_or("");
        if (sign != last[static_cast<size_t>(r)]) {
          last[static_cast<size_t>(r)] = sign;
          changed[static_cast<size_t>(r)] = now;
        } else if (now - changed[static_cast<size_t>(r)] > timeout) {
          silent += (silent.empty() ? "" : ", ") + std::to_string(r);
        }
      }
      if (ranks_.rank() == 0) drain();
      if (finished) return;
      if (!silent.empty()) {
        throw DistributedError(ranks_.who() + ": rank " + silent + " gave no sign of life for " +
                               seconds_text(ranks_.timeout_seconds()) +
                               " s (no point finished, no heartbeat): it died or is cut off");
      }
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, std::chrono::milliseconds(50));
    }
  }

  // A failing loop keeps what reached rank 0 for --resume.
  void save_on_rank0() {
    if (ranks_.rank() != 0) return;
    if (deal_) {
      try {
        drain();
      } catch (...) {
      }
    }
    rows_.flush();
  }

  void adopt(const at::Tensor& result) {
    const int64_t p = rows_.points(), w = rows_.width();
    const double* data = result.data_ptr<double>();
    std::vector<double> row(static_cast<size_t>(w));
    for (int64_t i = 0; i < p; ++i) {
      if (data[i] == 0.0) continue;
      std::copy(data + p + i * w, data + p + (i + 1) * w, row.begin());
      rows_.record(i, row);
    }
  }

  Communicator& ranks_;
  PointStore& rows_;
  const PointFunction& compute_;
  const PointDetail& detail_;
  const bool deal_;
  const PointDealing dealing_;
  const std::string prefix_;
  std::vector<int64_t> pending_;
  std::vector<int64_t> received_;  ///< rank 0: rows recorded from each rank
  int64_t taken_ = 0;              ///< points claimed (static and kData dealing)
  int64_t mine_ = 0;               ///< rows this rank computed
  int64_t completed_ = 0;
  Clock::time_point last_watch_{};
  Progress progress_;
};

}  // namespace

void run_pending_points(PointStore& rows, const std::string& label, const PointFunction& compute,
                        const PointDetail& detail) {
  // Whoever keeps resumable results wants the first Ctrl-C to save them rather than kill.
  install_interrupt_handler();
  Communicator& ranks = world();
  if (ranks.size() == 1) {
    run_on_one_rank(rows, label, compute, detail);
    return;
  }
  RankedLoop(ranks, rows, label, compute, detail).run();
}

}  // namespace sharpscope

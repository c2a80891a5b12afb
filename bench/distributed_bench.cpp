// Measurements of the distributed layer (docs/distributed.md), run as the ranks of a launch by
// bench/distributed_bench.py (or any launcher):
//
//   sharpscope_distributed_bench allreduce [N...]        median time of an all-reduce of N float32
//                                                          values (default 650000 and 11000000)
//   sharpscope_distributed_bench dealing static|queue PROFILE [POINTS] [MEAN_MS]
//       wall time of the point loop (core/point_loop.h) over POINTS points whose costs follow
//       PROFILE (busy CPU work): uniform, ramp (cost grows along the index), alternate (even points
//       cost 5x odd ones: a grid whose columns differ) or random (exponential, seeded). Prints the
//       efficiency Σcost / (ranks · wall).
//
// Rank 0 prints one line per measurement.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "sharpscope/core/distributed.h"
#include "sharpscope/core/point_loop.h"

using namespace sharpscope;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void spin(double seconds) {
  const auto start = Clock::now();
  volatile double sink = 0.0;
  while (seconds_since(start) < seconds) sink = sink + 1.0;
}

int allreduce(const std::vector<int64_t>& sizes) {
  DistributedOptions options;
  start_distributed(options, c10::Device(c10::kCPU));
  Communicator& ranks = world();
  for (int64_t n : sizes) {
    at::Tensor t = torch::ones({n}, torch::kFloat);
    std::vector<double> times;
    for (int i = 0; i < 23; ++i) {
      const auto start = Clock::now();
      ranks.all_reduce_sum(t);
      if (i >= 3) times.push_back(seconds_since(start));  // 3 warm-up rounds
    }
    std::sort(times.begin(), times.end());
    if (ranks.rank() == 0) {
      std::printf("allreduce float32 n=%lld ranks=%d median_ms=%.3f min_ms=%.3f MB/s=%.0f\n",
                  static_cast<long long>(n), ranks.size(), 1e3 * times[times.size() / 2],
                  1e3 * times.front(), 4.0 * n / times[times.size() / 2] / 1e6);
    }
  }
  finish_distributed();
  return 0;
}

std::vector<double> costs(const std::string& profile, int64_t points, double mean) {
  std::vector<double> c(static_cast<size_t>(points), mean);
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> exponential(1.0 / mean);
  for (int64_t i = 0; i < points; ++i) {
    double& v = c[static_cast<size_t>(i)];
    if (profile == "ramp") v = mean * 2.0 * (i + 0.5) / points;
    if (profile == "alternate") v = mean * (i % 2 == 0 ? 5.0 : 1.0) / 3.0;
    if (profile == "random") v = exponential(rng);
  }
  return c;
}

int dealing(const std::string& how, const std::string& profile, int64_t points, double mean_ms) {
  DistributedOptions options;
  options.parallel = ParallelMode::kPoints;
  options.dealing = how == "static" ? PointDealing::kStatic : PointDealing::kQueue;
  start_distributed(options, c10::Device(c10::kCPU));
  choose_parallel_mode(points);
  Communicator& ranks = world();
  const std::vector<double> cost = costs(profile, points, mean_ms / 1000.0);
  double total = 0.0;
  for (double c : cost) total += c;
  MemoryPoints rows(points, 1);
  const auto start = Clock::now();
  run_pending_points(rows, "bench", [&](int64_t i) {
    spin(cost[static_cast<size_t>(i)]);
    return std::vector<double>{static_cast<double>(i)};
  });
  const double wall = seconds_since(start);
  if (ranks.rank() == 0) {
    std::printf(
        "dealing %s profile=%s points=%lld ranks=%d wall_s=%.3f ideal_s=%.3f "
        "efficiency=%.3f\n",
        how.c_str(), profile.c_str(), static_cast<long long>(points), ranks.size(), wall,
        total / ranks.size(), total / ranks.size() / wall);
  }
  finish_distributed();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  torch::set_num_threads(1);
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (!args.empty() && args[0] == "allreduce") {
      std::vector<int64_t> sizes;
      for (size_t i = 1; i < args.size(); ++i) sizes.push_back(std::stoll(args[i]));
      if (sizes.empty()) sizes = {650000, 11000000};
      return allreduce(sizes);
    }
    if (args.size() >= 3 && args[0] == "dealing") {
      return dealing(args[1], args[2], args.size() > 3 ? std::stoll(args[3]) : 200,
                     args.size() > 4 ? std::stod(args[4]) : 20.0);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "distributed_bench: %s\n", e.what());
    return 1;
  }
  std::fprintf(stderr,
               "usage: sharpscope_distributed_bench allreduce [N...] | dealing static|queue "
               "uniform|ramp|alternate|random [POINTS] [MEAN_MS]\n");
  return 2;
}

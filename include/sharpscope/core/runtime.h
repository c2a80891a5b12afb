#pragma once
/// Process-wide execution settings, resolved once before any tensor work: threads, seed, device,
/// dtype and the allocator policy.
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <string>

namespace sharpscope {

struct RuntimeOptions {
  int threads = 0;  ///< 0 = all cores, or cores / local ranks in a distributed launch
  uint64_t seed = 0;
  c10::Device device{c10::kCPU};
  c10::ScalarType dtype = c10::kFloat;  ///< kFloat or kDouble
  /// Keep large blocks on the heap (see configure_runtime). Off only to measure the default
  /// policy in bench/.
  bool tune_allocator = true;
};

struct Runtime {
  c10::Device device{c10::kCPU};
  c10::ScalarType dtype = c10::kFloat;
  int threads = 1;
  uint64_t seed = 0;
};

/// Validates the options (UsageError naming --device/--dtype/--threads: a CUDA device this build or
/// machine lacks, another dtype than float32/float64), sets torch's intra-op
/// thread count, seeds torch's generators and raises glibc's mmap/trim thresholds so large
/// activation buffers are reused instead of page-faulted in afresh on every batch
/// (bench/README.md: 2.5x on a 2048-example CNN forward).
Runtime configure_runtime(const RuntimeOptions& options);

/// "float32" / "float64" (the names outputs record).
std::string dtype_name(c10::ScalarType dtype);

}  // namespace sharpscope

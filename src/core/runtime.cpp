#include "sharpscope/core/runtime.h"

#include <malloc.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>

#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"

namespace sharpscope {

std::string dtype_name(c10::ScalarType dtype) {
  return dtype == c10::kDouble  ? "float64"
         : dtype == c10::kFloat ? "float32"
                                : c10::toString(dtype);
}

namespace {

// The device must exist here: a CUDA device needs a CUDA build of LibTorch and that many GPUs.
void check_device(const c10::Device& device) {
  const std::string text = device.str();
  if (device.is_cuda()) {
    if (!torch::cuda::is_available()) {
      throw UsageError("--device = '" + text +
                       "': no CUDA device is available to this LibTorch build");
    }
    if (device.has_index() && device.index() >= static_cast<int>(torch::cuda::device_count())) {
      throw UsageError("--device = '" + text + "': only " +
                       std::to_string(torch::cuda::device_count()) + " CUDA device(s) present");
    }
  } else if (!device.is_cpu()) {
    throw UsageError("--device = '" + text + "': expected cpu, cuda or cuda:N");
  }
}

// glibc serves every block above the mmap threshold (at most 32 MB) with a fresh mmap and returns
// it on free, so each batch's activations are page-faulted in anew. Keeping all blocks on the heap
// and never trimming it lets the allocator reuse them (bench/README.md, "allocator").
void keep_large_blocks_on_heap() {
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
}

}  // namespace

Runtime configure_runtime(const RuntimeOptions& options) {
  if (options.threads < 0) {
    throw UsageError("--threads = " + std::to_string(options.threads) +
                     ": must be >= 0 (0 = all cores)");
  }
  Runtime runtime;
  if (options.dtype != c10::kFloat && options.dtype != c10::kDouble) {
    throw UsageError("--dtype = '" + dtype_name(options.dtype) + "': expected float32 or float64");
  }
  check_device(options.device);
  runtime.dtype = options.dtype;
  runtime.device = options.device;
  // Ranks launched on one machine share its cores: by default each takes its share, so that
  // torchrun --nproc-per-node 2 on 2 cores runs 2 × 1 threads rather than 2 × 2.
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  const long share = (cores > 0 ? cores : 1) / launch_environment().local_size;
  runtime.threads = options.threads > 0 ? options.threads : static_cast<int>(std::max(1L, share));
  runtime.seed = options.seed;
  if (options.tune_allocator) keep_large_blocks_on_heap();
  torch::set_num_threads(runtime.threads);
  torch::manual_seed(runtime.seed);
  return runtime;
}

}  // namespace sharpscope

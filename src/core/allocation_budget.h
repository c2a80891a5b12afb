#pragma once
// A cap on the CPU memory LibTorch may allocate while one piece of work runs, for work whose size
// comes from untrusted input: a checkpoint's metadata names the network that is built (and only
// then compared with the saved tensors), so a forged "mlp:999999999" would allocate terabytes, or
// a few tens of gigabytes that the kernel overcommits until the OOM killer ends the process.
#include <cstddef>
#include <functional>

namespace sharpscope {

/// Runs `work` with LibTorch's CPU allocator counting every allocation; the first one that takes
/// the total above `max_bytes` throws std::bad_alloc instead of allocating. Frees do not give the
/// budget back: it bounds what the work asks for in all, which for building a network is its
/// parameters and buffers. Single-threaded use only (the allocator is a process-wide setting).
void with_allocation_budget(std::size_t max_bytes, const std::function<void()>& work);

}  // namespace sharpscope

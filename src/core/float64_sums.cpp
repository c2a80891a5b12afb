#include "float64_sums.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <stdexcept>

namespace sharpscope::detail {
namespace {

// Fixed block size: partial sums are formed per block and added in block order, whatever the
// thread count (16 Ki elements: enough blocks to share among threads, few enough to sum cheaply).
constexpr int64_t kBlock = 16384;
// Independent accumulators let the compiler vectorize the loop without reassociating a sum.
constexpr int kLanes = 8;

double lane_total(const double (&lanes)[kLanes]) {
  double total = 0.0;
  for (double lane : lanes) total += lane;
  return total;
}

// One pass over a block forms every selected sum (a Gram triple reads x and y once, not three
// times).
template <class T, bool kXX, bool kYY, bool kXY>
Float64Sums block_sums(const T* x, const T* y, int64_t n) {
  double xx[kLanes] = {}, yy[kLanes] = {}, xy[kLanes] = {};
  const auto accumulate = [&](int lane, int64_t i) {
    const double a = static_cast<double>(x[i]), b = static_cast<double>(y[i]);
    if constexpr (kXX) xx[lane] += a * a;
    if constexpr (kYY) yy[lane] += b * b;
    if constexpr (kXY) xy[lane] += a * b;
  };
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int lane = 0; lane < kLanes; ++lane) accumulate(lane, i + lane);
  }
  for (; i < n; ++i) accumulate(0, i);
  return {lane_total(xx), lane_total(yy), lane_total(xy)};
}

template <class T>
using BlockKernel = Float64Sums (*)(const T*, const T*, int64_t);

template <class T>
BlockKernel<T> kernel_for(SumSelection which) {
  static constexpr BlockKernel<T> kernels[8] = {
      block_sums<T, false, false, false>, block_sums<T, false, false, true>,
      block_sums<T, false, true, false>,  block_sums<T, false, true, true>,
      block_sums<T, true, false, false>,  block_sums<T, true, false, true>,
      block_sums<T, true, true, false>,   block_sums<T, true, true, true>};
  return kernels[4 * which.xx + 2 * which.yy + which.xy];
}

// Tensors this kernel reads directly: CPU float32/float64 pairs of one dtype.
bool direct(const at::Tensor& x, const at::Tensor& y) {
  const auto type = x.scalar_type();
  return x.device().is_cpu() && y.device().is_cpu() && type == y.scalar_type() &&
         (type == at::kFloat || type == at::kDouble);
}

// Anything else (CUDA, half precision, mixed dtypes): convert and let ATen sum on the device.
Float64Sums converted_sums(const at::Tensor& x, const at::Tensor& y, SumSelection which) {
  const at::Tensor wx = x.reshape(-1).to(at::kDouble), wy = y.reshape(-1).to(at::kDouble);
  Float64Sums s;
  if (which.xx) s.xx = at::dot(wx, wx).item<double>();
  if (which.yy) s.yy = at::dot(wy, wy).item<double>();
  if (which.xy) s.xy = at::dot(wx, wy).item<double>();
  return s;
}

struct Block {
  size_t tensor;
  int64_t begin, end;
};

}  // namespace

Float64Sums float64_sums(const ParamList& x, const ParamList& y, SumSelection which) {
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> xs, ys;
  std::vector<Block> blocks;
  Float64Sums total;
  int64_t elements = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (x[i].numel() != y[i].numel()) {
      throw std::invalid_argument("float64_sums: tensor " + std::to_string(i) + " has " +
                                  std::to_string(x[i].numel()) + " and " +
                                  std::to_string(y[i].numel()) + " elements");
    }
    if (!direct(x[i], y[i])) {
      const Float64Sums s = converted_sums(x[i], y[i], which);
      total.xx += s.xx, total.yy += s.yy, total.xy += s.xy;
      continue;
    }
    xs.push_back(x[i].contiguous());
    ys.push_back(y[i].contiguous());
    for (int64_t begin = 0; begin < x[i].numel(); begin += kBlock) {
      blocks.push_back({xs.size() - 1, begin, std::min(begin + kBlock, x[i].numel())});
    }
    elements += x[i].numel();
  }

  const BlockKernel<float> float_kernel = kernel_for<float>(which);
  const BlockKernel<double> double_kernel = kernel_for<double>(which);
  std::vector<Float64Sums> partial(blocks.size());
  auto run = [&](int64_t first, int64_t last) {
    for (int64_t b = first; b < last; ++b) {
      const Block& block = blocks[b];
      const at::Tensor& tx = xs[block.tensor];
      const at::Tensor& ty = ys[block.tensor];
      const int64_t n = block.end - block.begin;
      partial[b] = tx.scalar_type() == at::kFloat
                       ? float_kernel(tx.data_ptr<float>() + block.begin,
                                      ty.data_ptr<float>() + block.begin, n)
                       : double_kernel(tx.data_ptr<double>() + block.begin,
                                       ty.data_ptr<double>() + block.begin, n);
    }
  };
  // Waking the intra-op pool costs more than summing a few blocks.
  if (elements >= 4 * kBlock) {
    at::parallel_for(0, static_cast<int64_t>(blocks.size()), 1, run);
  } else {
    run(0, static_cast<int64_t>(blocks.size()));
  }
  for (const Float64Sums& s : partial) total.xx += s.xx, total.yy += s.yy, total.xy += s.xy;
  return total;
}

}  // namespace sharpscope::detail

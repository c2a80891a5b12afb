#include "core/allocation_budget.h"

#include <c10/core/Allocator.h>

#include <new>

namespace sharpscope {
namespace {

// Forwards to the allocator it replaces; each DataPtr keeps that allocator's deleter, so tensors
// allocated under the budget are freed correctly after it ends.
class BudgetedAllocator final : public c10::Allocator {
 public:
  BudgetedAllocator(c10::Allocator* inner, std::size_t max_bytes)
      : inner_(inner), max_bytes_(max_bytes) {}

  c10::DataPtr allocate(std::size_t n) const override {
    if (n > max_bytes_ - allocated_) throw std::bad_alloc();
    allocated_ += n;
    return inner_->allocate(n);
  }

  c10::DeleterFnPtr raw_deleter() const override { return inner_->raw_deleter(); }

 private:
  c10::Allocator* inner_;
  std::size_t max_bytes_;
  mutable std::size_t allocated_ = 0;
};

}  // namespace

void with_allocation_budget(std::size_t max_bytes, const std::function<void()>& work) {
  c10::Allocator* const inner = c10::GetAllocator(c10::DeviceType::CPU);
  BudgetedAllocator budgeted(inner, max_bytes);
  // Priority 0 is the default CPU allocator's; an allocator registered above it (a profiler's)
  // is left in place, and the work then runs unbudgeted.
  c10::SetAllocator(c10::DeviceType::CPU, &budgeted);
  struct Restore {
    c10::Allocator* inner;
    ~Restore() { c10::SetAllocator(c10::DeviceType::CPU, inner); }
  } restore{inner};
  work();
}

}  // namespace sharpscope

#include "core/untrusted_archive.h"

#include <filesystem>
#include <new>

#include "core/allocation_budget.h"
#include "core/loader_crash_guard.h"
#include "sharpscope/core/error.h"

namespace sharpscope {

void read_untrusted_archive(const std::string& path, const std::function<void()>& read) {
  // Twice the size leaves room for a reader that copies a record once; 64 MiB for what loading
  // allocates besides the records (TorchScript's compiled constants), whatever the file's size.
  const std::uintmax_t file_bytes = std::filesystem::file_size(path);
  const std::size_t budget = 2 * static_cast<std::size_t>(file_bytes) + (std::size_t{64} << 20);
  const LoaderCrashGuard guard(path);
  try {
    with_allocation_budget(budget, read);
  } catch (const std::bad_alloc&) {
    throw InputError(path + ": corrupt model archive: its records declare more than the " +
                     std::to_string(file_bytes) + " bytes the file holds");
  }
}

}  // namespace sharpscope

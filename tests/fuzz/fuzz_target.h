#pragma once
/// The frame shared by the fuzz harnesses of tests/fuzz/harnesses (docs/reliability.md "Fuzzing").
///
/// A harness is written once, as `SHARPSCOPE_FUZZ_TARGET(name) { ... }`, and serves twice:
///  - built by tests/fuzz/CMakeLists.txt with clang's -fsanitize=fuzzer (SHARPSCOPE_LIBFUZZER
///    defined), it becomes `LLVMFuzzerTestOneInput` of the executable fuzz_<name>;
///  - compiled into sharpscope_tests, it is the function `sharpscope_fuzz_<name>` that
///    FuzzRegression.* calls on every seed and kept finding (tests/fuzz/corpus, regressions).
///
/// An input may only end in the error the reader documents (InputError for files, UsageError for
/// flag text), and that error must be one line naming the file or flag. Anything else (another
/// exception type, a broken invariant of what the reader returned, a crash or a sanitizer report)
/// is a finding: fail() throws Finding, which libFuzzer mode turns into abort() and the regression
/// test into a test failure naming the input.
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <typeinfo>

namespace sharpscope::fuzz {

/// A broken expectation of a harness.
struct Finding : std::logic_error {
  using std::logic_error::logic_error;
};

[[noreturn]] inline void fail(const std::string& what) { throw Finding(what); }

/// The error an input ended in must be one non-empty line that contains `must_name` (the file's
/// path or the flag), as docs/foundation.md promises for every error.
inline void expect_one_line(const std::exception& error, const std::string& must_name) {
  const std::string message = error.what();
  if (message.empty()) fail("empty error message");
  if (message.find('\n') != std::string::npos) fail("multi-line error message: " + message);
  if (message.find(must_name) == std::string::npos) {
    fail("error message does not name '" + must_name + "': " + message);
  }
}

/// An anonymous in-memory file (memfd) with a path, /proc/self/fd/N, that every reader can open
/// like any file: each input is written to it in place, with no disk traffic and nothing left
/// behind when a run is killed.
class MemoryFile {
 public:
  explicit MemoryFile(const char* name) : fd_(::memfd_create(name, 0)) {
    if (fd_ < 0) {
      std::fprintf(stderr, "memfd_create: %s\n", std::strerror(errno));
      std::abort();
    }
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  ~MemoryFile() { ::close(fd_); }

  /// Replaces the content with `size` bytes; returns the path.
  const std::string& write(const void* data, size_t size) {
    if (::ftruncate(fd_, 0) != 0) std::abort();
    const auto* bytes = static_cast<const char*>(data);
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::pwrite(fd_, bytes + done, size - done, static_cast<off_t>(done));
      if (n <= 0) std::abort();
      done += static_cast<size_t>(n);
    }
    // Seed making (tests/fuzz/make_seeds.py): a copy of what a harness built.
    if (const char* keep = std::getenv("SHARPSCOPE_FUZZ_KEEP")) {
      if (std::FILE* out = std::fopen(keep, "wb")) {
        std::fwrite(data, 1, size, out);
        std::fclose(out);
      }
    }
    return path_;
  }
  const std::string& write(const std::string& bytes) { return write(bytes.data(), bytes.size()); }

  const std::string& path() const { return path_; }

 private:
  int fd_;
  std::string path_;
};

/// Reads the fuzzer's bytes front to back; past the end every read yields zeros, so a harness
/// never has to check the length.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t byte() { return used_ < size_ ? data_[used_++] : 0; }
  /// Up to `count` bytes, fewer at the end.
  std::string take(size_t count) {
    const size_t n = count < remaining() ? count : remaining();
    std::string out(reinterpret_cast<const char*>(data_ + used_), n);
    used_ += n;
    return out;
  }
  std::string rest() { return take(remaining()); }
  size_t remaining() const { return size_ - used_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t used_ = 0;
};

}  // namespace sharpscope::fuzz

#ifdef SHARPSCOPE_LIBFUZZER
#define SHARPSCOPE_FUZZ_ENTRY(harness)                                                            \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {                       \
    try {                                                                                         \
      sharpscope_fuzz_##harness(data, size);                                                      \
    } catch (const sharpscope::fuzz::Finding& finding) {                                          \
      std::fprintf(stderr, "fuzz_" #harness ": finding: %s\n", finding.what());                   \
      std::abort();                                                                               \
    } catch (const std::exception& e) {                                                           \
      std::fprintf(stderr, "fuzz_" #harness ": unexpected %s: %s\n", typeid(e).name(), e.what()); \
      std::abort();                                                                               \
    }                                                                                             \
    return 0;                                                                                     \
  }
#else
#define SHARPSCOPE_FUZZ_ENTRY(harness)
#endif

/// Defines harness `harness` (the parameter is not `name`: it would replace typeid(e).name()): the
/// body receives `const uint8_t* data, size_t size`.
#define SHARPSCOPE_FUZZ_TARGET(harness)                             \
  void sharpscope_fuzz_##harness(const uint8_t* data, size_t size); \
  SHARPSCOPE_FUZZ_ENTRY(harness)                                    \
  void sharpscope_fuzz_##harness(const uint8_t* data, size_t size)

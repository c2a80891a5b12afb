#include "data/file_bytes.h"

#include <torch/torch.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <type_traits>
#include <vector>

#include "sharpscope/core/error.h"

namespace sharpscope::data_detail {
namespace {

struct GzCloser {
  void operator()(gzFile file) const { gzclose(file); }
};
using GzHandle = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

std::string gz_error_text(gzFile file) {
  int code = Z_OK;
  const char* text = gzerror(file, &code);
  return code == Z_ERRNO ? std::strerror(errno) : text;
}

// gzread transparently passes non-gzip files through, so one path serves .gz and raw files.
// Reads until the end of the file or `max_bytes` (negative: no limit).
std::vector<uint8_t> read_up_to(const std::string& path, int64_t max_bytes) {
  GzHandle file(gzopen(path.c_str(), "rb"));
  if (!file) throw InputError(path + ": cannot open: " + std::strerror(errno));
  constexpr unsigned kChunk = 1u << 20;
  gzbuffer(file.get(), max_bytes >= 0 && max_bytes < kChunk ? 8192u : kChunk);
  std::vector<uint8_t> bytes;
  for (;;) {
    const size_t used = bytes.size();
    const unsigned want =
        max_bytes < 0 ? kChunk : static_cast<unsigned>(std::min<int64_t>(kChunk, max_bytes - used));
    if (want == 0) break;
    bytes.resize(used + want);
    const int got = gzread(file.get(), bytes.data() + used, want);
    if (got < 0) throw InputError(path + ": read error: " + gz_error_text(file.get()));
    bytes.resize(used + static_cast<size_t>(got));
    if (got == 0) break;
  }
  return bytes;
}

}  // namespace

at::Tensor read_file_bytes(const std::string& path, int64_t max_bytes) {
  if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
  auto bytes = std::make_shared<std::vector<uint8_t>>(read_up_to(path, max_bytes));
  // The deleter keeps the buffer alive as long as the tensor, so readers hand out views, not
  // copies.
  return torch::from_blob(
      bytes->data(), {static_cast<int64_t>(bytes->size())}, [bytes](void*) {}, torch::kUInt8);
}

std::string find_gz_or_raw(const std::string& directory, const std::string& name) {
  const auto base = std::filesystem::path(directory) / name;
  const std::string gz = base.string() + ".gz";
  if (std::filesystem::exists(gz)) return gz;
  if (std::filesystem::exists(base)) return base.string();
  throw InputError(gz + ": no such file (nor " + base.string() + ")");
}

}  // namespace sharpscope::data_detail

#pragma once
// Helpers for the data tests: writers for small IDX and CIFAR files with known bytes.
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/scratch_dir.h"

namespace sharpscope::testing {

using Bytes = std::vector<uint8_t>;

inline void write_raw(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error(path + ": cannot write test file");
}

inline void write_gz(const std::string& path, const Bytes& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  if (!file) throw std::runtime_error(path + ": cannot write test file");
  const int written = gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
  if (written != static_cast<int>(bytes.size())) throw std::runtime_error(path + ": short write");
}

inline void append_big_endian(Bytes& bytes, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    bytes.push_back(static_cast<uint8_t>(value >> shift));
}

/// An IDX3 image file: magic 2051, count, rows, cols, then `pixels`.
inline Bytes idx_images(uint32_t count, uint32_t rows, uint32_t cols, const Bytes& pixels,
                        uint32_t magic = 2051) {
  Bytes bytes;
  for (uint32_t word : {magic, count, rows, cols}) append_big_endian(bytes, word);
  bytes.insert(bytes.end(), pixels.begin(), pixels.end());
  return bytes;
}

/// An IDX1 label file: magic 2049, count, then `labels`.
inline Bytes idx_labels(const Bytes& labels, uint32_t magic = 2049) {
  Bytes bytes;
  for (uint32_t word : {magic, static_cast<uint32_t>(labels.size())})
    append_big_endian(bytes, word);
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  return bytes;
}

}  // namespace sharpscope::testing

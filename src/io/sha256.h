#pragma once
/// Streaming SHA-256 (FIPS 180-4), so model files are hashed without pulling in a crypto library.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sharpscope {

class Sha256 {
 public:
  Sha256();
  /// Feeds `size` more bytes; may be called any number of times with chunks of any size.
  void update(const void* data, size_t size);
  /// Lowercase hex digest of everything fed so far. Finishes the hash: call once.
  std::string hex_digest();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

}  // namespace sharpscope

#include "io/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "sharpscope/core/error.h"
#include "sharpscope/io/provenance.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

std::string sha256_of(const std::string& text) {
  Sha256 hash;
  hash.update(text.data(), text.size());
  return hash.hex_digest();
}

// FIPS 180-4 example vectors (NIST CSRC "SHA256.pdf").
TEST(IoSha256, KnownVectors) {
  EXPECT_EQ(sha256_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_of(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Padding edge cases: 55 bytes fit one block, 56 and 64 need a second.
TEST(IoSha256, ChunkedUpdatesMatchOneShot) {
  for (size_t length : {55, 56, 63, 64, 65, 200}) {
    std::string text(length, '\0');
    for (size_t i = 0; i < length; ++i) text[i] = static_cast<char>(i * 7 + 3);
    Sha256 chunked;
    for (size_t i = 0; i < length; i += 13)
      chunked.update(text.data() + i, std::min<size_t>(13, length - i));
    EXPECT_EQ(chunked.hex_digest(), sha256_of(text)) << "length " << length;
  }
}

TEST(IoSha256, FileHashMatchesSha256sum) {
  testing::ScratchDir dir;
  const std::string path = dir.file("model.pt");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 3 * (1 << 20) / 7; ++i) out << "bytes" << char(i % 256) << '\n';
  }
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(("sha256sum '" + path + "'").c_str(), "r"),
                                             ::pclose);
  ASSERT_TRUE(pipe);
  char expected[65] = {};
  if (std::fread(expected, 1, 64, pipe.get()) != 64) GTEST_SKIP() << "sha256sum unavailable";
  EXPECT_EQ(sha256_file(path), std::string(expected));
}

TEST(IoSha256, MissingFileIsInputError) {
  testing::ScratchDir dir;
  EXPECT_THROW(sha256_file(dir.file("missing.pt")), InputError);
}

}  // namespace
}  // namespace sharpscope

// The atomic file every output goes through: temp names that say who wrote them, the removal of
// dead writers' leftovers (never a live one's, never another host's), and every write failure as
// one OutputError with no file left behind.
#include "sharpscope/core/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sharpscope/core/error.h"
#include "support/processes.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The part of this process's temp names after "<pid>.".
std::string host_part() {
  const std::string temp = temp_path_for("x");
  return temp.substr(temp.find('.', std::string("x.tmp.").size()) + 1);
}

void touch(const std::string& path) { std::ofstream(path) << "leftover"; }

TEST(CoreAtomicFile, TempNameCarriesPidAndHostAndReadsBack) {
  const std::string temp = temp_path_for("/d/out.h5");
  EXPECT_EQ(temp.rfind("/d/out.h5.tmp." + std::to_string(::getpid()) + ".", 0), 0u) << temp;
  const auto owner = temp_file_owner("/d/out.h5", temp);
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->pid, ::getpid());
  EXPECT_EQ(owner->host, host_part());
  // Names from before the host was added count as this host's.
  const auto legacy = temp_file_owner("/d/out.h5", "/d/out.h5.tmp.123");
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->pid, 123);
  EXPECT_EQ(legacy->host, "");
  const auto dotted = temp_file_owner("out.h5", "out.h5.tmp.77.node3.cluster.org");
  ASSERT_TRUE(dotted);
  EXPECT_EQ(dotted->host, "node3.cluster.org");
  for (const char* other : {"/d/out.h5", "/d/out.h5.tmp.", "/d/out.h5.tmp.abc", "/d/out.h5.tmp.12x",
                            "/d/out.h5.tmp.12.", "/d/out.h5.tmp.0.h", "/e/out.h5.tmp.12.h",
                            "/d/out.h5.partial.h5.tmp.12.h", "/d/xout.h5.tmp.12.h"}) {
    EXPECT_FALSE(temp_file_owner("/d/out.h5", other)) << other;
  }
}

TEST(CoreAtomicFile, ProcessAliveTellsLiveFromDead) {
  EXPECT_TRUE(process_alive(::getpid()));
  EXPECT_TRUE(process_alive(1));  // init: alive, and kill(1, 0) may say EPERM, which counts
  EXPECT_FALSE(process_alive(testing::dead_pid()));
  EXPECT_FALSE(process_alive(0));
  EXPECT_FALSE(process_alive(-5));
}

TEST(CoreAtomicFile, RemovesOnlyDeadWritersLeftoversOfItsOwnPathOnThisHost) {
  ScratchDir dir;
  const std::string out = dir.file("g.h5");
  const std::string dead = std::to_string(testing::dead_pid());
  const std::string stale = out + ".tmp." + dead + "." + host_part();
  const std::string legacy = out + ".tmp." + dead;
  const std::string live = out + ".tmp.1." + host_part();
  const std::string other_host = out + ".tmp." + dead + ".elsewhere-node";
  const std::string other_path = dir.file("h.h5.tmp." + dead + "." + host_part());
  const std::string partial = out + ".partial.h5";  // resumable results, never a leftover
  for (const std::string& f : {stale, legacy, live, other_host, other_path, partial}) touch(f);
  fs::create_directory(out + ".tmp." + dead + ".dir");  // not a regular file: left alone

  ::testing::internal::CaptureStderr();
  const std::vector<std::string> removed = remove_stale_temps(out);
  const std::string said = ::testing::internal::GetCapturedStderr();

  EXPECT_EQ(removed.size(), 2u);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(legacy));
  for (const std::string& f :
       {live, other_host, other_path, partial, out + ".tmp." + dead + ".dir"})
    EXPECT_TRUE(fs::exists(f)) << f;
  EXPECT_NE(
      said.find("removed '" + stale + "', left by process " + dead + ", which no longer runs"),
      std::string::npos)
      << said;
  EXPECT_NE(said.find(legacy), std::string::npos) << said;
}

TEST(CoreAtomicFile, WriterCleansUpStaleTempsAndCommitsWholeFile) {
  ScratchDir dir;
  const std::string out = dir.file("model.pt");
  const std::string stale = out + ".tmp." + std::to_string(testing::dead_pid()) + "." + host_part();
  touch(stale);
  {
    ::testing::internal::CaptureStderr();
    AtomicFile file(out);
    ::testing::internal::GetCapturedStderr();
    EXPECT_FALSE(fs::exists(stale));
    EXPECT_TRUE(fs::exists(file.temp_path()));
    EXPECT_FALSE(fs::exists(out)) << "nothing under the final name before commit";
    file.write("hello ", 6);
    file.write("world", 5);
    EXPECT_EQ(file.size(), 11u);
    std::string verified;
    file.commit([&](const std::string& temp) { verified = read_file(temp); });
    EXPECT_EQ(verified, "hello world");
  }
  EXPECT_EQ(read_file(out), "hello world");
  EXPECT_EQ(testing::temp_files_in(dir.str()), std::vector<std::string>{});
}

TEST(CoreAtomicFile, UncommittedFileLeavesNothing) {
  ScratchDir dir;
  {
    AtomicFile file(dir.file("a.h5"));
    file.write("x", 1);
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

// An injected failure that runs everywhere: the kernel refuses writes past RLIMIT_FSIZE (EFBIG),
// through the same path as ENOSPC, EDQUOT and EIO.
TEST(CoreAtomicFile, WriteFailureIsOutputErrorNamingFileAndCauseWithNothingLeft) {
  ScratchDir dir;
  const std::string out = dir.file("big.h5");
  std::ofstream(out) << "previous result";
  AtomicFile file(out);
  const std::string block(4096, 'x');
  {
    const testing::FileSizeLimit limit(10000);
    for (int i = 0; i < 4; ++i) file.write(block.data(), block.size());  // never throws
  }
  EXPECT_LT(file.size(), 4u * 4096u);
  try {
    file.commit();
    FAIL() << "expected OutputError";
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()), out + ": cannot write the file: File too large");
  }
  EXPECT_EQ(read_file(out), "previous result") << "a failed write never touches the old file";
  EXPECT_EQ(testing::temp_files_in(dir.str()), std::vector<std::string>{});
}

TEST(CoreAtomicFile, TempRemovedOrReplacedMeanwhileIsOutputError) {
  ScratchDir dir;
  for (const bool replace : {false, true}) {
    const std::string out = dir.file(replace ? "replaced.h5" : "removed.h5");
    AtomicFile file(out);
    file.write("data", 4);
    fs::remove(file.temp_path());
    if (replace) touch(file.temp_path());
    try {
      file.commit();
      FAIL() << "expected OutputError";
    } catch (const OutputError& e) {
      EXPECT_NE(std::string(e.what()).find("was removed or replaced meanwhile"), std::string::npos)
          << e.what();
    }
    EXPECT_FALSE(fs::exists(out));
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(CoreAtomicFile, DirectoryRemovedMeanwhileIsOutputError) {
  ScratchDir dir;
  fs::create_directory(dir.path() / "sub");
  AtomicFile file(dir.file("sub/out.h5"));
  file.write("data", 4);
  fs::remove_all(dir.path() / "sub");
  EXPECT_THROW(file.commit(), OutputError);
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(CoreAtomicFile, FailedVerificationIsOutputErrorAndKeepsTheOldFile) {
  ScratchDir dir;
  const std::string out = dir.file("ckpt.pt");
  std::ofstream(out) << "old";
  AtomicFile file(out);
  file.write("new", 3);
  try {
    file.commit([](const std::string&) { throw std::runtime_error("truncated archive"); });
    FAIL() << "expected OutputError";
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()),
              out + ": cannot write the file: it does not read back (truncated archive)");
  }
  EXPECT_EQ(read_file(out), "old");
  EXPECT_EQ(testing::temp_files_in(dir.str()), std::vector<std::string>{});
}

// A symbolic link planted under this process's temp name is removed, never written through.
TEST(CoreAtomicFile, NeverWritesThroughASymlinkAtTheTempName) {
  ScratchDir dir;
  const std::string victim = dir.file("victim");
  std::ofstream(victim) << "precious";
  const std::string out = dir.file("out.h5");
  fs::create_symlink(victim, temp_path_for(out));
  {
    AtomicFile file(out);
    file.write("payload", 7);
    file.commit();
  }
  EXPECT_EQ(read_file(victim), "precious");
  EXPECT_EQ(read_file(out), "payload");
}

TEST(CoreAtomicFile, UnwritableTargetsAreOutputErrorsNamingOut) {
  ScratchDir dir;
  try {
    AtomicFile file(dir.file("no/such/dir/out.h5"));
    FAIL() << "expected OutputError";
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()), "--out = '" + dir.file("no/such/dir/out.h5") +
                                         "': cannot create file: directory '" +
                                         dir.file("no/such/dir") + "' does not exist");
  }
  EXPECT_THROW(AtomicFile{dir.str()}, OutputError);  // a directory
  EXPECT_THROW(AtomicFile{"/dev/null"}, OutputError);
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

}  // namespace
}  // namespace sharpscope

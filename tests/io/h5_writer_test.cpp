#include "sharpscope/io/h5_writer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>

#include "sharpscope/core/atomic_file.h"
#include "sharpscope/core/error.h"
#include "support/processes.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Exact comparison in which NaN equals NaN: non-finite losses are data and must survive as-is.
void expect_identical(const std::vector<double>& actual, const std::vector<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    if (std::isnan(expected[i]))
      EXPECT_TRUE(std::isnan(actual[i])) << "index " << i << ": " << actual[i];
    else
      EXPECT_EQ(actual[i], expected[i]) << "index " << i;
  }
}

std::string temp_path_of(const std::string& path) { return temp_path_for(path); }

const std::vector<double> kLoss = {0.5, -1.25, kNaN, kInf, -kInf, 1e-300};  // shape [2, 3]

// A file with one of everything the writer can produce, used by several tests.
void write_sample(H5Writer& writer) {
  writer.write("grid/loss", kLoss, {2, 3}, {"grid/alpha", "grid/beta"}, "nats",
               "training loss at w + alpha d1 + beta d2");
  writer.write("grid/alpha", {-1.0, 1.0});
  writer.write("grid/beta", {-1.0, 0.0, 1.0}, "", "second direction coefficient");
  writer.write_int("deep/er/counts", {1, -2, 3, 4, 5, std::numeric_limits<int64_t>::max()}, {3, 2},
                   "counts");
  writer.write_strings("names", {"alpha", "béta", ""});
  writer.attribute("/", "title", std::string("landscape ü"));
  writer.attribute("/", "rho", 0.05);
  writer.attribute("/", "seed", int64_t{-7});
  writer.attributes("grid/loss", {{"split", "train"}, {"batches", "all"}});
  writer.attribute("grid", "kind", std::string("2d"));
}

TEST(IoH5, RoundTripsDatasetsAttributesAndNestedGroups) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  {
    H5Writer writer(path);
    write_sample(writer);
    EXPECT_FALSE(fs::exists(path)) << "final path must not appear before commit";
    EXPECT_TRUE(fs::exists(temp_path_of(path)));
    writer.commit();
  }
  EXPECT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(temp_path_of(path)));

  const H5Reader reader(path);
  std::vector<int64_t> shape;
  expect_identical(reader.read("grid/loss", &shape), kLoss);
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 3}));
  expect_identical(reader.read("grid/beta", &shape), {-1.0, 0.0, 1.0});
  EXPECT_EQ(shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(reader.read_int("deep/er/counts"),
            (std::vector<int64_t>{1, -2, 3, 4, 5, std::numeric_limits<int64_t>::max()}));
  reader.read("deep/er/counts", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{3, 2}));

  EXPECT_EQ(reader.attribute("grid/loss", "axes"), "grid/alpha,grid/beta");
  EXPECT_EQ(reader.attribute("grid/loss", "units"), "nats");
  EXPECT_EQ(reader.attribute("grid/loss", "description"),
            "training loss at w + alpha d1 + beta d2");
  EXPECT_EQ(reader.attribute("grid/loss", "split"), "train");
  EXPECT_EQ(reader.attribute("grid/loss", "batches"), "all");
  EXPECT_EQ(reader.attribute("grid", "kind"), "2d");
  EXPECT_EQ(reader.attribute("/", "title"), "landscape ü");
  EXPECT_EQ(reader.attribute_number("/", "rho"), 0.05);
  EXPECT_EQ(reader.attribute("/", "rho"), "0.05");
  EXPECT_EQ(reader.attribute_number("/", "seed"), -7.0);
  EXPECT_EQ(reader.attribute("/", "seed"), "-7");
  EXPECT_EQ(reader.attribute("deep/er/counts", "description"), "counts");

  EXPECT_TRUE(reader.has("grid"));
  EXPECT_TRUE(reader.has("deep/er/counts"));
  EXPECT_FALSE(reader.has("deep/missing/counts"));
  EXPECT_FALSE(reader.has("nothing"));
}

TEST(IoH5, OmitsEmptyAxesUnitsAndDescription) {
  ScratchDir dir;
  const std::string path = dir.file("bare.h5");
  H5Writer writer(path);
  writer.write("x", {1.0, 2.0});
  writer.commit();
  const H5Reader reader(path);
  for (const char* key : {"axes", "units", "description"})
    EXPECT_THROW(reader.attribute("x", key), InputError) << key;
}

TEST(IoH5, WriteTensorStoresFloat64WithShape) {
  ScratchDir dir;
  const std::string path = dir.file("tensor.h5");
  // Transposed float32: non-contiguous and not float64, both must be handled by the writer.
  const at::Tensor t = torch::tensor({1.5f, -2.0f, 3.25f, 4.0f, 5.0f, 6.0f}).reshape({2, 3}).t();
  H5Writer writer(path);
  writer.write_tensor("t", t, "a transposed matrix");
  writer.commit();
  std::vector<int64_t> shape;
  expect_identical(H5Reader(path).read("t", &shape), {1.5, 4.0, -2.0, 5.0, 3.25, 6.0});
  EXPECT_EQ(shape, (std::vector<int64_t>{3, 2}));
}

TEST(IoH5, RewritingAnAttributeReplacesIt) {
  ScratchDir dir;
  const std::string path = dir.file("attr.h5");
  H5Writer writer(path);
  writer.attribute("/", "status", std::string("running"));
  writer.attribute("/", "status", std::string("converged"));
  writer.commit();
  EXPECT_EQ(H5Reader(path).attribute("/", "status"), "converged");
}

TEST(IoH5, UncommittedWriterLeavesNoFile) {
  ScratchDir dir;
  {
    H5Writer writer(dir.file("abandoned.h5"));
    write_sample(writer);
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(IoH5, CommitReplacesExistingFile) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  std::ofstream(path) << "old contents";
  H5Writer writer(path);
  writer.write("x", {42.0});
  writer.commit();
  expect_identical(H5Reader(path).read("x"), {42.0});
}

TEST(IoH5, MissingDirectoryIsOutputErrorNamingOut) {
  ScratchDir dir;
  const std::string path = dir.file("no/such/dir/out.h5");
  try {
    H5Writer writer(path);
    FAIL() << "expected OutputError";
  } catch (const OutputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("--out = '" + path + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  }
  EXPECT_TRUE(fs::is_empty(dir.path()));
}

// Committing renames onto the path; as root that would replace /dev/null with a regular file.
TEST(IoH5, NonRegularTargetIsOutputErrorAndLeftAlone) {
  ScratchDir dir;
  const std::string target = dir.file("a_directory");
  fs::create_directory(target);
  EXPECT_THROW(H5Writer{target}, OutputError);
  EXPECT_THROW(H5Writer{"/dev/null"}, OutputError);
  EXPECT_TRUE(fs::is_directory(target));
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST(IoH5, ReadOnlyDirectoryIsOutputError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root may write into read-only directories";
  ScratchDir dir;
  fs::create_directory(dir.path() / "ro");
  ::chmod((dir.path() / "ro").c_str(), 0555);
  try {
    H5Writer writer(dir.file("ro/out.h5"));
    FAIL() << "expected OutputError";
  } catch (const OutputError& e) {
    EXPECT_NE(std::string(e.what()).find("is not writable"), std::string::npos) << e.what();
  }
  ::chmod((dir.path() / "ro").c_str(), 0755);
}

TEST(IoH5, ShapeThatValuesDoNotFillIsRejected) {
  ScratchDir dir;
  H5Writer writer(dir.file("bad.h5"));
  EXPECT_THROW(writer.write("x", {1.0, 2.0, 3.0}, std::vector<int64_t>{2, 2}),
               std::invalid_argument);
  EXPECT_THROW(writer.write("y", {1.0, 2.0}, std::vector<int64_t>{2}, {"a", "b"}),
               std::invalid_argument);
}

TEST(IoH5, ReaderRejectsMissingAndNonHdf5FilesNamingThem) {
  ScratchDir dir;
  const std::string text = dir.file("notes.txt");
  std::ofstream(text) << "not an HDF5 file\n";
  for (const std::string& path : {text, dir.file("missing.h5")}) {
    try {
      H5Reader reader(path);
      FAIL() << "expected InputError for " << path;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
}

TEST(IoH5, ReaderMissingDatasetNamesFileAndDataset) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  H5Writer writer(path);
  writer.write("x", {1.0});
  writer.commit();
  const H5Reader reader(path);
  try {
    reader.read("grid/loss");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("grid/loss"), std::string::npos) << message;
  }
  EXPECT_THROW(reader.read_int("x"), InputError);  // float data is not silently truncated
  EXPECT_THROW(reader.attribute("/", "absent"), InputError);
}

// The files are for Python users too: h5py must see str attributes, not bytes, and the shapes.
TEST(IoH5, H5pyReadsStringsAndShapes) {
  const char* python = "/usr/bin/python3";
  if (!fs::exists(python) || std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "needs /usr/bin/python3 with h5py";
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  {
    H5Writer writer(path);
    write_sample(writer);
    writer.commit();
  }
  const std::string script = dir.file("check.py");
  std::ofstream(script) << R"(import math, sys, h5py
f = h5py.File(sys.argv[1], "r")
title = f.attrs["title"]
assert isinstance(title, str) and title == "landscape \u00fc", repr(title)
loss = f["grid/loss"]
assert loss.shape == (2, 3), loss.shape
assert loss.dtype == "<f8", loss.dtype
assert loss.attrs["axes"] == "grid/alpha,grid/beta", repr(loss.attrs["axes"])
assert math.isnan(loss[0, 2]) and loss[1, 0] == math.inf and loss[1, 1] == -math.inf, loss[()]
assert f["deep/er/counts"].dtype == "<i8"
assert list(f["names"].asstr()[()]) == ["alpha", "b\u00e9ta", ""], f["names"][()]
assert f.attrs["seed"] == -7 and f.attrs["rho"] == 0.05
)";
  EXPECT_EQ(std::system((std::string(python) + " " + script + " " + path).c_str()), 0);
}

// HDF5 builds the file in memory and never sees the disk fail: whatever the size at which writing
// stops, the commit is one OutputError naming the file and the cause, nothing is left behind, and
// the library still writes the next file (1.10 used to keep a broken file open and crash at exit).
TEST(IoH5, WriteFailureAtAnySizeIsOutputErrorAndTheLibraryStaysUsable) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  const std::vector<double> big(20000, 0.25);  // 160 kB of raw data after the metadata
  for (const uint64_t limit : {0, 1, 512, 2048, 4096, 100000, 160000}) {
    H5Writer writer(path);
    write_sample(writer);
    writer.write("big", big);
    {
      const testing::FileSizeLimit lowered(limit);
      try {
        writer.commit();
        ADD_FAILURE() << "limit " << limit << ": expected OutputError";
      } catch (const OutputError& e) {
        EXPECT_EQ(std::string(e.what()), path + ": cannot write the file: File too large")
            << "limit " << limit;
      }
    }
    EXPECT_TRUE(fs::is_empty(dir.path())) << "limit " << limit;
  }
  H5Writer writer(path);
  write_sample(writer);
  writer.write("big", big);
  writer.commit();
  expect_identical(H5Reader(path).read("big"), big);
}

TEST(IoH5, StaleTempOfADeadWriterIsRemovedAndALiveOnesKept) {
  ScratchDir dir;
  const std::string path = dir.file("out.h5");
  const std::string prefix = "x.tmp." + std::to_string(::getpid()) + ".";
  const std::string host = temp_path_of("x").substr(prefix.size());
  const std::string stale = path + ".tmp." + std::to_string(testing::dead_pid()) + "." + host;
  const std::string live = path + ".tmp.1." + host;
  std::ofstream(stale) << "killed mid-write";
  std::ofstream(live) << "still being written";
  ::testing::internal::CaptureStderr();
  H5Writer writer(path);
  const std::string said = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_NE(said.find("removed '" + stale + "'"), std::string::npos) << said;
  writer.write("x", {1.0});
  writer.commit();
  EXPECT_TRUE(fs::exists(live));
}

}  // namespace
}  // namespace sharpscope

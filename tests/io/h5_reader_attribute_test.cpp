// H5Reader on attributes that sharpscope never writes but another tool or a hostile file may
// hold: arrays and empty dataspaces, where one value is expected. Reading one into a single
// variable overflowed it; the h5_direction fuzz harness builds such files, and the input is kept
// in tests/fuzz/regressions/h5_direction/array_attribute.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sharpscope/core/error.h"
#include "sharpscope/io/h5_writer.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

using testing::ScratchDir;

// A file whose root holds attribute `key` of `type` with `dims` (empty: scalar), filled from
// `values` (at least as many elements as the dataspace holds).
void write_file(const std::string& path, const char* key, hid_t type,
                const std::vector<hsize_t>& dims, const void* values) {
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const hid_t space = dims.empty()
                          ? H5Screate(H5S_SCALAR)
                          : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  const hid_t attr = H5Acreate2(file, key, type, space, H5P_DEFAULT, H5P_DEFAULT);
  ASSERT_GE(attr, 0);
  hsize_t count = 1;
  for (const hsize_t d : dims) count *= d;
  if (count > 0) {
    ASSERT_GE(H5Awrite(attr, type, values), 0);
  }
  H5Aclose(attr);
  H5Sclose(space);
  H5Fclose(file);
}

// The reader's error: one line naming the file, the attribute and how many values it holds.
void expect_one_value_error(const H5Reader& reader, const std::string& path, const char* key,
                            const std::string& count) {
  for (const bool as_number : {false, true}) {
    try {
      if (as_number) {
        (void)reader.attribute_number("/", key);
      } else {
        (void)reader.attribute("/", key);
      }
      FAIL() << "expected InputError for attribute " << key;
    } catch (const InputError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind(path, 0), 0u) << message;
      EXPECT_NE(message.find(std::string("'") + key + "'"), std::string::npos) << message;
      EXPECT_NE(message.find("holds " + count + " values: expected one"), std::string::npos)
          << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
  }
}

TEST(IoH5Reader, ArrayAttributesAreInputErrorsNotOverflows) {
  ScratchDir dir;
  const std::vector<int64_t> integers = {7, 8, 9};
  const std::vector<double> numbers = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5};
  const std::vector<const char*> texts = {"a", "bb", "ccc"};
  const hid_t text_type = H5Tcopy(H5T_C_S1);
  H5Tset_size(text_type, H5T_VARIABLE);

  const std::string int_path = dir.file("int.h5"), float_path = dir.file("float.h5");
  const std::string text_path = dir.file("text.h5");
  write_file(int_path, "signature", H5T_NATIVE_INT64, {3}, integers.data());
  write_file(float_path, "config", H5T_NATIVE_DOUBLE, {2, 3}, numbers.data());
  write_file(text_path, "command_path", text_type, {3}, texts.data());
  H5Tclose(text_type);

  expect_one_value_error(H5Reader(int_path), int_path, "signature", "3");
  expect_one_value_error(H5Reader(float_path), float_path, "config", "6");
  expect_one_value_error(H5Reader(text_path), text_path, "command_path", "3");
}

TEST(IoH5Reader, EmptyAttributeIsAnInputError) {
  ScratchDir dir;
  const std::string path = dir.file("empty.h5");
  write_file(path, "units", H5T_NATIVE_DOUBLE, {0}, nullptr);
  expect_one_value_error(H5Reader(path), path, "units", "0");
}

// One-element arrays hold one value, as h5py writes `f.attrs["x"] = [3]`: still read.
TEST(IoH5Reader, OneElementArrayAttributeIsRead) {
  ScratchDir dir;
  const std::string path = dir.file("one.h5");
  const int64_t value = 42;
  write_file(path, "seed", H5T_NATIVE_INT64, {1}, &value);
  const H5Reader reader(path);
  EXPECT_EQ(reader.attribute("/", "seed"), "42");
  EXPECT_EQ(reader.attribute_number("/", "seed"), 42.0);  // exact: a small integer
}

}  // namespace
}  // namespace sharpscope

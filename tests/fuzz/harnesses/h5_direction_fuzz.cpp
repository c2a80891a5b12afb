// Fuzzes sharpscope's HDF5 reading (io/h5_writer.h H5Reader, io/direction_file.h read_direction):
// the direction files of `--dirs file:F.h5:NAME` and `eigK`, and the attributes and grids that
// `rerun` and `--resume` read back (signature, config, command_path, values, done).
//
// Input: byte 0 = mode. Odd: the rest is the file, verbatim, for libhdf5's own parser of the file
// format (Debian's, uninstrumented: a crash inside it is a libhdf5 bug, not one of ours; see
// docs/reliability.md "Fuzzing"). Even: the rest is a program that builds a well-formed HDF5 file
// with hostile content, op by op: [kind, name, type, rank, dims..., values...] with kind 0
// dataset, 1 group, 2 attribute; each op that HDF5 refuses (a name under a dataset) is skipped.
// The reader then reads direction "d1" for a model with parameters fc.weight [2,3] and fc.bias
// [2], and the rerun / resume attributes and datasets.
#include <hdf5.h>
#include <torch/torch.h>

#include <vector>

#include "fuzz/fuzz_target.h"
#include "sharpscope/core/error.h"
#include "sharpscope/io/direction_file.h"
#include "sharpscope/io/h5_writer.h"

using sharpscope::fuzz::fail;

namespace {

const char* const kNames[] = {"d1",     "d1/fc.weight",  "d1/fc.bias", "d1_flat",
                              "values", "done",          "/",          "g",
                              "g/h",    "d1/fc.weight/x"};
const char* const kKeys[] = {"signature", "config", "command_path", "description", "units"};

template <size_t N>
const char* pick(const char* const (&table)[N], uint8_t byte) {
  return table[byte % N];
}

// The HDF5 type of a type code: numbers of several widths, fixed and variable strings, and a
// compound, which no reader of ours accepts.
hid_t make_type(uint8_t code, uint8_t length) {
  switch (code % 8) {
    case 0:
      return H5Tcopy(H5T_NATIVE_DOUBLE);
    case 1:
      return H5Tcopy(H5T_NATIVE_FLOAT);
    case 2:
      return H5Tcopy(H5T_NATIVE_INT64);
    case 3:
      return H5Tcopy(H5T_NATIVE_INT8);
    case 4:
      return H5Tcopy(H5T_NATIVE_UINT64);
    case 5: {
      const hid_t type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, 1 + length % 16);
      return type;
    }
    case 6: {
      const hid_t type = H5Tcopy(H5T_C_S1);
      H5Tset_size(type, H5T_VARIABLE);
      return type;
    }
    default: {
      const hid_t type = H5Tcreate(H5T_COMPOUND, 16);
      H5Tinsert(type, "a", 0, H5T_NATIVE_DOUBLE);
      H5Tinsert(type, "b", 8, H5T_NATIVE_INT64);
      return type;
    }
  }
}

// Values for `count` elements of `type`: bytes of the input, repeated; strings as char* of text.
struct Buffer {
  std::vector<uint8_t> bytes;
  std::vector<std::string> texts;
  std::vector<const char*> pointers;
  const void* data() const {
    return pointers.empty() ? static_cast<const void*>(bytes.data()) : pointers.data();
  }
};

Buffer make_values(hid_t type, size_t count, sharpscope::fuzz::Bytes& in) {
  Buffer buffer;
  if (H5Tis_variable_str(type) > 0) {
    for (size_t i = 0; i < count; ++i) buffer.texts.push_back(in.take(in.byte() % 24));
    for (const auto& text : buffer.texts) buffer.pointers.push_back(text.c_str());
    return buffer;
  }
  const size_t element = H5Tget_size(type);
  buffer.bytes.resize(count * element);
  const std::string seed = in.take(element * 2);
  for (size_t i = 0; i < buffer.bytes.size(); ++i) {
    buffer.bytes[i] = seed.empty() ? 0 : static_cast<uint8_t>(seed[i % seed.size()]);
  }
  return buffer;
}

// Runs the program of `in` against a new in-memory file; returns its bytes.
std::string build_file(sharpscope::fuzz::Bytes& in) {
  const hid_t access = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_core(access, 1 << 16, /*backing_store=*/0);
  const hid_t file = H5Fcreate("fuzz.h5", H5F_ACC_TRUNC, H5P_DEFAULT, access);
  const hid_t links = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(links, 1);
  for (int op = 0; op < 24 && in.remaining() > 0; ++op) {
    const uint8_t kind = in.byte() % 3;
    const char* name = pick(kNames, in.byte());
    if (kind == 1) {
      H5Gclose(H5Gcreate2(file, name, links, H5P_DEFAULT, H5P_DEFAULT));
      continue;
    }
    const uint8_t type_code = in.byte(), length = in.byte();
    const hid_t type = make_type(type_code, length);
    const int rank = in.byte() % 4;
    std::vector<hsize_t> dims(static_cast<size_t>(rank));
    size_t count = 1;
    for (auto& d : dims) count *= (d = in.byte() % 7);
    const hid_t space =
        rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(rank, dims.data(), nullptr);
    const Buffer values = make_values(type, count, in);
    if (kind == 0) {
      const hid_t dset = H5Dcreate2(file, name, type, space, links, H5P_DEFAULT, H5P_DEFAULT);
      if (dset >= 0 && count > 0)
        H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
      if (dset >= 0) H5Dclose(dset);
    } else {
      const char* key = pick(kKeys, in.byte());
      const hid_t object = H5Oopen(file, name, H5P_DEFAULT);
      if (object >= 0) {
        const hid_t attr = H5Acreate2(object, key, type, space, H5P_DEFAULT, H5P_DEFAULT);
        if (attr >= 0 && count > 0) H5Awrite(attr, type, values.data());
        if (attr >= 0) H5Aclose(attr);
        H5Oclose(object);
      }
    }
    H5Sclose(space);
    H5Tclose(type);
  }
  H5Pclose(links);
  H5Fflush(file, H5F_SCOPE_GLOBAL);
  std::string image(static_cast<size_t>(std::max<ssize_t>(H5Fget_file_image(file, nullptr, 0), 0)),
                    '\0');
  H5Fget_file_image(file, image.data(), image.size());
  H5Fclose(file);
  H5Pclose(access);
  return image;
}

// Runs `read`; an InputError must name the file, anything else escapes as a finding.
template <typename Read>
void expect_clean(const std::string& path, Read&& read) {
  try {
    read();
  } catch (const sharpscope::InputError& e) {
    sharpscope::fuzz::expect_one_line(e, path);
  }
}

}  // namespace

SHARPSCOPE_FUZZ_TARGET(h5_direction) {
  static sharpscope::fuzz::MemoryFile file("direction");
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  sharpscope::fuzz::Bytes in(data, size);
  const uint8_t mode = in.byte();
  const std::string& path = file.write(mode & 1 ? in.rest() : build_file(in));

  const std::vector<std::string> names = {"fc.weight", "fc.bias"};
  const sharpscope::ParamList like = {torch::zeros({2, 3}), torch::zeros({2})};
  expect_clean(path, [&] {
    const sharpscope::ParamList d = sharpscope::read_direction(path, "d1", names, like);
    if (d.size() != like.size()) fail("direction of another length");
    for (size_t i = 0; i < d.size(); ++i) {
      if (d[i].sizes() != like[i].sizes() || d[i].scalar_type() != like[i].scalar_type()) {
        fail("direction tensor unlike the parameter");
      }
    }
  });
  expect_clean(path, [&] {
    const sharpscope::H5Reader reader(path);
    for (const char* key : kKeys) {
      expect_clean(path, [&] {
        if (reader.has_attribute("/", key)) (void)reader.attribute("/", key);
      });
      expect_clean(path, [&] { (void)reader.attribute_number("/", key); });
    }
    expect_clean(path, [&] {
      std::vector<int64_t> shape;
      const std::vector<double> values = reader.read("values", &shape);
      int64_t count = 1;
      for (const int64_t d : shape) count *= d;
      if (static_cast<int64_t>(values.size()) != count) fail("values disagree with their shape");
    });
    expect_clean(path, [&] { (void)reader.read_int("done"); });
  });
}

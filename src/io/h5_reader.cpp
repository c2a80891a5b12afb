#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "io/h5_handles.h"
#include "sharpscope/core/error.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope {

namespace {

// Shortest decimal text that reads back to the same double, so formatted numbers round-trip.
std::string format_number(double value) {
  char text[32];
  for (int precision = 15; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, value);
    if (std::isnan(value) || std::strtod(text, nullptr) == value) break;
  }
  return text;
}

}  // namespace

struct H5Reader::Impl {
  std::string path;
  h5::File file;

  [[noreturn]] void fail(const std::string& what) const { throw InputError(path + ": " + what); }

  // H5Lexists fails (rather than answering false) when an intermediate group is missing, so each
  // prefix of a/b/c is checked in turn.
  bool exists(const std::string& name) const {
    size_t end = name.find_first_not_of('/');
    while (end != std::string::npos) {
      end = name.find('/', end + 1);
      const std::string prefix = name.substr(0, end);
      if (H5Lexists(file.get(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    }
    return true;
  }

  h5::Dataset open_dataset(const std::string& name) const {
    if (!exists(name)) fail("no dataset '" + name + "'");
    h5::Dataset dset(H5Dopen2(file.get(), name.c_str(), H5P_DEFAULT));
    if (!dset.valid()) fail("'" + name + "' is not a dataset");
    return dset;
  }

  // Reads a whole numeric dataset, letting HDF5 convert to `memory_type`.
  template <typename T>
  std::vector<T> read_all(const std::string& name, hid_t memory_type, bool integers_only,
                          std::vector<int64_t>* shape) const {
    const h5::Dataset dset = open_dataset(name);
    const h5::Datatype type(H5Dget_type(dset.get()));
    const H5T_class_t type_class = H5Tget_class(type.get());
    const bool numeric = type_class == H5T_INTEGER || (!integers_only && type_class == H5T_FLOAT);
    if (!numeric) fail("dataset '" + name + "' is not " + (integers_only ? "integer" : "numeric"));
    const h5::Dataspace space(H5Dget_space(dset.get()));
    const int rank = H5Sget_simple_extent_ndims(space.get());
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    if (rank < 0 || count < 0) fail("dataset '" + name + "' has no valid shape");
    // A corrupt header can claim any shape; refuse what could not be an output of ours.
    if (static_cast<uint64_t>(count) > (uint64_t{1} << 34) / sizeof(T))
      fail("dataset '" + name + "' claims " + std::to_string(count) + " values (over 16 GiB)");
    std::vector<hsize_t> dims(static_cast<size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    std::vector<T> values(static_cast<size_t>(count));
    if (!values.empty() &&
        H5Dread(dset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
      fail("cannot read dataset '" + name + "'");
    if (shape) shape->assign(dims.begin(), dims.end());
    return values;
  }

  bool has_attribute(const std::string& object, const std::string& key) const {
    if (!exists(object)) return false;
    const h5::Object obj(H5Oopen(file.get(), object.c_str(), H5P_DEFAULT));
    return H5Aexists(obj.get(), key.c_str()) > 0;
  }

  h5::Attribute open_attribute(const std::string& object, const std::string& key) const {
    if (!exists(object)) fail("no group or dataset '" + object + "'");
    const h5::Object obj(H5Oopen(file.get(), object.c_str(), H5P_DEFAULT));
    if (H5Aexists(obj.get(), key.c_str()) <= 0)
      fail("'" + object + "' has no attribute '" + key + "'");
    h5::Attribute attr(H5Aopen(obj.get(), key.c_str(), H5P_DEFAULT));
    if (!attr.valid()) fail("cannot open attribute '" + key + "' of '" + object + "'");
    // Every reader below reads one value into one variable: an array attribute (another tool's,
    // or a hostile file's) would be written past it (a stack overflow; the input
    // tests/fuzz/regressions/h5_direction/array_attribute), an empty one would leave it unset.
    const h5::Dataspace space(H5Aget_space(attr.get()));
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    if (count != 1) {
      fail("attribute '" + key + "' of '" + object + "' holds " + std::to_string(count) +
           " values: expected one");
    }
    return attr;
  }

  std::string read_string(const h5::Attribute& attr, const h5::Datatype& type,
                          const std::string& key) const {
    if (H5Tis_variable_str(type.get()) > 0) {
      const h5::Datatype memory = h5::utf8_string_type();
      char* text = nullptr;
      if (H5Aread(attr.get(), memory.get(), &text) < 0) fail("cannot read attribute '" + key + "'");
      std::string value = text ? text : "";
      const h5::Dataspace space(H5Aget_space(attr.get()));
      H5Dvlen_reclaim(memory.get(), space.get(), H5P_DEFAULT, &text);
      return value;
    }
    // Fixed-length strings (as other tools write them) may be NUL-padded.
    const size_t size = H5Tget_size(type.get());
    if (size == 0 || size > (size_t{1} << 30)) fail("attribute '" + key + "' has no valid size");
    std::string value(size, '\0');
    if (H5Aread(attr.get(), type.get(), value.data()) < 0)
      fail("cannot read attribute '" + key + "'");
    return value.substr(0, value.find('\0'));
  }
};

H5Reader::H5Reader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  h5::silence_errors();
  impl_->path = path;
  if (!std::filesystem::exists(path)) impl_->fail("no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0) impl_->fail("not an HDF5 file");
  impl_->file = h5::File(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!impl_->file.valid()) impl_->fail("cannot open HDF5 file");
}

H5Reader::~H5Reader() = default;

bool H5Reader::has(const std::string& name) const { return impl_->exists(name); }

std::vector<std::string> H5Reader::datasets() const {
  std::vector<std::string> names;
  const auto visit = [](hid_t, const char* name, const H5O_info_t* info, void* out) -> herr_t {
    if (info->type == H5O_TYPE_DATASET)
      static_cast<std::vector<std::string>*>(out)->push_back(name);
    return 0;
  };
  if (H5Ovisit2(impl_->file.get(), H5_INDEX_NAME, H5_ITER_INC, visit, &names, H5O_INFO_BASIC) < 0)
    impl_->fail("cannot list the datasets");
  return names;
}

bool H5Reader::has_attribute(const std::string& object, const std::string& key) const {
  return impl_->has_attribute(object, key);
}

std::vector<double> H5Reader::read(const std::string& name, std::vector<int64_t>* shape) const {
  return impl_->read_all<double>(name, H5T_NATIVE_DOUBLE, false, shape);
}

std::vector<int64_t> H5Reader::read_int(const std::string& name) const {
  return impl_->read_all<int64_t>(name, H5T_NATIVE_INT64, true, nullptr);
}

std::string H5Reader::attribute(const std::string& object, const std::string& key) const {
  const h5::Attribute attr = impl_->open_attribute(object, key);
  const h5::Datatype type(H5Aget_type(attr.get()));
  switch (H5Tget_class(type.get())) {
    case H5T_STRING:
      return impl_->read_string(attr, type, key);
    case H5T_INTEGER: {
      int64_t value = 0;
      if (H5Aread(attr.get(), H5T_NATIVE_INT64, &value) < 0)
        impl_->fail("cannot read attribute '" + key + "'");
      return std::to_string(value);
    }
    case H5T_FLOAT:
      return format_number(attribute_number(object, key));
    default:
      impl_->fail("attribute '" + key + "' of '" + object + "' is neither text nor a number");
  }
}

double H5Reader::attribute_number(const std::string& object, const std::string& key) const {
  const h5::Attribute attr = impl_->open_attribute(object, key);
  const h5::Datatype type(H5Aget_type(attr.get()));
  const H5T_class_t type_class = H5Tget_class(type.get());
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT)
    impl_->fail("attribute '" + key + "' of '" + object + "' is not a number");
  double value = 0.0;
  if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0)
    impl_->fail("cannot read attribute '" + key + "'");
  return value;
}

}  // namespace sharpscope

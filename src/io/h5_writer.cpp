#include "sharpscope/io/h5_writer.h"

#include <torch/torch.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "io/h5_handles.h"
#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"

namespace sharpscope {

namespace {

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) joined += (i ? separator : "") + parts[i];
  return joined;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::vector<std::string> dims;
  for (int64_t d : shape) dims.push_back(std::to_string(d));
  return "[" + join(dims, ", ") + "]";
}

// Explains why the temp file could not be created in terms the user can act on.
std::string creation_failure(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::string reason;
  std::error_code ec;
  if (!fs::exists(dir, ec))
    reason = "directory '" + dir.string() + "' does not exist";
  else if (!fs::is_directory(dir, ec))
    reason = "'" + dir.string() + "' is not a directory";
  else if (::access(dir.c_str(), W_OK) != 0)
    reason = "directory '" + dir.string() + "' is not writable";
  else
    reason = "HDF5 could not create '" + path + "'";
  return "--out = '" + path + "': cannot create file: " + reason;
}

}  // namespace

struct H5Writer::Impl {
  std::string temp_path;
  h5::File file;
  bool in_memory = false;  ///< a rank other than 0: the file never reaches the disk

  [[noreturn]] void fail(const std::string& final_path, const std::string& what) const {
    throw OutputError(final_path + ": " + what);
  }

  // Opens "/" or an existing group/dataset for attributes.
  h5::Object open_object(const std::string& final_path, const std::string& object) const {
    h5::Object obj(H5Oopen(file.get(), object.c_str(), H5P_DEFAULT));
    if (!obj.valid())
      throw std::invalid_argument(final_path + ": cannot set attributes on '" + object +
                                  "': no such group or dataset");
    return obj;
  }

  // Attributes are set, not accumulated: writing a key twice replaces the old value.
  h5::Attribute create_attribute(const std::string& final_path, hid_t object,
                                 const std::string& key, hid_t type, hid_t space) const {
    if (H5Aexists(object, key.c_str()) > 0) H5Adelete(object, key.c_str());
    h5::Attribute attr(H5Acreate2(object, key.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.valid()) fail(final_path, "cannot create attribute '" + key + "'");
    return attr;
  }

  void string_attribute(const std::string& final_path, hid_t object, const std::string& key,
                        const std::string& value) const {
    const h5::Datatype type = h5::utf8_string_type();
    const h5::Dataspace space = h5::dataspace({});
    const h5::Attribute attr = create_attribute(final_path, object, key, type.get(), space.get());
    const char* text = value.c_str();
    if (H5Awrite(attr.get(), type.get(), &text) < 0)
      fail(final_path, "cannot write attribute '" + key + "'");
  }

  void number_attribute(const std::string& final_path, const std::string& object,
                        const std::string& key, hid_t file_type, hid_t memory_type,
                        const void* value) const {
    const h5::Object obj = open_object(final_path, object);
    const h5::Dataspace space = h5::dataspace({});
    const h5::Attribute attr = create_attribute(final_path, obj.get(), key, file_type, space.get());
    if (H5Awrite(attr.get(), memory_type, value) < 0)
      fail(final_path, "cannot write attribute '" + key + "'");
  }

  // The one place datasets are created: all public write_* funnel here.
  void dataset(const std::string& final_path, const std::string& name, hid_t file_type,
               hid_t memory_type, const void* data, int64_t count,
               const std::vector<int64_t>& shape, const std::vector<std::string>& axes,
               const std::string& units, const std::string& description) const {
    int64_t expected = 1;
    std::vector<hsize_t> dims;
    for (int64_t d : shape) {
      if (d < 0) throw std::invalid_argument(name + ": negative dimension in " + shape_text(shape));
      expected *= d;
      dims.push_back(static_cast<hsize_t>(d));
    }
    if (expected != count)
      throw std::invalid_argument(name + ": " + std::to_string(count) +
                                  " values do not fill shape " + shape_text(shape));
    if (!axes.empty() && axes.size() != shape.size())
      throw std::invalid_argument(name + ": " + std::to_string(axes.size()) + " axes for " +
                                  std::to_string(shape.size()) + " dimensions");

    const h5::PropertyList link_props(H5Pcreate(H5P_LINK_CREATE));
    H5Pset_create_intermediate_group(link_props.get(), 1);
    const h5::Dataspace space = h5::dataspace(dims);
    const h5::Dataset dset(H5Dcreate2(file.get(), name.c_str(), file_type, space.get(),
                                      link_props.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!dset.valid()) fail(final_path, "cannot create dataset '" + name + "'");
    // HDF5 rejects a null buffer even when there is nothing to write.
    if (count > 0 && H5Dwrite(dset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
      fail(final_path, "cannot write dataset '" + name + "'");

    if (!axes.empty()) string_attribute(final_path, dset.get(), "axes", join(axes, ","));
    if (!units.empty()) string_attribute(final_path, dset.get(), "units", units);
    if (!description.empty()) string_attribute(final_path, dset.get(), "description", description);
  }
};

H5Writer::H5Writer(std::string path) : impl_(std::make_unique<Impl>()), path_(std::move(path)) {
  h5::silence_errors();
  if (!is_output_rank()) {
    // Only rank 0 of a distributed run writes files: the others build the same file in memory
    // (HDF5's core driver without a backing store) and drop it, so every command runs unchanged.
    static int64_t files = 0;
    impl_->in_memory = true;
    impl_->temp_path = "sharpscope-in-memory-" + std::to_string(++files);
    const hid_t access = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_core(access, 1 << 16, /*backing_store=*/0);
    impl_->file = h5::File(H5Fcreate(impl_->temp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access));
    H5Pclose(access);
    if (!impl_->file.valid()) throw OutputError(path_ + ": cannot create an HDF5 file in memory");
    return;
  }
  // The commit renames onto the path: it must never replace a device or directory (/dev/null).
  std::error_code ec;
  if (std::filesystem::exists(path_, ec) && !std::filesystem::is_regular_file(path_, ec)) {
    throw OutputError("--out = '" + path_ + "': exists and is not a regular file");
  }
  impl_->temp_path = path_ + ".tmp." + std::to_string(::getpid());
  impl_->file =
      h5::File(H5Fcreate(impl_->temp_path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  if (!impl_->file.valid()) throw OutputError(creation_failure(path_));
}

H5Writer::~H5Writer() {
  if (impl_->file.valid()) {
    impl_->file.close();
    if (!impl_->in_memory) std::remove(impl_->temp_path.c_str());
  }
}

void H5Writer::write(const std::string& name, const std::vector<double>& values,
                     const std::vector<int64_t>& shape, const std::vector<std::string>& axes,
                     const std::string& units, const std::string& description) {
  impl_->dataset(path_, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(),
                 static_cast<int64_t>(values.size()), shape, axes, units, description);
}

void H5Writer::write(const std::string& name, const std::vector<double>& values,
                     const std::string& units, const std::string& description) {
  write(name, values, {static_cast<int64_t>(values.size())}, {}, units, description);
}

void H5Writer::write_int(const std::string& name, const std::vector<int64_t>& values,
                         const std::vector<int64_t>& shape, const std::string& description) {
  impl_->dataset(path_, name, H5T_STD_I64LE, H5T_NATIVE_INT64, values.data(),
                 static_cast<int64_t>(values.size()), shape, {}, "", description);
}

void H5Writer::write_tensor(const std::string& name, const at::Tensor& tensor,
                            const std::string& description) {
  const at::Tensor cpu = tensor.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const auto sizes = cpu.sizes();
  impl_->dataset(path_, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, cpu.data_ptr<double>(),
                 cpu.numel(), std::vector<int64_t>(sizes.begin(), sizes.end()), {}, "",
                 description);
}

void H5Writer::write_strings(const std::string& name, const std::vector<std::string>& values) {
  std::vector<const char*> texts;
  for (const std::string& value : values) texts.push_back(value.c_str());
  const h5::Datatype type = h5::utf8_string_type();
  impl_->dataset(path_, name, type.get(), type.get(), texts.data(),
                 static_cast<int64_t>(texts.size()), {static_cast<int64_t>(texts.size())}, {}, "",
                 "");
}

void H5Writer::attribute(const std::string& object, const std::string& key,
                         const std::string& value) {
  const h5::Object obj = impl_->open_object(path_, object);
  impl_->string_attribute(path_, obj.get(), key, value);
}

void H5Writer::attribute(const std::string& object, const std::string& key, double value) {
  impl_->number_attribute(path_, object, key, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void H5Writer::attribute(const std::string& object, const std::string& key, int64_t value) {
  impl_->number_attribute(path_, object, key, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

void H5Writer::attributes(const std::string& object, const Metadata& values) {
  const h5::Object obj = impl_->open_object(path_, object);
  for (const auto& [key, value] : values) impl_->string_attribute(path_, obj.get(), key, value);
}

void H5Writer::commit() {
  if (!impl_->file.valid()) throw std::logic_error(path_ + ": H5Writer::commit called twice");
  if (impl_->in_memory) {
    impl_->file.close();
    return;
  }
  const bool flushed = H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL) >= 0;
  const bool closed = impl_->file.close();
  if (!flushed || !closed) {
    std::remove(impl_->temp_path.c_str());
    throw OutputError(path_ + ": cannot write file (disk full?)");
  }
  if (std::rename(impl_->temp_path.c_str(), path_.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(impl_->temp_path.c_str());
    throw OutputError(path_ + ": cannot rename '" + impl_->temp_path + "' onto it: " + reason);
  }
}

}  // namespace sharpscope

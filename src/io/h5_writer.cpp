#include "sharpscope/io/h5_writer.h"

#include <sys/mman.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "io/h5_handles.h"
#include "sharpscope/core/atomic_file.h"
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

// The core driver's memory, allocated through file-image callbacks so that the finished image
// can be written out without a copy: on close HDF5 hands the buffer back instead of freeing it.
// The buffer is mapped pages of its own, grown by mremap: growing never copies the image and never
// holds two of it at once (a heap realloc could do both, the more so as runtime.cpp keeps large
// blocks off mmap), and freeing returns the pages to the system at once.
struct Image {
  void* buffer = nullptr;
  size_t capacity = 0;  ///< bytes mapped (a multiple of the page size)
  bool closed = false;  ///< the file was closed and `buffer` holds its final image

  ~Image() { unmap(); }
  void unmap() {
    if (buffer) ::munmap(buffer, capacity);
    buffer = nullptr;
    capacity = 0;
  }

  static size_t pages(size_t size) {
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    return (std::max<size_t>(size, 1) + page - 1) / page * page;
  }
  static void* allocate(size_t size, H5FD_file_image_op_t, void* self) {
    auto* image = static_cast<Image*>(self);
    if (image->buffer) return nullptr;  // one file, one buffer
    void* mapped =
        ::mmap(nullptr, pages(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapped == MAP_FAILED) return nullptr;
    image->buffer = mapped;
    image->capacity = pages(size);
    return mapped;
  }
  static void* copy(void* to, const void* from, size_t size, H5FD_file_image_op_t, void*) {
    return std::memcpy(to, from, size);
  }
  static void* resize(void* old, size_t size, H5FD_file_image_op_t op, void* self) {
    auto* image = static_cast<Image*>(self);
    if (!old) return allocate(size, op, self);
    if (old != image->buffer) return nullptr;
    if (pages(size) == image->capacity) return old;
    void* moved = ::mremap(old, image->capacity, pages(size), MREMAP_MAYMOVE);
    if (moved == MAP_FAILED) return nullptr;  // HDF5 keeps `old` and reports the failure
    image->buffer = moved;
    image->capacity = pages(size);
    return moved;
  }
  static herr_t release(void* ptr, H5FD_file_image_op_t op, void* self) {
    auto* image = static_cast<Image*>(self);
    if (!ptr || ptr != image->buffer) return ptr ? -1 : 0;
    if (op == H5FD_FILE_IMAGE_OP_FILE_CLOSE) {
      image->closed = true;  // kept for H5Writer::commit, unmapped by ~Image
      return 0;
    }
    image->unmap();
    return 0;
  }
  static void* share(void* self) { return self; }
  static herr_t unshare(void*) { return 0; }
};

// The file lives in memory (the core driver without a backing store) until commit: HDF5 itself
// then never sees a failing write. That matters because HDF5 1.10 cannot close a file whose flush
// failed ("slist already enabled"): the close fails, the file's identifier stays registered over
// freed memory, and the library's exit handler crashes on it (SIGSEGV after a full disk).
h5::PropertyList in_memory_access(Image& image) {
  h5::PropertyList fapl(H5Pcreate(H5P_FILE_ACCESS));
  constexpr size_t kIncrement = size_t{1} << 20;
  H5Pset_fapl_core(fapl.get(), kIncrement, /*backing_store=*/0);
  H5FD_file_image_callbacks_t callbacks{
      &Image::allocate, &Image::copy,    &Image::resize, &Image::release,
      &Image::share,    &Image::unshare, &image};
  H5Pset_file_image_callbacks(fapl.get(), &callbacks);
  return fapl;
}

// Opens the written temp file as HDF5 would read it: a truncated or garbled image fails here
// ("truncated file: eof = ...") instead of in the user's reader later.
void verify_readable(const std::string& temp_path) {
  h5::File file(H5Fopen(temp_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file.valid()) throw std::runtime_error("HDF5 cannot open it");
  const h5::Group root(H5Gopen2(file.get(), "/", H5P_DEFAULT));
  if (!root.valid()) throw std::runtime_error("HDF5 cannot open its root group");
  if (!file.close()) throw std::runtime_error("HDF5 cannot close it");
}

}  // namespace

struct H5Writer::Impl {
  // Only rank 0 of a distributed run (core/distributed.h) writes files: the other ranks build the
  // same file in memory and drop it at commit, so every command runs unchanged on every rank.
  Impl(const std::string& path, bool on_this_rank) {
    if (on_this_rank) out.emplace(path);
  }

  std::optional<AtomicFile> out;  ///< the temp file on disk: created first, written at commit
  Image image;    ///< declared before `file`, which hands its buffer back when closed
  h5::File file;  ///< in memory

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

H5Writer::H5Writer(std::string path) : H5Writer(std::move(path), is_output_rank()) {}

H5Writer::H5Writer(std::string path, bool on_this_rank) : path_(std::move(path)) {
  h5::silence_errors();
  impl_ = std::make_unique<Impl>(path_, on_this_rank);  // fails fast on an unwritable --out
  const h5::PropertyList fapl = in_memory_access(impl_->image);
  // The name only identifies the file inside HDF5; nothing by that name is opened on disk.
  const std::string name =
      "sharpscope-in-memory:" + (impl_->out ? impl_->out->temp_path() : path_ + ".not-rank-0");
  impl_->file = h5::File(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
  if (!impl_->file.valid()) throw OutputError(path_ + ": HDF5 cannot create the file in memory");
}

// Members go in reverse order: the in-memory file closes (nothing reaches the disk), its image
// is freed, and the uncommitted temp file is removed.
H5Writer::~H5Writer() = default;

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
  // The image's size (HDF5's end of allocation) once every cached object is in it.
  if (H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL) < 0)
    throw OutputError(path_ + ": HDF5 cannot finish the file in memory");
  const ssize_t size = H5Fget_file_image(impl_->file.get(), nullptr, 0);
  if (size <= 0 || !impl_->file.close() || !impl_->image.closed ||
      static_cast<size_t>(size) > impl_->image.capacity) {
    throw OutputError(path_ + ": HDF5 cannot finish the file in memory");
  }
  if (!impl_->out) return;  // not rank 0: the file is dropped
  impl_->out->write(impl_->image.buffer, static_cast<size_t>(size));
  impl_->image.unmap();  // before the check reads the file back

  impl_->out->commit(verify_readable);
}

}  // namespace sharpscope

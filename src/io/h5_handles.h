#pragma once
/// RAII ownership of HDF5 C-API identifiers, shared by the writer and the reader. Private to the
/// library: public headers never see <hdf5.h>.
#include <hdf5.h>

#include <string>
#include <utility>
#include <vector>

namespace sharpscope::h5 {

/// Owns one hid_t and closes it with `Close` (H5Fclose, H5Dclose, ...). Move-only.
template <herr_t (*Close)(hid_t)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  /// False when the HDF5 call that produced the id failed (negative id).
  bool valid() const { return id_ >= 0; }
  /// Closes now and reports whether closing succeeded (a file's close is where its data is
  /// flushed, so callers that care check this instead of relying on the destructor).
  bool close() {
    const bool ok = !valid() || Close(id_) >= 0;
    id_ = H5I_INVALID_HID;
    return ok;
  }
  void reset() { close(); }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using File = Handle<H5Fclose>;
using Group = Handle<H5Gclose>;
using Dataset = Handle<H5Dclose>;
using Dataspace = Handle<H5Sclose>;
using Datatype = Handle<H5Tclose>;
using Attribute = Handle<H5Aclose>;
using PropertyList = Handle<H5Pclose>;
using Object = Handle<H5Oclose>;

/// Turns off HDF5's automatic error-stack printing for the whole process, so users see our
/// one-line messages only. Idempotent.
inline void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

/// Variable-length UTF-8 string type: h5py reads attributes and datasets of it as Python str.
inline Datatype utf8_string_type() {
  Datatype type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

/// Simple dataspace of the given shape; an empty shape is a scalar.
inline Dataspace dataspace(const std::vector<hsize_t>& dims) {
  if (dims.empty()) return Dataspace(H5Screate(H5S_SCALAR));
  return Dataspace(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
}

}  // namespace sharpscope::h5

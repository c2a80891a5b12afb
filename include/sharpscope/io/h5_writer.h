#pragma once
/// The one HDF5 writer every command uses. The file is built in memory and written at commit()
/// through core/atomic_file.h ("<path>.tmp.<pid>.<host>", synced, checked, renamed onto <path>),
/// so a reader never sees a half-written file, an interrupted run never leaves one (the destructor
/// removes the uncommitted temp file), and a full disk or any other write failure is one
/// OutputError naming the file and the cause. Memory: the file's size, until commit. On a rank
/// other than 0 of a distributed run (core/distributed.h) commit() drops the file: only rank 0
/// writes files.
///
/// Datasets are float64 (or int64) arrays with their axes: for each dataset an attribute "axes"
/// lists the name of the coordinate dataset for each dimension, and "units" / "description"
/// say what the values are.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

class H5Writer {
 public:
  /// Removes stale temp files of `path` (core/atomic_file.h) and creates its own; throws
  /// OutputError naming --out when the directory is missing or not writable. In a distributed run
  /// only rank 0 writes (is_output_rank); the others build the file in memory and drop it.
  explicit H5Writer(std::string path);
  /// The same, written by this rank when `on_this_rank` (a file of one rank's own work, such as the
  /// log of a training run it owns: writes_run_files), else built in memory and dropped.
  H5Writer(std::string path, bool on_this_rank);
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;
  ~H5Writer();

  /// Row-major float64 array of the given shape (product must equal values.size(), else
  /// std::invalid_argument); `axes`, when given, has one coordinate dataset name per dimension.
  /// NaN and inf are stored as they are. Spell the shape `std::vector<int64_t>{n, m}` when no
  /// axes follow: a bare `{n, m}` is ambiguous with the 1-D overload's `units` string.
  void write(const std::string& name, const std::vector<double>& values,
             const std::vector<int64_t>& shape, const std::vector<std::string>& axes = {},
             const std::string& units = "", const std::string& description = "");
  /// 1-D convenience: shape {values.size()}, no axes.
  void write(const std::string& name, const std::vector<double>& values,
             const std::string& units = "", const std::string& description = "");
  /// Row-major int64 array of the given shape (counts, indices, flags).
  void write_int(const std::string& name, const std::vector<int64_t>& values,
                 const std::vector<int64_t>& shape, const std::string& description = "");
  /// Any tensor (copied to CPU float64), shape preserved.
  void write_tensor(const std::string& name, const at::Tensor& tensor,
                    const std::string& description = "");
  /// 1-D dataset of variable-length UTF-8 strings (h5py: `ds.asstr()[()]`).
  void write_strings(const std::string& name, const std::vector<std::string>& values);

  /// Attributes on the root group ("/") or an existing group/dataset path. Groups in `name`
  /// (a/b/c) are created as needed when writing datasets. Strings are stored as UTF-8 (h5py reads
  /// them as str), numbers as float64 / int64 scalars; writing a key again replaces its value.
  /// Pass integers as int64_t: a plain int is ambiguous between the double and int64_t overloads.
  void attribute(const std::string& object, const std::string& key, const std::string& value);
  void attribute(const std::string& object, const std::string& key, double value);
  void attribute(const std::string& object, const std::string& key, int64_t value);
  void attributes(const std::string& object, const Metadata& values);

  /// Writes the file out, syncs it, checks that HDF5 reads it back and renames it onto the final
  /// path. OutputError "PATH: cannot write the file: CAUSE" (No space left on device, Disk quota
  /// exceeded, Input/output error, File too large, ...) on failure, with no file left behind.
  void commit();
  const std::string& path() const { return path_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

/// Reading back (tests, --resume, file: directions). Throws InputError naming the file/dataset.
class H5Reader {
 public:
  /// Opens read-only; InputError when the file is missing or not HDF5.
  explicit H5Reader(const std::string& path);
  ~H5Reader();
  /// Whether a group or dataset exists at `name` (a/b/c; missing intermediate groups are false).
  bool has(const std::string& name) const;
  /// The path of every dataset ("grid/loss"), in HDF5's name order (parents before children).
  std::vector<std::string> datasets() const;
  /// Whether `object` ("/" or a group/dataset path) exists and carries attribute `key`.
  bool has_attribute(const std::string& object, const std::string& key) const;
  /// A numeric dataset as row-major float64 (integers converted); its shape into `shape`.
  std::vector<double> read(const std::string& name, std::vector<int64_t>* shape = nullptr) const;
  /// An integer dataset as row-major int64; float data is an InputError, never truncated.
  std::vector<int64_t> read_int(const std::string& name) const;
  /// A string attribute (variable or fixed length); numeric attributes come back formatted
  /// ("-7", "0.05", shortest text that reads back to the same double).
  std::string attribute(const std::string& object, const std::string& key) const;
  /// A numeric attribute as a double; a string attribute is an InputError.
  double attribute_number(const std::string& object, const std::string& key) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sharpscope

#pragma once
/// Directions stored in HDF5 files: written by the landscape commands (`directions/d1`, ...) and by
/// `hessian spectrum --save-vectors` (`directions/eigK`), read back by `file:F.h5:NAME` and `eigK`.
///
/// Layout: a group NAME holding one dataset per parameter, named by parameter name and shaped like
/// it; or, as an alternative for tools that only have a flat vector, a 1-D dataset NAME_flat of
/// Σ numel values in parameter order.
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

class H5Writer;

/// Writes `values` as group `name`, one float64 dataset per parameter, with a "description"
/// attribute on the group.
void write_direction(H5Writer& writer, const std::string& name,
                     const std::vector<std::string>& parameter_names, const ParamList& values,
                     const std::string& description);

/// Reads direction `name` of `path` shaped, typed and placed like `like`. InputError naming the
/// file and dataset when neither layout is present or a shape does not match the model.
ParamList read_direction(const std::string& path, const std::string& name,
                         const std::vector<std::string>& parameter_names, const ParamList& like);

}  // namespace sharpscope

#include "sharpscope/io/direction_file.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "sharpscope/core/error.h"
#include "sharpscope/core/params.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
  out << "]";
  return out.str();
}

// A NaN in a direction makes every grid point NaN: refuse it where the file is named.
void require_finite(const std::vector<double>& values, const std::string& path,
                    const std::string& dataset) {
  size_t bad = 0;
  for (double v : values) bad += !std::isfinite(v);
  if (bad > 0) {
    throw InputError(path + ": " + dataset + " holds " + std::to_string(bad) +
                     " NaN/inf values; a direction must be finite");
  }
}

}  // namespace

void write_direction(H5Writer& writer, const std::string& name,
                     const std::vector<std::string>& parameter_names, const ParamList& values,
                     const std::string& description) {
  for (size_t i = 0; i < values.size(); ++i) {
    writer.write_tensor(name + "/" + parameter_names[i], values[i], "direction component");
  }
  writer.attribute(name, "description", description);
}

ParamList read_direction(const std::string& path, const std::string& name,
                         const std::vector<std::string>& parameter_names, const ParamList& like) {
  const H5Reader reader(path);
  if (reader.has(name)) {
    ParamList out;
    for (size_t i = 0; i < like.size(); ++i) {
      const std::string dataset = name + "/" + parameter_names[i];
      if (!reader.has(dataset)) {
        throw InputError(path + ": direction '" + name + "' lacks parameter '" +
                         parameter_names[i] + "'");
      }
      std::vector<int64_t> shape;
      const std::vector<double> values = reader.read(dataset, &shape);
      require_finite(values, path, dataset);
      const std::vector<int64_t> expected = like[i].sizes().vec();
      if (shape != expected) {
        throw InputError(path + ": " + dataset + " has shape " + shape_text(shape) +
                         " but the model's parameter has " + shape_text(expected));
      }
      out.push_back(torch::tensor(values, torch::kDouble)
                        .reshape(shape)
                        .to(like[i].device(), like[i].scalar_type()));
    }
    return out;
  }
  const std::string flat_name = name + "_flat";
  if (reader.has(flat_name)) {
    const std::vector<double> values = reader.read(flat_name);
    require_finite(values, path, flat_name);
    if (static_cast<int64_t>(values.size()) != numel(like)) {
      throw InputError(path + ": " + flat_name + " has " + std::to_string(values.size()) +
                       " values but the model has " + std::to_string(numel(like)) + " parameters");
    }
    return unflatten(torch::tensor(values, torch::kDouble), like);
  }
  throw InputError(path + ": no direction '" + name + "' (expected a group " + name +
                   " of per-parameter datasets or a dataset " + flat_name + ")");
}

}  // namespace sharpscope

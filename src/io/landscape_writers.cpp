#include "sharpscope/io/landscape_writers.h"

#include <algorithm>
#include <limits>

#include "io/axes.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/io/direction_file.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/landscape/ascent_curves.h"
#include "sharpscope/landscape/checkpoint_line.h"
#include "sharpscope/landscape/eigen_line.h"
#include "sharpscope/landscape/gradient_geometry.h"
#include "sharpscope/landscape/loss_decrease.h"
#include "sharpscope/landscape/sharpness.h"
#include "sharpscope/landscape/surface.h"
#include "sharpscope/landscape/trajectory.h"

namespace sharpscope {

namespace {

using Shape = std::vector<int64_t>;

int64_t size_of(const std::vector<double>& v) { return static_cast<int64_t>(v.size()); }

std::vector<double> as_doubles(const std::vector<int>& v) { return {v.begin(), v.end()}; }

// Axes and the values of a [nx, ny] grid (or [nx] line) under the given names.
void write_grid_axes(H5Writer& w, const std::vector<double>& x, const std::vector<double>& y) {
  w.write("x", x, "", "coordinate along direction d1");
  if (!y.empty()) w.write("y", y, "", "coordinate along direction d2");
}

void write_grid(H5Writer& w, const std::string& name, const std::vector<double>& values,
                const std::vector<double>& x, const std::vector<double>& y,
                const std::string& units, const std::string& description) {
  if (y.empty()) {
    w.write(name, values, Shape{size_of(x)}, {"x"}, units, description);
  } else {
    w.write(name, values, Shape{size_of(x), size_of(y)}, {"x", "y"}, units, description);
  }
}

}  // namespace

void write_result(H5Writer& w, const AscentCurves& r) {
  w.attribute("/", "result_kind", std::string("ascent_curves"));
  const int64_t ns = static_cast<int64_t>(r.steps.size());
  const int64_t width = ns == 0 ? 0 : size_of(r.iterate_loss) / ns;
  std::vector<double> iterate(static_cast<size_t>(width));
  for (int64_t n = 0; n < width; ++n) iterate[static_cast<size_t>(n)] = static_cast<double>(n);
  w.write("steps", as_doubles(r.steps), "", "number of ascent steps N of each curve");
  w.write("k", r.k, "", "distance k along v_N");
  w.write("iterate", iterate, "", "ascent iterate index n");
  w.write("loss", r.loss, Shape{ns, size_of(r.k)}, {"steps", "k"}, "nats", "L(w + k v_N)");
  w.write("accuracy", r.accuracy, Shape{ns, size_of(r.k)}, {"steps", "k"}, "fraction",
          "accuracy at w + k v_N");
  w.write("perturbed_loss", r.perturbed_loss, Shape{ns}, {"steps"}, "nats",
          "L(w^pN) = L(w + rho v_N)");
  w.write("displacement", r.displacement, Shape{ns}, {"steps"}, "",
          "|w^N - w|, the ascent's reach");
  w.write("iterate_loss", r.iterate_loss, Shape{ns, width}, {"steps", "iterate"}, "nats",
          "L(w^n) at the ascent iterates n = 0..N (NaN beyond N)");
  w.attribute("/", "non_finite_points", r.non_finite);
}

void write_result(H5Writer& w, const Surface& r, const std::string& split) {
  w.attribute("/", "result_kind", std::string("surface"));
  write_grid_axes(w, r.x, r.y);
  write_grid(w, "loss", r.loss, r.x, r.y, "nats", "L(w + x d1 + y d2)");
  write_grid(w, "accuracy", r.accuracy, r.x, r.y, "fraction", "accuracy at w + x d1 + y d2");
  // Goldstein et al.'s loss-landscape names, (nx, ny) with x first, accuracy in percent.
  std::vector<double> percent(r.accuracy);
  for (double& a : percent) a *= 100.0;
  w.write("xcoordinates", r.x, "", "loss-landscape alias of x");
  if (!r.y.empty()) w.write("ycoordinates", r.y, "", "loss-landscape alias of y");
  const auto alias_shape = r.y.empty() ? Shape{size_of(r.x)} : Shape{size_of(r.x), size_of(r.y)};
  const auto alias_axes = r.y.empty() ? std::vector<std::string>{"xcoordinates"}
                                      : std::vector<std::string>{"xcoordinates", "ycoordinates"};
  w.write(split + "_loss", r.loss, alias_shape, alias_axes, "nats", "loss-landscape alias of loss");
  w.write(split + "_acc", percent, alias_shape, alias_axes, "percent",
          "loss-landscape alias of accuracy, x100");
  w.attribute("/", "non_finite_points", r.non_finite);
}

void write_result(H5Writer& w, const CheckpointLine& r) {
  w.attribute("/", "result_kind", std::string("checkpoint_line"));
  const Shape shape{size_of(r.alpha)};
  w.write("alpha", r.alpha, "", "(1 - alpha) w_A + alpha w_B");
  w.write("train_loss", r.train_loss, shape, {"alpha"}, "nats", "training loss");
  w.write("train_error", r.train_error, shape, {"alpha"}, "fraction", "training error rate");
  w.write("test_loss", r.test_loss, shape, {"alpha"}, "nats", "test loss");
  w.write("test_error", r.test_error, shape, {"alpha"}, "fraction", "test error rate");
  w.write("distance", {r.distance}, "", "|w_B - w_A|");
  w.attribute("/", "non_finite_points", r.non_finite);
}

void write_result(H5Writer& w, const EigenLineSeries& r) {
  w.attribute("/", "result_kind", std::string("eigen_lines"));
  const int64_t models = static_cast<int64_t>(r.lines.size()), top = r.top;
  const std::vector<double> t = r.lines.empty() ? std::vector<double>{} : r.lines.front().t;
  const int64_t nt = size_of(t);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> eigenvalue(static_cast<size_t>(models * top), nan), residual = eigenvalue;
  std::vector<double> loss(static_cast<size_t>(models * top * nt), nan), accuracy = loss;
  for (int64_t m = 0; m < models; ++m) {
    const EigenLine& line = r.lines[static_cast<size_t>(m)];
    std::copy(line.eigenvalues.begin(), line.eigenvalues.end(), eigenvalue.begin() + m * top);
    std::copy(line.residuals.begin(), line.residuals.end(), residual.begin() + m * top);
    std::copy(line.loss.begin(), line.loss.end(), loss.begin() + m * top * nt);
    std::copy(line.accuracy.begin(), line.accuracy.end(), accuracy.begin() + m * top * nt);
    for (size_t i = 0; i < line.vectors.size(); ++i) {
      write_direction(
          w, "directions/model" + std::to_string(m) + "/eig" + std::to_string(i + 1),
          line.parameter_names, line.vectors[i],
          "unit " + r.curvature + " eigenvector, eigenvalue " + number_text(line.eigenvalues[i]));
    }
  }
  w.write_strings("models", r.models);
  w.write_strings("model_sha256", r.model_sha256);
  w.write("model", index_values(models), "", "model index (models)");
  w.write("eig", index_values(top, 1.0), "", "eigenvector rank (1 = largest)");
  w.write("t", t, "", "step along the unit eigenvector: w + t v");
  w.write("eigenvalue", eigenvalue, Shape{models, top}, {"model", "eig"}, "",
          "top " + r.curvature + " eigenvalues");
  w.write("residual", residual, Shape{models, top}, {"model", "eig"}, "",
          "||Mv - lambda v||, measured (M the curvature)");
  w.attribute("/", "curvature", r.curvature);
  w.write("loss", loss, Shape{models, top, nt}, {"model", "eig", "t"}, "nats", "L(w + t v)");
  w.write("accuracy", accuracy, Shape{models, top, nt}, {"model", "eig", "t"}, "fraction",
          "accuracy at w + t v");
}

void write_result(H5Writer& w, const CosineMatrix& r) {
  w.attribute("/", "result_kind", std::string("cosine_matrix"));
  const int64_t n = static_cast<int64_t>(r.steps.size());
  w.write("steps", as_doubles(r.steps), "", "N of w^pN (0 = w)");
  w.write("cosine", r.cosine, Shape{n, n}, {"steps", "steps"}, "",
          "cos(grad L(w^pNi), grad L(w^pNj))");
  w.write("gradient_norm", r.gradient_norm, Shape{n}, {"steps"}, "", "|grad L(w^pN)|");
  w.write("loss", r.loss, Shape{n}, {"steps"}, "nats", "L(w^pN)");
}

void write_result(H5Writer& w, const CosineField& r) {
  w.attribute("/", "result_kind", std::string("cosine_field"));
  write_grid_axes(w, r.x, r.y);
  const std::string reference = "grad L(w^p" + std::to_string(r.reference_steps) + ")";
  write_grid(w, "cosine", r.cosine, r.x, r.y, "",
             "cos(" + reference + ", grad L(w + x d1 + y d2))");
  write_grid(w, "gradient_norm", r.gradient_norm, r.x, r.y, "", "|grad L(w + x d1 + y d2)|");
  write_grid(w, "loss", r.loss, r.x, r.y, "nats", "L(w + x d1 + y d2)");
  w.write("reference_norm", {r.reference_norm}, "", "|" + reference + "|");
  w.attribute("/", "reference_steps", static_cast<int64_t>(r.reference_steps));
}

void write_result(H5Writer& w, const LossDecrease& r) {
  w.attribute("/", "result_kind", std::string("loss_decrease"));
  const int64_t n = static_cast<int64_t>(r.steps.size());
  w.write("steps", as_doubles(r.steps), "", "N of the gradients grad L(w^pN) and weights w^pM");
  w.write("delta", r.delta, Shape{n, n}, {"steps", "steps"}, "nats",
          "L(u) - L(u - lr g), rows g = grad L(w^pN), columns u = w^pM");
  w.write("loss", r.loss, Shape{n}, {"steps"}, "nats", "L(w^pM)");
  w.write("gradient_norm", r.gradient_norm, Shape{n}, {"steps"}, "", "|grad L(w^pN)|");
  w.attribute("/", "lr", r.lr);
  if (r.t.empty()) return;
  const std::string from = "w^p" + std::to_string(r.segment.first);
  const std::string to = "w^p" + std::to_string(r.segment.second);
  w.write("t", r.t, "", "u = (1 - t) " + from + " + t " + to);
  w.write("segment_delta", r.segment_delta, Shape{n, size_of(r.t)}, {"steps", "t"}, "nats",
          "L(u) - L(u - lr g) along the segment, rows g = grad L(w^pN)");
  w.write("segment_loss", r.segment_loss, Shape{size_of(r.t)}, {"t"}, "nats",
          "L(u) along the segment");
  w.attribute("/", "segment_from", static_cast<int64_t>(r.segment.first));
  w.attribute("/", "segment_to", static_cast<int64_t>(r.segment.second));
}

void write_result(H5Writer& w, const std::vector<std::string>& models,
                  const std::vector<std::string>& labels, const std::vector<Sharpness>& results,
                  const std::vector<GroupStatistics>& groups) {
  w.attribute("/", "result_kind", std::string("sharpness"));
  const int64_t m = static_cast<int64_t>(results.size());
  w.write_strings("models/path", models);
  w.write_strings("models/group", labels);
  std::vector<std::vector<std::pair<std::string, double>>> rows;
  for (const Sharpness& r : results) rows.push_back(sharpness_quantities(r));
  for (size_t q = 0; !rows.empty() && q < rows[0].size(); ++q) {
    std::vector<double> column;
    for (const auto& row : rows) column.push_back(row[q].second);
    w.write("models/" + rows[0][q].first, column, Shape{m}, {}, "",
            rows[0][q].first + " per model");
  }
  const auto matrix = [&](const std::string& name, auto member, const std::string& description) {
    size_t width = 0;
    for (const Sharpness& r : results) width = std::max(width, (r.*member).size());
    if (width == 0) return;
    std::vector<double> values;
    for (const Sharpness& r : results) {
      std::vector<double> row = r.*member;
      row.resize(width, std::numeric_limits<double>::quiet_NaN());
      values.insert(values.end(), row.begin(), row.end());
    }
    w.write(name, values, Shape{m, static_cast<int64_t>(width)}, {}, "nats", description);
  };
  matrix("models/max_per_step", &Sharpness::max_per_step, "L(w^pn), n = 1..max_steps");
  matrix("models/avg_samples", &Sharpness::avg_samples, "L(w + rho u/|u|) per Monte-Carlo sample");
  if (groups.empty()) return;
  std::vector<std::string> names;
  std::vector<int64_t> members;
  for (const GroupStatistics& g : groups) {
    names.push_back(g.group);
    members.push_back(g.members);
  }
  w.write_strings("groups/names", names);
  w.write_int("groups/members", members, Shape{static_cast<int64_t>(groups.size())},
              "models per group");
  for (size_t q = 0; q < groups[0].names.size(); ++q) {
    std::vector<double> mean, std;
    for (const GroupStatistics& g : groups) {
      mean.push_back(g.mean[q]);
      std.push_back(g.std[q]);
    }
    w.write("groups/" + groups[0].names[q] + "_mean", mean,
            Shape{static_cast<int64_t>(groups.size())}, {}, "", "mean over the group's models");
    w.write("groups/" + groups[0].names[q] + "_std", std,
            Shape{static_cast<int64_t>(groups.size())}, {}, "",
            "sample standard deviation over the group's models");
  }
}

void write_result(H5Writer& w, const Trajectory& r, const std::vector<std::string>& models,
                  const std::vector<double>& epochs,
                  const std::vector<std::string>& parameter_names) {
  w.attribute("/", "result_kind", std::string("trajectory"));
  const int64_t n = static_cast<int64_t>(models.size());
  std::vector<double> x, y;
  for (int64_t i = 0; i < n; ++i) {
    x.push_back(r.coordinates[static_cast<size_t>(2 * i)]);
    y.push_back(r.coordinates[static_cast<size_t>(2 * i + 1)]);
  }
  w.write_strings("models", models);
  w.write("model", index_values(n), "", "checkpoint index (models), in path order");
  w.write("component", index_values(2, 1.0), "", "principal component k");
  w.write("epoch", epochs, Shape{n}, {"model"}, "",
          "the checkpoint's epoch from its metadata (NaN when it has none)");
  w.write("coordinates", r.coordinates, Shape{n, 2}, {"model", "component"}, "",
          "<w_i - w_final, pc_k>: the checkpoint on the PCA plane around w_final");
  w.write("x", x, Shape{n}, {"model"}, "", "coordinate along pca1 (coordinates[:, 0])");
  w.write("y", y, Shape{n}, {"model"}, "", "coordinate along pca2 (coordinates[:, 1])");
  w.write("off_plane", r.off_plane, Shape{n}, {"model"}, "",
          "|w_i - w_final - projection|: the distance of the checkpoint from the plane");
  w.write("distance", r.distance, Shape{n}, {"model"}, "", "|w_i - w_final|");
  w.write("singular_values", r.singular_values, Shape{2}, {"component"}, "",
          "singular values of the (centered) difference matrix");
  w.write("explained_variance", r.explained_variance, Shape{2}, {"component"}, "",
          "sigma_k^2 / (n - 1) when centered, as scikit-learn's PCA reports it; sigma_k^2 / n "
          "uncentered (root attribute 'centered')");
  w.write("explained_variance_ratio", r.explained_variance_ratio, Shape{2}, {"component"}, "",
          "sigma_k^2 / sum of all sigma^2");
  w.attribute("/", "cosine_pc1_pc2", r.cosine_pc1_pc2);
  for (int k = 0; k < 2; ++k) {
    const std::string group = "directions/pca" + std::to_string(k + 1);
    write_direction(w, group, parameter_names, r.directions[static_cast<size_t>(k)],
                    "unit principal direction " + std::to_string(k + 1) +
                        " of the path, explained variance ratio " +
                        number_text(r.explained_variance_ratio[static_cast<size_t>(k)]));
    w.attribute(group, "spec", "pca" + std::to_string(k + 1));
  }
}

}  // namespace sharpscope

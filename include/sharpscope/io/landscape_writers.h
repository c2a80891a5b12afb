#pragma once
/// HDF5 layouts of the landscape, gradient-geometry and sharpness results (docs/landscape.md).
/// Each writer sets the root attribute `result_kind` and writes coordinate datasets first, so
/// every value dataset names its axes.
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

class H5Writer;
struct AscentCurves;
struct Surface;
struct CheckpointLine;
struct CosineMatrix;
struct CosineField;
struct LossDecrease;
struct Sharpness;
struct GroupStatistics;
struct EigenLineSeries;
struct Trajectory;

/// result_kind "ascent_curves": steps, k, loss/accuracy [steps, k], perturbed_loss, displacement
/// [steps], iterate_loss [steps, iterate].
void write_result(H5Writer& writer, const AscentCurves& result);

/// result_kind "surface": x, y, loss/accuracy [x, y] (or [x] for a line), plus Goldstein's
/// loss-landscape names xcoordinates, ycoordinates, <split>_loss, <split>_acc (accuracy in percent,
/// as loss-landscape stores it), shaped (nx, ny) with x on the first axis.
void write_result(H5Writer& writer, const Surface& result, const std::string& split);

/// result_kind "checkpoint_line": alpha, train_loss, train_error, test_loss, test_error, distance.
void write_result(H5Writer& writer, const CheckpointLine& result);

/// result_kind "cosine_matrix": steps, cosine [steps, steps], gradient_norm, loss.
void write_result(H5Writer& writer, const CosineMatrix& result);

/// result_kind "cosine_field": x, y, cosine, gradient_norm, loss [x, y]; reference_norm.
void write_result(H5Writer& writer, const CosineField& result);

/// result_kind "loss_decrease": steps, delta [gradient, weight], loss, gradient_norm; with a
/// segment also t, segment_delta [gradient, t], segment_loss.
void write_result(H5Writer& writer, const LossDecrease& result);

/// result_kind "eigen_lines": models, model_sha256 (strings), model [M], eig [top], t [T];
/// eigenvalue, residual [M, top]; loss, accuracy [M, top, T] (NaN where a model's solve returned
/// fewer than top pairs); directions/model<m>/eig<i>.
void write_result(H5Writer& writer, const EigenLineSeries& result);

/// result_kind "trajectory": models (strings) [n], model [n], component [2], epoch [n];
/// coordinates [n, 2], x, y, off_plane, distance [n]; singular_values, explained_variance,
/// explained_variance_ratio [2]; directions/pca1, directions/pca2 (the direction layout,
/// io/direction_file.h) — `--dirs pca1,pca2 --trajectory FILE` reads them.
void write_result(H5Writer& writer, const Trajectory& result,
                  const std::vector<std::string>& models, const std::vector<double>& epochs,
                  const std::vector<std::string>& parameter_names);

/// result_kind "sharpness": one row per model of every quantity (`models/<quantity>` [model]),
/// per-model vectors (max_per_step [model, n], avg_samples [model, K]), and with groups
/// `groups/<quantity>_mean|_std` [group] plus groups/names and groups/members.
void write_result(H5Writer& writer, const std::vector<std::string>& models,
                  const std::vector<std::string>& labels, const std::vector<Sharpness>& results,
                  const std::vector<GroupStatistics>& groups);

}  // namespace sharpscope

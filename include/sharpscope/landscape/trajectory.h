#pragma once
/// The optimization path projected onto its PCA plane (docs/math.md §19; Li et al. 2018 §7,
/// loss-landscape's `plot_trajectory.py`): for checkpoints w₁ … w_n of one training run, with
/// w_n = w_final the reference, the principal directions of the differences xᵢ = wᵢ − w_final
/// (centered over i, as scikit-learn's PCA that loss-landscape calls), their explained variance,
/// and the coordinates ⟨xᵢ, pc_k⟩ of every checkpoint. `landscape interp --dirs pca1,pca2` then
/// draws the loss on that plane around w_final, and the path on it.
#include <cstdint>
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

struct TrajectoryOptions {
  /// Tensors taking part (indices into the parameter list, ascending); the others are zero in
  /// the differences and the directions. Empty = all.
  std::vector<size_t> tensors;
  /// Subtract the mean difference before the PCA (scikit-learn's PCA, loss-landscape); false
  /// gives the uncentered principal directions of the xᵢ themselves.
  bool center = true;
};

struct Trajectory {
  /// pc1, pc2: unit, orthogonal (to float64 round-off), shaped like the parameters, model dtype.
  /// Signs are fixed so that the first checkpoint has coordinates ≤ 0.
  std::vector<ParamList> directions;
  std::vector<double> singular_values;           ///< [2] σ_k of the (centered) difference matrix
  std::vector<double> explained_variance;        ///< [2] σ_k²/(n − 1) (scikit-learn's)
  std::vector<double> explained_variance_ratio;  ///< [2] σ_k² / Σ_all σ²
  /// [n, 2] row-major: ⟨wᵢ − w_final, pc_k⟩ (uncentered, so w_final is at (0, 0)).
  std::vector<double> coordinates;
  std::vector<double> off_plane;  ///< [n] ‖xᵢ − its projection‖: the part the plane misses
  std::vector<double> distance;   ///< [n] ‖wᵢ − w_final‖
  double cosine_pc1_pc2 = 0.0;    ///< ⟨pc1, pc2⟩ after orthogonalization (≈ 0; reported)
};

/// PCA of the checkpoints `weights` (w₁ … w_n, model dtype, all shaped alike; the last is
/// w_final), consumed to save memory: n·d values are held at once. Cost: n(n+1)/2 inner products
/// of parameter vectors and 2n axpys. UsageError when n < 3 (x_n = 0: fewer span no plane) or
/// when the differences span fewer than two directions.
Trajectory pca_trajectory(std::vector<ParamList> weights, const TrajectoryOptions& options = {});

}  // namespace sharpscope

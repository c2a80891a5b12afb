#pragma once
/// Directions in parameter space for landscapes (docs/math.md §4, Kim et al. Fig. 4, Li et al.
/// 2018).
///
/// Kinds (the --dirs item of each in parentheses; commands/parse.h parses them):
///   ascent      (vN)            unit ascent direction v_N (N ≥ 1) with --rho, --ratio and --scope
///   random      (rand[:SEED])   filter-normalized Gaussian (SEED defaults to --seed + position)
///   eigen       (eigK)          K-th curvature eigenvector, `directions/eigK` of --eigen-file
///   pca         (pcaK)          K-th principal direction of a training path, `directions/pcaK`
///                               of --trajectory (written by `landscape trajectory`, §19)
///   checkpoint  (to:FILE.pt)    w_other − w, the difference to another checkpoint of the same
///                               architecture
///   file        (file:F.h5:NAME) a stored direction (layout: io/direction_file.h)
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/types.h"
#include "sharpscope/landscape/perturbation.h"

namespace sharpscope {

class Objective;

enum class DirectionKind { kAscent, kRandom, kEigen, kPca, kCheckpoint, kFile };

struct DirectionSpec {
  DirectionKind kind = DirectionKind::kRandom;
  std::string text;              ///< as given, e.g. "v10" (recorded in outputs)
  int index = 0;                 ///< N of vN, K of eigK and pcaK
  std::optional<uint64_t> seed;  ///< rand:SEED
  std::string path;              ///< to:PATH, file:PATH:NAME
  std::string name;              ///< NAME of file:PATH:NAME
};

/// Reads stored direction `name` of file `path` shaped, typed and placed like the model's
/// parameters (eigen and file kinds). The caller supplies it (io/direction_file.h's
/// read_direction): the landscape area reads no files.
using StoredDirectionReader =
    std::function<ParamList(const std::string& path, const std::string& name)>;

/// What building a direction may need besides the spec.
struct DirectionOptions {
  AscentOptions ascent;               ///< ρ and ratio of vN (steps come from the spec)
  Scope scope = Scope::kFull;         ///< vN from ∇L_S, or from the objective's first batch
  bool include_bn = false;            ///< rand: keep 1-D tensors (biases, BN weights)
  uint64_t seed = 0;                  ///< rand without :SEED uses seed + position
  std::string eigen_file;             ///< eigK: output of `hessian spectrum --save-vectors`
  std::string trajectory_file;        ///< pcaK: output of `landscape trajectory`
  StoredDirectionReader read_stored;  ///< needed by the eigen, pca and file kinds
};

/// A direction and how it was made.
struct Direction {
  std::string spec;         ///< the spec text
  std::string description;  ///< one line, e.g. "v10: 10-step ascent direction, rho 0.1, full scope"
  ParamList values;         ///< shaped like the parameters, model dtype/device
};

/// Builds the direction of `spec` at the model's current weights w (restored on return).
/// `position` is the spec's index in --dirs (seeds `rand`). Cost: N gradient passes for vN,
/// nothing else for the others. InputError for unreadable or mismatched files.
Direction build_direction(const DirectionSpec& spec, const Objective& objective,
                          const DirectionOptions& options, int position);

/// Li et al. 2018 filter normalization of a Gaussian direction drawn from `seed` (CPU float64
/// generator, so the direction does not depend on device or dtype): each row/output filter d[i]
/// of a ≥2-D tensor is rescaled to ‖w[i]‖. 1-D tensors are zero unless `include_bn`, in which case
/// each is rescaled as one filter to ‖w‖.
ParamList filter_normalized_random(const ParamList& weights, uint64_t seed, bool include_bn);

/// Gram–Schmidt on a pair: d1 ← d1/‖d1‖, d2 ← (d2 − ⟨d2,d1⟩d1)/‖…‖. UsageError naming
/// --orthogonalize when a direction is zero or the two are parallel.
void orthonormalize(ParamList& d1, ParamList& d2);

}  // namespace sharpscope

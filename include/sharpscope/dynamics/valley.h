#pragma once
/// The 1-D valleys of Park (002 §3.1, Fig. 3.1; docs/math.md §9) and their SAM objective
///   L̃(w) = max_{|ε| ≤ ρ} L(w + ε),
/// computed exactly: the maximum of a smooth L over [w − ρ, w + ρ] lies at an end or at one of L's
/// interior local maxima, so L̃(w) = max(L(w − ρ), L(w + ρ), L(m) for local maxima m inside).
#include <functional>
#include <string>
#include <vector>

namespace sharpscope {

struct ValleyLoss {
  std::string name;
  std::function<double(double)> value;
  std::vector<double> local_maxima;  ///< every local maximum of L (where L̃'s max can be interior)
  double grid_start = 0.0, grid_stop = 0.0;  ///< default plotting range
  /// c of an (r, p, c, 0)-asymmetric valley at w* = 0 (002 Definition 2.3.1), when the loss is
  /// one by construction (the piecewise-linear valley); 0 otherwise. With it, 002 Lemma 7.1.4
  /// places the minimum of L̃ in [(c−1)ρ/(c+1), ρ).
  double steepness = 0.0;
};

/// sextic: w²(w−1)²(w−2)² (symmetric about its middle minimum w = 1; local maxima 1 ± 1/√3).
ValleyLoss sextic_valley();
/// LINEX: e^{αw} − αw − 1 (minimum 0 at w = 0; for α < 0 steep for w < 0, flat with slope → |α| for
/// w > 0).
ValleyLoss linex_valley(double alpha = -0.3);
/// The LINEX value itself (also the coordinate loss of toy valley2d).
double linex(double alpha, double w);
/// quadratic: w²/2 (tests: L̃(w) = L(|w| + ρ)).
ValleyLoss quadratic_valley();
/// asymmetric: the piecewise-linear (r, p, c, 0)-asymmetric valley of 002 Lemma 7.1.4 and Fig. 7.1,
/// L(w) = p·w for w ≥ 0 and −c·p·w for w < 0 (p = `slope` > 0, c = `steepness` ≥ 1). Convex, so
/// L̃(w) = max(L(w − ρ), L(w + ρ)), and its minimum is where p(w + ρ) = cp(ρ − w):
/// w̃* = (c−1)ρ/(c+1), the lower end of the lemma's interval (docs/math.md §9).
ValleyLoss asymmetric_valley(double slope = 1.0, double steepness = 3.0);
enum class ValleyKind { kSextic, kLinex, kQuadratic, kAsymmetric };
/// Parameters of the parameterized losses (only the kind's own are used).
struct ValleyParameters {
  double alpha = -0.3;     ///< LINEX α (--alpha): finite, non-zero
  double slope = 1.0;      ///< asymmetric p (--slope): finite, > 0
  double steepness = 3.0;  ///< asymmetric c (--steepness): finite, >= 1
};
/// The loss of a kind; UsageError naming --alpha, --slope or --steepness when its value is out
/// of range.
ValleyLoss valley_loss(ValleyKind kind, const ValleyParameters& parameters);

/// L̃(w) for radius ρ ≥ 0 (exact, see above).
double sam_objective(const ValleyLoss& loss, double w, double rho);

/// A local minimum of a 1-D function, refined from a grid minimum by golden-section search on the
/// two neighbouring cells to `tolerance` in w.
struct ValleyMinimum {
  double w = 0.0;
  double value = 0.0;
};
std::vector<ValleyMinimum> local_minima(const std::function<double(double)>& f,
                                        const std::vector<double>& grid, double tolerance = 1e-10);
/// Golden-section search for the minimum of f, unimodal on [a, b], until the bracket is shorter
/// than `tolerance`. Near a minimum f's differences fall below rounding once the bracket is about
/// √ε·|w| wide, so the position is accurate to ~1e-8 relative whatever smaller tolerance is asked.
double golden_section_minimum(const std::function<double(double)>& f, double a, double b,
                              double tolerance);

struct ValleyCurves {
  ValleyLoss loss;
  std::vector<double> w, rhos;
  std::vector<double> loss_values;                     ///< L(w)
  std::vector<double> sam_values;                      ///< [rho][w]: L̃(w)
  std::vector<ValleyMinimum> minima;                   ///< of L
  std::vector<std::vector<ValleyMinimum>> sam_minima;  ///< of L̃, per ρ
  /// For each ρ and each minimum of L̃: w̃* − w* for the nearest minimum w* of L (the SAM bias).
  std::vector<std::vector<double>> shifts;
};

ValleyCurves valley_curves(const ValleyLoss& loss, const std::vector<double>& rhos,
                           const std::vector<double>& w);

}  // namespace sharpscope

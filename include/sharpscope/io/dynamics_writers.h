#pragma once
/// HDF5 layouts of the dynamics experiments (docs/dynamics.md). Each writer sets the root attribute
/// `result_kind`; value datasets name their coordinate datasets in `axes`.
namespace sharpscope {

class H5Writer;
struct EscapeResult;
struct SaddleSweep;
struct ValleyCurves;
struct Valley2dResult;
struct StabilityResult;

/// result_kind "escape_time": configs/{label, optimizer, rho}, trial, step; steps and censored
/// [config, trial]; accuracy [config, trial, step] (NaN after the escape); summary/{mean, std,
/// median, censored} [config].
void write_result(H5Writer& writer, const EscapeResult& result);

/// result_kind "saddle_success": lr, optimizers/{label, name, rho}, outcome names; success_rate
/// [optimizer, lr]; outcome_counts [optimizer, lr, outcome]; starts [start, 2].
void write_result(H5Writer& writer, const SaddleSweep& result);

/// result_kind "valley": w, rho, loss [w], sam_objective [rho, w]; minima/{w, value} of L and
/// sam_minima/{rho, w, value, shift} of L̃; for an asymmetric valley also theorem_interval/{lower,
/// upper} [rho] (002 Lemma 7.1.4) and the attribute `steepness` (c).
void write_result(H5Writer& writer, const ValleyCurves& result);

/// result_kind "valley2d": w1, w2, rho, loss [w1, w2], sam_objective [rho, w1, w2],
/// minimum/{w1, w2, value} of L, sam_minima/{w1, w2, value} [rho] of L̃; attributes alpha1, alpha2.
void write_result(H5Writer& writer, const Valley2dResult& result);

/// result_kind "stability": epoch; per optimizer <name>/{distance, normalized_distance} and
/// <name>/{S,Sprime}/{train_loss, test_loss, train_accuracy, test_accuracy, loss_gap, error_gap}.
void write_result(H5Writer& writer, const StabilityResult& result);

}  // namespace sharpscope

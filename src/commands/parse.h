#pragma once
/// The one place that parses text: every flag value of every command becomes a typed value here,
/// at the boundary, and the library below takes only typed values. Each parser throws UsageError
/// with a one-line message naming the flag, the value and what was expected
/// ("--x = '1:0:5': empty grid (stop < start)"); `flag` is the flag being parsed.
///
/// Grammars:
///   range      start:stop:count[:log]    ("-0.2:0.2:21" = 21 values from −0.2 to 0.2 inclusive)
///   lists      1,2,5 (integers) · 0.05,0.1 (numbers) · v1,v10 (names) · 1:2:1 (ratio parts)
///   --data     fmnist[:DIR] | mnist:DIR | cifar10:DIR | cifar100:DIR | synthetic[:N,C,H,W,K,SEED]
///              (synthetic defaults 512,1,8,8,4,0; a shorter list overrides the leading values)
///   --dirs     vN | rand[:SEED] | eigK | pca1 | pca2 | to:FILE.pt | file:F.h5:NAME
///   --optimizer  sgd | sam | sam-N | msam-N | rand-sam | asam | stablesam | stableasam | gsam |
///              psam | esam (named combinations fill in their modifiers where still at defaults)
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sharpscope/dynamics/saddle.h"

// The parsed types, declared only: each command includes the headers of the ones it uses.
namespace sharpscope {
enum class Augment;
enum class BaseKind;
enum class BatchNormMode;
enum class Curvature;
enum class DiagonalMethod;
enum class DistBackend;
enum class EigenMethod;
enum class GroupBy;
enum class HvpMode;
enum class InputLayout;
enum class LrScheduleKind;
enum class ParallelMode;
enum class ProbeKind;
enum class SaddleMethod;
enum class SamSync;
enum class Schedule;
enum class Scope;
enum class SpectrumEnd;
enum class TraceMethod;
enum class Split;
enum class ValleyKind;
struct DataSpec;
struct DirectionSpec;
struct RuleOptions;
struct SharpnessOptions;
}  // namespace sharpscope

namespace sharpscope::cli {

// ---- Numbers, lists and ranges
// -------------------------------------------------------------------

/// `count` evenly spaced values from `start` to `stop` inclusive (count = 1 gives {start}); with
/// `log`, evenly spaced on a logarithmic scale (learning-rate sweeps).
struct Range {
  double start = 0.0;
  double stop = 0.0;
  int64_t count = 1;
  bool log = false;
  /// The values; the first is exactly `start` and the last exactly `stop` (each value computed
  /// from the ends, no accumulation).
  std::vector<double> values() const;
};

/// "start:stop:count" or "start:stop:count:log"; rejects a malformed text, count < 1, non-finite
/// bounds, stop < start, start ≠ stop with count = 1, and a log range with start ≤ 0.
Range parse_range(const std::string& text, const std::string& flag);

/// "0.05,0.2,0.5": finite numbers ≥ `minimum`.
std::vector<double> parse_number_list(const std::string& text, const std::string& flag,
                                      double minimum);

/// "0,1,2,5": integers ≥ `minimum`, strictly increasing, without duplicates.
std::vector<int> parse_int_list(const std::string& text, const std::string& flag, int minimum);

/// "v1,v10": non-empty names separated by commas.
std::vector<std::string> parse_name_list(const std::string& text, const std::string& flag);

/// "1:2:1": positive finite ratio parts (relative ascent step sizes).
std::vector<double> parse_ratio(const std::string& text, const std::string& flag);

// ---- Runtime and data
// ----------------------------------------------------------------------------

/// "float32" | "float64" (also "float" | "double").
c10::ScalarType parse_dtype(const std::string& text);
/// "cpu" | "cuda" | "cuda:N" (the syntax only; configure_runtime checks the device exists).
c10::Device parse_device(const std::string& text);
BatchNormMode parse_bn_mode(const std::string& text);  ///< --bn: eval | train
/// --batch-size: a positive integer, or "auto" (nullopt: chosen by choose_batch_size).
std::optional<int64_t> parse_batch_size(const std::string& text);
InputLayout parse_layout(const std::string& text);  ///< --layout: auto | nchw | channels-last
Split parse_split(const std::string& text);         ///< --split: train | test
/// --data (grammar above); checks no files: load_dataset does. `flag` names where the text came
/// from (a checkpoint's metadata is reported as such).
DataSpec parse_data_spec(const std::string& text, const std::string& flag = "--data");

// ---- Analyses
// ------------------------------------------------------------------------------------

Scope parse_scope(const std::string& text);  ///< --scope: full | batch
/// One --dirs item (grammar above).
DirectionSpec parse_direction(const std::string& text, const std::string& flag = "--dirs");
/// --kinds: any of asc,max,avg; sets the three switches of `options`.
void parse_sharpness_kinds(const std::string& text, SharpnessOptions& options);
HvpMode parse_hvp_mode(const std::string& text);          ///< --hvp: exact | finite-difference
EigenMethod parse_eigen_method(const std::string& text);  ///< --method: lanczos | power
SpectrumEnd parse_spectrum_end(const std::string& text);  ///< --which: largest | smallest | both
ProbeKind parse_probe_kind(const std::string& text);      ///< --probe: rademacher | gaussian
TraceMethod parse_trace_method(const std::string& text);  ///< --method: hutchinson | hutch++
/// --curvature: hessian | ggn | ef | mc-fisher
Curvature parse_curvature(const std::string& text);
/// --method of `hessian diagonal`: auto | exact | hutchinson | diag++
DiagonalMethod parse_diagonal_method(const std::string& text);
GroupBy parse_group_by(const std::string& text);  ///< --group-by: tensor | module

// ---- Training
// ------------------------------------------------------------------------------------

/// Applies an --optimizer name (grammar above) to `options`: the variant, N of SAM-N / MSAM-N, and
/// the modifiers of a named combination (stablesam = sam + --stable, stableasam = asam + --stable,
/// gsam = sam with α = 0.1, psam = sam with schedule psam, esam = sam with β = 0.5) where they are
/// still at their defaults.
void apply_optimizer_name(const std::string& name, RuleOptions& options);
Schedule parse_schedule(
    const std::string& text);  ///< --schedule: always | psam | sgd-sam | sam-sgd
BaseKind parse_base_kind(const std::string& text);  ///< --base: sgd | adamw
LrScheduleKind parse_lr_schedule(
    const std::string& text);                     ///< --lr-schedule: constant | step | cosine
Augment parse_augment(const std::string& text);   ///< --augment: auto | on | off
SamSync parse_sam_sync(const std::string& text);  ///< --sam-sync: global | local

// ---- Distributed
// ---------------------------------------------------------------------------------

DistBackend parse_dist_backend(const std::string& text);    ///< --dist-backend: auto | gloo | nccl
ParallelMode parse_parallel_mode(const std::string& text);  ///< --parallel: auto | points | data

// ---- Toy problems
// --------------------------------------------------------------------------------

SaddleMethod parse_saddle_method(const std::string& text);  ///< gd | sam | stablesam
SaddleCriterion::Kind parse_saddle_criterion(
    const std::string& text);  ///< --criterion: basin | distance
ValleyKind parse_valley_kind(
    const std::string& text);  ///< --loss: sextic | linex | quadratic | asymmetric

}  // namespace sharpscope::cli

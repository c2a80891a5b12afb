#include "commands/parse.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <utility>

#include "commands/flag_value.h"
#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/printable_text.h"
#include "sharpscope/data/loader.h"
#include "sharpscope/dynamics/valley.h"
#include "sharpscope/hessian/curvature_operator.h"
#include "sharpscope/hessian/density.h"
#include "sharpscope/hessian/diagonal.h"
#include "sharpscope/hessian/hvp_operator.h"
#include "sharpscope/hessian/layers.h"
#include "sharpscope/hessian/spectrum_result.h"
#include "sharpscope/hessian/trace.h"
#include "sharpscope/landscape/directions.h"
#include "sharpscope/landscape/perturbation.h"
#include "sharpscope/landscape/sharpness.h"
#include "sharpscope/optim/base_optimizer.h"
#include "sharpscope/optim/gradient_rule.h"
#include "sharpscope/optim/trainer.h"

namespace sharpscope::cli {

std::string flag_value(const std::string& flag, const std::string& text) {
  return flag + " = '" + printable_text(text) + "'";
}

namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, separator)) parts.push_back(item);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

bool parse_double(const std::string& text, double& value) {
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0' && std::isfinite(value);
}

// Strict: the whole text must be a decimal integer, so "8x" or "" is rejected, not truncated, and
// so is one beyond long long (strtoll would saturate it).
bool parse_long(const std::string& text, long long& value) {
  char* end = nullptr;
  errno = 0;
  value = std::strtoll(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0' && errno != ERANGE;
}

// Parses the digits after a prefix ("v10" → 10); false when anything else follows.
bool parse_suffix_number(const std::string& text, size_t from, long long& value) {
  if (text.size() <= from || !std::isdigit(static_cast<unsigned char>(text[from]))) return false;
  return parse_long(text.substr(from), value);
}

// A closed vocabulary: the value of `text` in `names`, or a UsageError listing the choices as
// "--flag = 'text': expected a, b or c".
template <class Enum, size_t N>
Enum parse_choice(const std::string& text, const std::string& flag,
                  const std::array<std::pair<const char*, Enum>, N>& names) {
  for (const auto& [name, value] : names) {
    if (text == name) return value;
  }
  std::string choices;
  for (size_t i = 0; i < N; ++i) {
    choices += (i == 0 ? "" : i + 1 == N ? " or " : ", ") + std::string(names[i].first);
  }
  throw UsageError(flag_value(flag, text) + ": expected " + choices);
}

}  // namespace

// ---- Numbers, lists and ranges
// -------------------------------------------------------------------

std::vector<double> Range::values() const {
  std::vector<double> out(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    // Interpolating from both ends makes the first value exactly start and the last exactly stop.
    const double t = count == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(count - 1);
    const double value = log ? std::exp(std::log(start) + t * (std::log(stop) - std::log(start)))
                             : start + t * (stop - start);
    // exp(log) rounds: with start and stop a few ulps apart it could step below the previous
    // value or above stop, so interior values are clamped between them (a grid never decreases).
    out[static_cast<size_t>(i)] = i == 0 ? start
                                  : i == count - 1
                                      ? stop
                                      : std::clamp(value, out[static_cast<size_t>(i - 1)], stop);
  }
  return out;
}

Range parse_range(const std::string& text, const std::string& flag) {
  const std::string prefix = flag_value(flag, text) + ": ";
  const std::vector<std::string> parts = split(text, ':');
  Range range;
  long long count = 0;
  const bool log_scale = parts.size() == 4 && parts[3] == "log";
  if ((parts.size() != 3 && !log_scale) || !parse_double(parts[0], range.start) ||
      !parse_double(parts[1], range.stop) || !parse_long(parts[2], count)) {
    throw UsageError(prefix +
                     "expected start:stop:count[:log], e.g. -0.2:0.2:21 or 0.001:0.3:100:log");
  }
  if (log_scale && !(range.start > 0.0)) throw UsageError(prefix + "a log range needs start > 0");
  range.log = log_scale;
  if (count < 1) throw UsageError(prefix + "count must be >= 1");
  // Far beyond any grid that can be evaluated (a point is at least one forward pass), and a bound
  // on the values' memory: a count of 2e18 asked for 16 EB.
  if (count > 1000000) throw UsageError(prefix + "count must be <= 1000000");
  if (range.stop < range.start) throw UsageError(prefix + "empty grid (stop < start)");
  if (count == 1 && range.stop != range.start) {
    throw UsageError(prefix + "a single point needs start = stop");
  }
  range.count = count;
  return range;
}

std::vector<int> parse_int_list(const std::string& text, const std::string& flag, int minimum) {
  std::vector<int> values;
  for (const std::string& part : split(text, ',')) {
    long long value = 0;
    if (!parse_long(part, value) || value < minimum || value > 1000000) {
      throw UsageError(flag_value(flag, text) + ": expected integers >= " +
                       std::to_string(minimum) + " separated by commas, e.g. 1,2,5");
    }
    if (!values.empty() && value <= values.back()) {
      throw UsageError(flag_value(flag, text) + ": values must increase, without repeats");
    }
    values.push_back(static_cast<int>(value));
  }
  if (values.empty()) throw UsageError(flag_value(flag, text) + ": give at least one value");
  return values;
}

std::vector<double> parse_number_list(const std::string& text, const std::string& flag,
                                      double minimum) {
  std::vector<double> values;
  for (const std::string& part : split(text, ',')) {
    double value = 0.0;
    if (!parse_double(part, value) || value < minimum) {
      throw UsageError(flag_value(flag, text) + ": expected numbers >= " + number_text(minimum) +
                       " separated by commas, e.g. 0.05,0.1");
    }
    values.push_back(value);
  }
  if (values.empty()) throw UsageError(flag_value(flag, text) + ": give at least one value");
  return values;
}

std::vector<std::string> parse_name_list(const std::string& text, const std::string& flag) {
  std::vector<std::string> names = split(text, ',');
  if (names.empty()) throw UsageError(flag_value(flag, text) + ": give at least one name");
  for (const std::string& name : names) {
    if (name.empty()) throw UsageError(flag_value(flag, text) + ": empty item");
  }
  return names;
}

std::vector<double> parse_ratio(const std::string& text, const std::string& flag) {
  std::vector<double> parts;
  for (const std::string& item : split(text, ':')) {
    double value = 0.0;
    if (!parse_double(item, value) || !(value > 0.0)) {
      throw UsageError(flag_value(flag, text) +
                       ": expected positive numbers separated by ':', e.g. 1:2");
    }
    parts.push_back(value);
  }
  if (parts.empty()) throw UsageError(flag_value(flag, text) + ": expected e.g. 1:2");
  return parts;
}

// ---- Runtime and data
// ----------------------------------------------------------------------------

c10::ScalarType parse_dtype(const std::string& text) {
  if (text == "float32" || text == "float") return c10::kFloat;
  if (text == "float64" || text == "double") return c10::kDouble;
  throw UsageError(flag_value("--dtype", text) + ": expected float32 or float64");
}

c10::Device parse_device(const std::string& text) {
  c10::Device device{c10::kCPU};
  try {
    device = c10::Device(text);
  } catch (const c10::Error&) {
    throw UsageError(flag_value("--device", text) + ": expected cpu, cuda or cuda:N");
  }
  if (!device.is_cpu() && !device.is_cuda()) {
    throw UsageError(flag_value("--device", text) + ": expected cpu, cuda or cuda:N");
  }
  return device;
}

BatchNormMode parse_bn_mode(const std::string& text) {
  if (text == "eval") return BatchNormMode::kEval;
  if (text == "train") return BatchNormMode::kTrain;
  throw UsageError(flag_value("--bn", text) + ": expected eval or train");
}

Split parse_split(const std::string& text) {
  if (text == "train") return Split::kTrain;
  if (text == "test") return Split::kTest;
  throw UsageError(flag_value("--split", text) + ": expected train | test");
}

namespace {

// constexpr, not a global vector: specs may be parsed during other translation units' static
// initialization.
constexpr std::array<int64_t, 6> kSyntheticDefaults = {512, 1, 8, 8, 4, 0};

UsageError malformed_data(const std::string& text, const std::string& flag) {
  return UsageError(flag_value(flag, text) +
                    ": expected fmnist[:DIR] | mnist:DIR | cifar10:DIR | cifar100:DIR | "
                    "synthetic[:N,C,H,W,K,SEED]");
}

std::vector<int64_t> parse_synthetic(const std::string& text, const std::string& values,
                                     const std::string& flag) {
  std::vector<int64_t> params(kSyntheticDefaults.begin(), kSyntheticDefaults.end());
  const std::vector<std::string> fields = split(values, ',');
  for (size_t index = 0; index < fields.size(); ++index) {
    long long value = 0;
    const int64_t minimum = index == 5 ? 0 : 1;  // SEED may be 0; sizes and K must be positive
    if (index >= params.size() || index >= fields.size() || !parse_long(fields[index], value) ||
        value < minimum) {
      throw UsageError(flag_value(flag, text) +
                       ": expected synthetic[:N,C,H,W,K,SEED], up to six integers, N,C,H,W,K >= "
                       "1 and SEED >= 0");
    }
    params[index] = value;
  }
  return params;
}

}  // namespace

DataSpec parse_data_spec(const std::string& text, const std::string& flag) {
  const size_t colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  const bool has_value = colon != std::string::npos;
  const std::string value = has_value ? text.substr(colon + 1) : "";
  if (has_value && value.empty()) throw malformed_data(text, flag);
  DataSpec spec;
  spec.text = text;
  if (kind == "synthetic") {
    spec.kind = DataKind::kSynthetic;
    spec.directory.clear();
    spec.synthetic =
        has_value ? parse_synthetic(text, value, flag)
                  : std::vector<int64_t>(kSyntheticDefaults.begin(), kSyntheticDefaults.end());
  } else if (kind == "fmnist") {
    spec.kind = DataKind::kFashionMnist;
    spec.directory = has_value ? value : kFashionMnistDirectory;
  } else if (kind == "mnist" || kind == "cifar10" || kind == "cifar100") {
    if (!has_value) throw malformed_data(text, flag);
    spec.kind = kind == "mnist"     ? DataKind::kMnist
                : kind == "cifar10" ? DataKind::kCifar10
                                    : DataKind::kCifar100;
    spec.directory = value;
  } else {
    throw malformed_data(text, flag);
  }
  return spec;
}

// ---- Analyses
// ------------------------------------------------------------------------------------

Scope parse_scope(const std::string& text) {
  if (text == "full") return Scope::kFull;
  if (text == "batch") return Scope::kBatch;
  throw UsageError(flag_value("--scope", text) + ": expected full or batch");
}

DirectionSpec parse_direction(const std::string& text, const std::string& flag) {
  DirectionSpec spec;
  spec.text = text;
  const std::string bad =
      flag + ": '" + printable_text(text) +
      "': expected vN, rand[:SEED], eigK, pca1, pca2, to:FILE.pt or file:F.h5:NAME";
  long long number = 0;
  if (text == "rand") {
    spec.kind = DirectionKind::kRandom;
  } else if (text.rfind("rand:", 0) == 0) {
    if (!parse_suffix_number(text, 5, number)) throw UsageError(bad);
    spec.kind = DirectionKind::kRandom;
    spec.seed = static_cast<uint64_t>(number);
  } else if (text.rfind("to:", 0) == 0) {
    if (text.size() == 3) throw UsageError(bad);
    spec.kind = DirectionKind::kCheckpoint;
    spec.path = text.substr(3);
  } else if (text.rfind("file:", 0) == 0) {
    const size_t colon = text.rfind(':');
    if (colon <= 5 || colon + 1 == text.size()) throw UsageError(bad);
    spec.kind = DirectionKind::kFile;
    spec.path = text.substr(5, colon - 5);
    spec.name = text.substr(colon + 1);
  } else if (text.rfind("eig", 0) == 0 && parse_suffix_number(text, 3, number) && number >= 1 &&
             number <= 100000) {
    spec.kind = DirectionKind::kEigen;
    spec.index = static_cast<int>(number);
  } else if (text.rfind("pca", 0) == 0 && parse_suffix_number(text, 3, number) && number >= 1 &&
             number <= 2) {
    spec.kind = DirectionKind::kPca;
    spec.index = static_cast<int>(number);
  } else if (text.rfind("v", 0) == 0 && parse_suffix_number(text, 1, number) && number >= 1 &&
             number <= 100000) {
    spec.kind = DirectionKind::kAscent;
    spec.index = static_cast<int>(number);
  } else {
    throw UsageError(bad);
  }
  return spec;
}

void parse_sharpness_kinds(const std::string& text, SharpnessOptions& options) {
  options.asc = options.max = options.avg = false;
  for (const std::string& kind : parse_name_list(text, "--kinds")) {
    if (kind == "asc") {
      options.asc = true;
    } else if (kind == "max") {
      options.max = true;
    } else if (kind == "avg") {
      options.avg = true;
    } else {
      throw UsageError(flag_value("--kinds", text) + ": expected a subset of asc,max,avg");
    }
  }
}

HvpMode parse_hvp_mode(const std::string& text) {
  return parse_choice<HvpMode, 2>(
      text, "--hvp",
      {{{"exact", HvpMode::kExact}, {"finite-difference", HvpMode::kFiniteDifference}}});
}

EigenMethod parse_eigen_method(const std::string& text) {
  return parse_choice<EigenMethod, 2>(
      text, "--method", {{{"lanczos", EigenMethod::kLanczos}, {"power", EigenMethod::kPower}}});
}

SpectrumEnd parse_spectrum_end(const std::string& text) {
  return parse_choice<SpectrumEnd, 3>(text, "--which",
                                      {{{"largest", SpectrumEnd::kLargest},
                                        {"smallest", SpectrumEnd::kSmallest},
                                        {"both", SpectrumEnd::kBoth}}});
}

std::optional<int64_t> parse_batch_size(const std::string& text) {
  if (text == "auto") return std::nullopt;
  long long value = 0;
  if (!parse_long(text, value)) {
    throw UsageError(flag_value("--batch-size", text) + ": expected a positive integer or auto");
  }
  if (value <= 0) throw UsageError("--batch-size = " + printable_text(text) + ": must be > 0");
  return static_cast<int64_t>(value);
}

InputLayout parse_layout(const std::string& text) {
  return parse_choice<InputLayout, 3>(text, "--layout",
                                      {{{"auto", InputLayout::kAuto},
                                        {"nchw", InputLayout::kContiguous},
                                        {"channels-last", InputLayout::kChannelsLast}}});
}

TraceMethod parse_trace_method(const std::string& text) {
  return parse_choice<TraceMethod, 2>(
      text, "--method",
      {{{"hutchinson", TraceMethod::kHutchinson}, {"hutch++", TraceMethod::kHutchPlusPlus}}});
}

ProbeKind parse_probe_kind(const std::string& text) {
  return parse_choice<ProbeKind, 2>(
      text, "--probe",
      {{{"rademacher", ProbeKind::kRademacher}, {"gaussian", ProbeKind::kGaussian}}});
}

Curvature parse_curvature(const std::string& text) {
  return parse_choice<Curvature, 4>(text, "--curvature",
                                    {{{"hessian", Curvature::kHessian},
                                      {"ggn", Curvature::kGgn},
                                      {"ef", Curvature::kEmpiricalFisher},
                                      {"mc-fisher", Curvature::kMcFisher}}});
}

DiagonalMethod parse_diagonal_method(const std::string& text) {
  return parse_choice<DiagonalMethod, 4>(text, "--method",
                                         {{{"auto", DiagonalMethod::kAuto},
                                           {"exact", DiagonalMethod::kExact},
                                           {"hutchinson", DiagonalMethod::kHutchinson},
                                           {"diag++", DiagonalMethod::kDiagPlusPlus}}});
}

GroupBy parse_group_by(const std::string& text) {
  return parse_choice<GroupBy, 2>(text, "--group-by",
                                  {{{"tensor", GroupBy::kTensor}, {"module", GroupBy::kModule}}});
}

// ---- Training
// ------------------------------------------------------------------------------------

void apply_optimizer_name(const std::string& name, RuleOptions& o) {
  const UsageError unknown(
      flag_value("--optimizer", name) +
      ": expected sgd, sam, msam, rand-sam, asam, stablesam, stableasam, gsam, "
      "psam or esam (SAM-N as sam-N, MSAM-N as msam-N)");
  for (const auto& [prefix, variant] :
       {std::pair{"sam-", Variant::kSam}, std::pair{"msam-", Variant::kMsam}}) {
    const std::string p = prefix;
    if (name.rfind(p, 0) != 0) continue;
    long long steps = 0;
    if (!parse_suffix_number(name, p.size(), steps) || steps > 1000000) throw unknown;
    o.variant = variant;
    o.ascent.steps = static_cast<int>(steps);
    return;
  }
  if (name == "sgd") {
    o.variant = Variant::kSgd;
  } else if (name == "sam") {
    o.variant = Variant::kSam;
  } else if (name == "msam") {
    o.variant = Variant::kMsam;
  } else if (name == "rand-sam") {
    o.variant = Variant::kRandSam;
  } else if (name == "asam") {
    o.variant = Variant::kAsam;
  } else if (name == "stablesam" || name == "stableasam") {
    o.variant = name == "stablesam" ? Variant::kSam : Variant::kAsam;
    o.stable = true;
  } else if (name == "gsam") {
    o.variant = Variant::kSam;
    if (o.gsam_alpha == 0.0) o.gsam_alpha = 0.1;
  } else if (name == "psam") {
    o.variant = Variant::kSam;
    if (o.schedule == Schedule::kAlways) o.schedule = Schedule::kPsam;
  } else if (name == "esam") {
    o.variant = Variant::kSam;
    if (o.esam_beta == 1.0) o.esam_beta = 0.5;
  } else {
    throw unknown;
  }
}

Schedule parse_schedule(const std::string& text) {
  return parse_choice<Schedule, 4>(text, "--schedule",
                                   {{{"always", Schedule::kAlways},
                                     {"psam", Schedule::kPsam},
                                     {"sgd-sam", Schedule::kSgdSam},
                                     {"sam-sgd", Schedule::kSamSgd}}});
}

BaseKind parse_base_kind(const std::string& text) {
  return parse_choice<BaseKind, 2>(text, "--base",
                                   {{{"sgd", BaseKind::kSgd}, {"adamw", BaseKind::kAdamW}}});
}

LrScheduleKind parse_lr_schedule(const std::string& text) {
  return parse_choice<LrScheduleKind, 3>(text, "--lr-schedule",
                                         {{{"constant", LrScheduleKind::kConstant},
                                           {"step", LrScheduleKind::kStep},
                                           {"cosine", LrScheduleKind::kCosine}}});
}

Augment parse_augment(const std::string& text) {
  return parse_choice<Augment, 3>(
      text, "--augment",
      {{{"auto", Augment::kAuto}, {"on", Augment::kOn}, {"off", Augment::kOff}}});
}

SamSync parse_sam_sync(const std::string& text) {
  return parse_choice<SamSync, 2>(text, "--sam-sync",
                                  {{{"global", SamSync::kGlobal}, {"local", SamSync::kLocal}}});
}

// ---- Distributed
// ---------------------------------------------------------------------------------

DistBackend parse_dist_backend(const std::string& text) {
  return parse_choice<DistBackend, 3>(
      text, "--dist-backend",
      {{{"auto", DistBackend::kAuto}, {"gloo", DistBackend::kGloo}, {"nccl", DistBackend::kNccl}}});
}

ParallelMode parse_parallel_mode(const std::string& text) {
  return parse_choice<ParallelMode, 3>(text, "--parallel",
                                       {{{"auto", ParallelMode::kAuto},
                                         {"points", ParallelMode::kPoints},
                                         {"data", ParallelMode::kData}}});
}

// ---- Toy problems
// --------------------------------------------------------------------------------

SaddleMethod parse_saddle_method(const std::string& text) {
  return parse_choice<SaddleMethod, 3>(text, "--optimizers",
                                       {{{"gd", SaddleMethod::kGd},
                                         {"sam", SaddleMethod::kSam},
                                         {"stablesam", SaddleMethod::kStableSam}}});
}

SaddleCriterion::Kind parse_saddle_criterion(const std::string& text) {
  return parse_choice<SaddleCriterion::Kind, 2>(
      text, "--criterion",
      {{{"basin", SaddleCriterion::Kind::kBasin}, {"distance", SaddleCriterion::Kind::kDistance}}});
}

ValleyKind parse_valley_kind(const std::string& text) {
  return parse_choice<ValleyKind, 4>(text, "--loss",
                                     {{{"sextic", ValleyKind::kSextic},
                                       {"linex", ValleyKind::kLinex},
                                       {"quadratic", ValleyKind::kQuadratic},
                                       {"asymmetric", ValleyKind::kAsymmetric}}});
}

}  // namespace sharpscope::cli

// Fuzzes the flag parsers of src/commands/parse.h, the one place where flag text becomes typed
// values: ranges, number / integer / name lists, ratios, --data and --dirs specs, optimizer names
// (then validated as the trainer validates them), --kinds and the closed vocabularies.
//
// Input: byte 0 picks the parser; the rest is the flag's text, cut at the first NUL (a command
// line cannot hold one).
#include <c10/core/Device.h>

#include <cmath>
#include <string>

#include "commands/parse.h"
#include "fuzz/fuzz_target.h"
#include "sharpscope/core/error.h"
#include "sharpscope/data/loader.h"
#include "sharpscope/landscape/directions.h"
#include "sharpscope/landscape/sharpness.h"
#include "sharpscope/optim/gradient_rule.h"

using sharpscope::fuzz::fail;
namespace cli = sharpscope::cli;

namespace {

void check_direction(const sharpscope::DirectionSpec& d) {
  using sharpscope::DirectionKind;
  if ((d.kind == DirectionKind::kAscent || d.kind == DirectionKind::kEigen) && d.index < 1) {
    fail("direction index < 1 accepted: " + d.text);
  }
  if (d.kind == DirectionKind::kFile && (d.path.empty() || d.name.empty())) {
    fail("file direction without path or name: " + d.text);
  }
  if (d.kind == DirectionKind::kCheckpoint && d.path.empty()) fail("to: without a path");
}

// Runs one parser on `text`; `flag` is what its errors must name.
void parse(uint8_t selector, uint8_t choice, const std::string& text, std::string& flag) {
  switch (selector % 10) {
    case 0: {
      flag = "--x";
      const cli::Range range = cli::parse_range(text, flag);
      const std::vector<double> values = range.values();
      if (static_cast<int64_t>(values.size()) != range.count || values.empty()) fail("count");
      if (values.front() != range.start || values.back() != range.stop) fail("range ends");
      for (size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) fail("non-finite range value");
        if (i > 0 && values[i] < values[i - 1]) fail("range values decrease");
      }
      return;
    }
    case 1: {
      flag = "--rho";
      const double minimum = choice & 1 ? 0.0 : -1.0;
      for (const double v : cli::parse_number_list(text, flag, minimum)) {
        if (!std::isfinite(v) || v < minimum) fail("number list value out of range");
      }
      return;
    }
    case 2: {
      flag = "--perturbed-steps";
      const int minimum = choice & 1;
      const std::vector<int> values = cli::parse_int_list(text, flag, minimum);
      for (size_t i = 0; i < values.size(); ++i) {
        if (values[i] < minimum || (i > 0 && values[i] <= values[i - 1])) fail("int list");
      }
      return;
    }
    case 3: {  // --dirs as the landscape commands read it: a list, then each item
      flag = "--dirs";
      for (const std::string& item : cli::parse_name_list(text, flag)) {
        if (item.empty() || item.find(',') != std::string::npos) fail("bad list item");
        check_direction(cli::parse_direction(item, flag));
      }
      return;
    }
    case 4: {
      flag = "--ratio";
      for (const double v : cli::parse_ratio(text, flag)) {
        if (!(v > 0.0) || !std::isfinite(v)) fail("non-positive ratio part");
      }
      return;
    }
    case 5: {
      flag = "--data";
      const sharpscope::DataSpec spec = cli::parse_data_spec(text, flag);
      if (spec.kind == sharpscope::DataKind::kSynthetic) {
        if (spec.synthetic.size() != 6) fail("synthetic spec without six values");
        for (size_t i = 0; i < 5; ++i) {
          if (spec.synthetic[i] < 1) fail("synthetic size < 1 accepted");
        }
      } else if (spec.directory.empty()) {
        fail("data spec without a directory");
      }
      return;
    }
    case 6:
      flag = "--dirs";
      check_direction(cli::parse_direction(text, flag));
      return;
    case 7: {  // --optimizer, then the validation the trainer applies (its errors name a flag)
      flag = "--";
      sharpscope::RuleOptions options;
      cli::apply_optimizer_name(text, options);
      options.validate();
      return;
    }
    case 8: {
      flag = "--kinds";
      sharpscope::SharpnessOptions options;
      cli::parse_sharpness_kinds(text, options);
      if (!options.asc && !options.max && !options.avg) fail("no sharpness kind selected");
      return;
    }
    default:  // the closed vocabularies
      switch (choice % 16) {
        case 0:
          flag = "--dtype";
          cli::parse_dtype(text);
          return;
        case 1:
          flag = "--device";
          cli::parse_device(text);
          return;
        case 2:
          flag = "--bn";
          cli::parse_bn_mode(text);
          return;
        case 3:
          flag = "--split";
          cli::parse_split(text);
          return;
        case 4:
          flag = "--scope";
          cli::parse_scope(text);
          return;
        case 5:
          flag = "--hvp";
          cli::parse_hvp_mode(text);
          return;
        case 6:
          flag = "--method";
          cli::parse_eigen_method(text);
          return;
        case 7:
          flag = "--which";
          cli::parse_spectrum_end(text);
          return;
        case 8:
          flag = "--probe";
          cli::parse_probe_kind(text);
          return;
        case 9:
          flag = "--schedule";
          cli::parse_schedule(text);
          return;
        case 10:
          flag = "--base";
          cli::parse_base_kind(text);
          return;
        case 11:
          flag = "--lr-schedule";
          cli::parse_lr_schedule(text);
          return;
        case 12:
          flag = "--augment";
          cli::parse_augment(text);
          return;
        case 13:
          flag = "--optimizers";
          cli::parse_saddle_method(text);
          return;
        case 14:
          flag = "--criterion";
          cli::parse_saddle_criterion(text);
          return;
        default:
          flag = "--loss";
          cli::parse_valley_kind(text);
          return;
      }
  }
}

}  // namespace

SHARPSCOPE_FUZZ_TARGET(flags) {
  sharpscope::fuzz::Bytes in(data, size);
  const uint8_t selector = in.byte(), choice = in.byte();
  std::string text = in.rest();
  text = text.substr(0, text.find('\0'));
  std::string flag;
  try {
    parse(selector, choice, text, flag);
  } catch (const sharpscope::UsageError& e) {
    sharpscope::fuzz::expect_one_line(e, flag);
  }
}

// sharpscope info MODEL: architecture, parameter count, checkpoint metadata, and loss/accuracy on
// the chosen data; optionally written to HDF5.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>

#include "commands/common.h"
#include "commands/registry.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope::cli {
namespace {

struct InfoOptions {
  std::string model;
  CommonOptions common;
};

void run_info(const InfoOptions& o) {
  Session s = open_session(o.model, o.common);
  std::unique_ptr<H5Writer> writer;
  if (!o.common.out.empty()) writer = std::make_unique<H5Writer>(o.common.out);  // fail fast

  const auto start = std::chrono::steady_clock::now();
  const Evaluation e = s.objective->evaluate();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  std::cout << s.model.describe();
  for (const auto& [key, value] : s.model.metadata())
    std::cout << "  meta " << key << " = " << value << "\n";
  char line[256];
  std::snprintf(line, sizeof line,
                "loss %.6f  accuracy %.2f%%  on %s (%s, %lld examples) in %.2f s", e.loss,
                100.0 * e.accuracy, s.data.name.c_str(), s.provenance.values().at("subset").c_str(),
                static_cast<long long>(e.examples), seconds);
  std::cout << line << "\n";

  if (!writer) return;
  writer->write("loss", {e.loss}, "nats", "mean cross-entropy L_S(w) over the subset");
  writer->write("accuracy", {e.accuracy}, "fraction",
                "fraction of the subset classified correctly");
  std::vector<std::int64_t> sizes;
  for (const auto& p : s.model.parameters()) sizes.push_back(p.numel());
  writer->write_int("parameter_sizes", sizes, {static_cast<std::int64_t>(sizes.size())},
                    "number of scalars in each trainable parameter tensor");
  writer->write_strings("parameter_names", s.model.parameter_names());
  write_preamble(*writer, s);
  writer->attribute("/", "result_kind", std::string("info"));
  writer->attribute("/", "evaluation_seconds", seconds);
  writer->commit();
  std::cout << "wrote " << writer->path() << "\n";
}

}  // namespace

void register_info(CLI::App& app) {
  auto o = std::make_shared<InfoOptions>();
  CLI::App* cmd =
      app.add_subcommand("info", "Architecture, parameters, metadata and loss/accuracy of a model");
  cmd->footer(
      "Example:\n  sharpscope info checkpoints/demo/fmnist-mlp-sgd.pt --split test --out info.h5");
  cmd->add_option("model", o->model, "Model: sharpscope checkpoint or TorchScript file (.pt)")
      ->required();
  add_common_options(*cmd, o->common, /*default_subset=*/0);
  cmd->callback([o] { run_info(*o); });
}

}  // namespace sharpscope::cli

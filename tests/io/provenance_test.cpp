#include "sharpscope/io/provenance.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <thread>

#include "sharpscope/core/version.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

TEST(IoProvenance, JoinsCommandLineQuotingOnlyWhereNeeded) {
  const char* argv[] = {"sharpscope", "landscape", "--rho=0.05", "--out", "my results.h5", "--note",
                        "it's",       "a;b",       "",           "$HOME", "x/y:z@1"};
  EXPECT_EQ(joined_command_line(11, argv),
            "sharpscope landscape --rho=0.05 --out 'my results.h5' --note 'it'\\''s' 'a;b' '' "
            "'$HOME' x/y:z@1");
}

TEST(IoProvenance, RecordsVersionTimesHostModelAndCommandLine) {
  testing::ScratchDir dir;
  const std::string model = dir.file("model.pt");
  std::ofstream(model) << "abc";
  set_process_command_line("sharpscope test --flag");

  Provenance provenance;
  provenance.set_model(model);
  provenance.set("rho", "0.05");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const Metadata all = provenance.finish();

  const std::regex iso8601(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)");
  EXPECT_EQ(all.at("tool_version"), tool_version());
  EXPECT_TRUE(std::regex_match(all.at("start_time"), iso8601)) << all.at("start_time");
  EXPECT_TRUE(std::regex_match(all.at("end_time"), iso8601)) << all.at("end_time");
  EXPECT_LE(all.at("start_time"), all.at("end_time"));
  EXPECT_FALSE(all.at("hostname").empty());
  EXPECT_EQ(all.at("model"), model);
  EXPECT_EQ(all.at("model_sha256"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(all.at("rho"), "0.05");
  EXPECT_EQ(all.at("command_line"), "sharpscope test --flag");
  const double duration = std::stod(all.at("duration_s"));
  EXPECT_GE(duration, 0.02);
  EXPECT_LT(duration, 60.0);
  EXPECT_EQ(provenance.values().count("end_time"), 0u) << "finish() must not modify values()";
}

}  // namespace
}  // namespace sharpscope

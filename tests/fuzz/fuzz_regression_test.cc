// Replays the committed seed corpus and every crash the fuzzers found (tests/fuzz/corpus/<target>
// and tests/fuzz/crashes/<target>) through the fuzzed entry points, in the normal build, so CI
// keeps every finding fixed without running a fuzzer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/intake.h"
#include "tests/fuzz/fuzz_entries.h"

namespace gendan::fuzz {
namespace {

namespace fs = std::filesystem;

// Every file under tests/fuzz/<kind>/<target>/, sorted.
std::vector<fs::path> Inputs(const std::string& target) {
  std::vector<fs::path> out;
  for (const char* kind : {"corpus", "crashes"}) {
    fs::path dir = fs::path(GENDAN_SOURCE_DIR) / "tests/fuzz" / kind / target;
    if (!fs::is_directory(dir)) continue;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.is_regular_file()) out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void ReplayAll(const std::string& target, std::string (*entry)(std::string_view),
               size_t min_inputs) {
  std::vector<fs::path> inputs = Inputs(target);
  // The corpus is committed; an empty folder means a broken checkout, not a pass.
  ASSERT_GE(inputs.size(), min_inputs) << "tests/fuzz/corpus/" << target;
  for (const fs::path& p : inputs) {
    EXPECT_EQ(entry(Read(p)), "") << p;
  }
}

// Every engine input (seeds, corpus minimised from fuzzing, crashes) keeps every invariant.
TEST(FuzzRegressionTest, EngineCorpus) { ReplayAll("engine", &FuzzEngine, 20); }

// Every query-parameter input keeps every invariant.
TEST(FuzzRegressionTest, QueryParamsCorpus) { ReplayAll("query", &FuzzQueryParams, 10); }

}  // namespace
}  // namespace gendan::fuzz

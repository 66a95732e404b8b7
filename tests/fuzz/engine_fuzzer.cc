// libFuzzer target: FuzzEngine (tests/fuzz/fuzz_entries.h). Built only by tests/fuzz/run.sh.
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/fuzz_entries.h"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  std::string broken =
      gendan::fuzz::FuzzEngine(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!broken.empty()) {
    std::fprintf(stderr, "invariant broken: %s\n", broken.c_str());
    std::abort();
  }
  return 0;
}

// The poison corpus (tests/poison/, written by make_corpus.py): record values that the engine
// must refuse, each with its expected reason code and record key. Header-only so the pure-core
// test (tests/engine) and the broker test (tests/consumers) read it the same way.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gendan/v1/enums.pb.h"

namespace gendan::test {

struct PoisonItem {
  std::string name;  // file name, e.g. "rating_six.bin"
  v1::RejectionReason::Value reason = v1::RejectionReason::REJECTION_REASON_UNSPECIFIED;
  std::string key;          // the Kafka record key
  std::string description;  // what it is
  std::string value;        // the record's bytes
};

// The order every item is about; tests place it first.
inline constexpr char kPoisonOrder[] = "ORD-P1";

// Every item of tests/poison/manifest.tsv with its bytes; empty when the corpus is missing.
inline std::vector<PoisonItem> LoadPoisonCorpus() {
  const std::filesystem::path dir = std::filesystem::path(GENDAN_SOURCE_DIR) / "tests/poison";
  std::ifstream manifest(dir / "manifest.tsv");
  std::vector<PoisonItem> items;
  for (std::string line; std::getline(manifest, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    PoisonItem item;
    std::string reason;
    std::getline(fields, item.name, '\t');
    std::getline(fields, reason, '\t');
    std::getline(fields, item.key, '\t');
    std::getline(fields, item.description);
    (void)v1::RejectionReason::Value_Parse(reason, &item.reason);
    std::ifstream in(dir / "items" / item.name, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    item.value = bytes.str();
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace gendan::test

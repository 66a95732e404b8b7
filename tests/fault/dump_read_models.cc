// gendan_read_model_dump DIR: prints every read model of the store behind DIR (a projector's
// state_dir link or a generation folder), for the fault suite's comparison of a projector that
// was killed again and again with a clean rebuild. ReadModelStore::Dump leaves out the alert
// outbox, whose progress depends on timing, not on the log. Exit 1 when the store cannot be opened.
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "projections/read_model_store.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: gendan_read_model_dump STATE_DIR\n";
    return 2;
  }
  std::string scratch =
      std::filesystem::temp_directory_path() / ("gendan-dump-" + std::to_string(::getpid()));
  // A follower (RocksDB secondary) opens the store read-only, beside a running writer if need be.
  auto store = gendan::ReadModelStore::OpenFollower(argv[1], scratch);
  if (!store.ok()) {
    std::cerr << "gendan_read_model_dump: " << store.status().ToString() << "\n";
    return 1;
  }
  std::cout << (*store)->Dump();
  store->reset();
  std::filesystem::remove_all(scratch);
  return 0;
}

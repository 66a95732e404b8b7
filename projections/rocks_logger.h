// RocksLogger: RocksDB's info log through spdlog (warnings and errors only), for every store.
//
//   rocksdb::Options options;
//   options.info_log = RocksLogger();
//
// Why not RocksDB's own LOG file: it sits on the store's disk. When that disk fills, the Debian
// build of RocksDB 7.8 (built with assertions) aborts the whole process on the LOG append that
// follows the first failed one, so the write error never reaches gendan's retry and message.
// Thread-safe.
#pragma once

#include <rocksdb/env.h>

#include <memory>

namespace gendan {

std::shared_ptr<rocksdb::Logger> RocksLogger();

}  // namespace gendan

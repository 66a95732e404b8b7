// StoreStats: a few RocksDB properties that tell an operator how a store is doing, for /metrics.
//
//   StoreStats s = ReadStoreStats(*db);   // any thread: RocksDB properties are thread-safe
//
// Chosen because each answers a question an alert can ask: how many keys (growth), how much
// disk (live SST bytes), is compaction falling behind (pending bytes, running compactions), and
// how much memory the memtables, the table readers (index and filter blocks held outside the
// block cache) and the block cache hold.
#pragma once

#include <rocksdb/db.h>

#include <cstdint>

namespace gendan {

struct StoreStats {
  uint64_t estimate_num_keys = 0;                  // rocksdb.estimate-num-keys
  uint64_t live_sst_files_bytes = 0;               // rocksdb.live-sst-files-size
  uint64_t estimate_pending_compaction_bytes = 0;  // rocksdb.estimate-pending-compaction-bytes
  uint64_t memtable_bytes = 0;                     // rocksdb.cur-size-all-mem-tables
  uint64_t running_compactions = 0;                // rocksdb.num-running-compactions
  uint64_t table_readers_bytes = 0;                // rocksdb.estimate-table-readers-mem
  uint64_t block_cache_bytes = 0;                  // rocksdb.block-cache-usage
  uint64_t block_cache_pinned_bytes = 0;           // rocksdb.block-cache-pinned-usage
};

StoreStats ReadStoreStats(rocksdb::DB& db);

}  // namespace gendan

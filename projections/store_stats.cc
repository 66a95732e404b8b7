#include "projections/store_stats.h"

namespace gendan {

StoreStats ReadStoreStats(rocksdb::DB& db) {
  auto get = [&db](const std::string& name) {
    uint64_t v = 0;
    return db.GetIntProperty(name, &v) ? v : 0;  // a property RocksDB lacks reads as 0
  };
  StoreStats s;
  s.estimate_num_keys = get("rocksdb.estimate-num-keys");
  s.live_sst_files_bytes = get("rocksdb.live-sst-files-size");
  s.estimate_pending_compaction_bytes = get("rocksdb.estimate-pending-compaction-bytes");
  s.memtable_bytes = get("rocksdb.cur-size-all-mem-tables");
  s.running_compactions = get("rocksdb.num-running-compactions");
  s.table_readers_bytes = get("rocksdb.estimate-table-readers-mem");
  s.block_cache_bytes = get("rocksdb.block-cache-usage");
  s.block_cache_pinned_bytes = get("rocksdb.block-cache-pinned-usage");
  return s;
}

}  // namespace gendan

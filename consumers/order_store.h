// OrderStore: the engine's durable order states and, per inbound partition, how far they reach.
//
//   auto store = OrderStore::Open("data/engine");           // Result<std::unique_ptr<...>>
//   Result<std::optional<OrderState>> s = (*store)->Get("ORD-1");
//   OrderStore::Batch batch;
//   batch.states["ORD-1"] = state;  batch.positions[3] = {1200, 877};
//   Status w = (*store)->Commit(batch);                     // one atomic RocksDB WriteBatch
//
// A partition position says: the states reflect every event of gendan.events partition p below
// `events_next`, and every inbound record of partition p below `inbound_next` was decided.
// States and positions change together in one WriteBatch, so the store is never half-applied.
// Thread-safe as RocksDB is: Get, Commit and Write may run at once (the engine's catch-ups
// Commit while its committer thread Writes). The caller keeps one partition's writes in order.
//
// A writer on another thread takes the batch serialized (Writes), so the caller may change its
// states again while the write runs:
//
//   OrderStore::Writes w;  w.Put("ORD-1", state);  w.Put(3, {1200, 877});
//   std::thread([&] { Status s = store->Write(w); });  // state may change meanwhile
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "engine/order_state.h"
#include "engine/status.h"
#include "projections/store_stats.h"

namespace gendan {

struct PartitionPosition {
  int64_t inbound_next = 0;  // next gendan.inbound offset to decide
  int64_t events_next = 0;   // next gendan.events offset not yet folded into the states
  bool operator==(const PartitionPosition&) const = default;
};

class OrderStore {
 public:
  struct Batch {
    std::unordered_map<std::string, OrderState> states;
    std::map<int32_t, PartitionPosition> positions;
  };

  // A batch already serialized: every state and position as its stored key and bytes.
  class Writes {
   public:
    void Put(const std::string& order_id, const OrderState& state);
    void Put(int32_t partition, const PartitionPosition& position);
    void Clear() { wb_.Clear(); }
    size_t count() const { return static_cast<size_t>(wb_.Count()); }

   private:
    friend class OrderStore;
    rocksdb::WriteBatch wb_;
  };

  // Opens (creating if missing) the store in `dir`. IoError when RocksDB cannot open it.
  static Result<std::unique_ptr<OrderStore>> Open(const std::string& dir);

  // The order's state, or nullopt when the store has never seen the order.
  // Fatal when the stored bytes are corrupt.
  Result<std::optional<OrderState>> Get(const std::string& order_id) const;

  // The position of an inbound/events partition; zeros when the store has none.
  Result<PartitionPosition> Position(int32_t partition) const;

  // Writes every state and position of the batch atomically (to the WAL, not synced: a store
  // behind gendan.events catches up from it). Every value is
  // absolute, so writing the same batch again after a failure is harmless.
  Status Commit(const Batch& batch);
  // The same for a serialized batch; `writes` is left as it was, so it may be written again.
  Status Write(Writes& writes);

  // Asks RocksDB to leave the read-only state a failed write put it in (DB::Resume). Ok when it
  // recovered or had nothing to recover from; TryAgain while its own recovery is still running
  // (after a full disk it waits for free space); IoError when the disk still refuses.
  Status Resume();

  // RocksDB size and compaction figures, for /metrics.
  StoreStats Stats() const { return ReadStoreStats(*db_); }

 private:
  explicit OrderStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace gendan

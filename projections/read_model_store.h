// ReadModelStore: the projector's RocksDB read models and the queries over them.
//
//   auto store = ReadModelStore::OpenWriter("data/projections", options);
//   ProjectionBatch batch(**store);                 // see projections/projector.h
//   auto status = (*store)->GetStatus("ORD-1");     // Result<std::optional<v1::OrderStatus>>
//   nlohmann::json kpis = RunKpiQuery(**store, query);  // the store is a CellSource
//
// Key space (one RocksDB column family; every read model of a batch lands in one WriteBatch):
//   s/<order_id>                      OrderStatus
//   f/<order_id>                      OrderFacts (KPI inputs)
//   e/<order_id>\0<version:8 BE>      OrderEvent (the order's timeline)
//   x/<field>\0<value>\0<order_id>    index entry for the list filters
//   k<CellKey::Encode()>              KPI cell (a day's, or a month's rollup of its days)
//   m/month_rollups                   present: every day cell has its month rollup
//   p/<partition:4 BE>                next gendan.events offset of that partition
//   a/<order_id>                      AlertSet: the order's open alerts
//   t/<unix ms:8 BE><order_id>        schedule: re-evaluate the order's alerts at that instant;
//                                     the value is the order's partition (4 BE)
//   n/<order_id>                      the order's scheduled instant (to move its t/ entry)
//   qs/<partition:4 BE>               next alert sequence number of that partition
//   q/<partition:4 BE><sequence:8 BE> Alert record waiting to be published (the outbox)
//   qr/<partition:4 BE>               an adopted partition's replay end (ProjectionBatch::Adopt)
//   o/<partition:4 BE><order_id>      the order's gendan.events partition (to unload a partition)
//   w/ownership                       Ownership: what this store's projector owns now (not a
//                                     read model: left out of Dump)
// A writer owns the folder; readers in other processes open it as a RocksDB secondary and
// call Refresh() to follow it. Reads are thread-safe; writes come from one thread.
//
// Generations: the configured folder is a symlink to a generation folder
// ("<dir>.gen-<unix ms>"). `gendan rebuild` fills a new generation beside the live one and swaps
// the link atomically (rename(2)); a store notices with Swapped() and moves over with Reopen(),
// while reads keep being served from the old generation until then.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/status.h"
#include "gendan/v1/alert.pb.h"
#include "gendan/v1/events.pb.h"
#include "gendan/v1/status.pb.h"
#include "projections/kpi.h"
#include "projections/kpi_facts.h"
#include "projections/order_view.h"
#include "projections/store_stats.h"

namespace gendan {

struct OrderFilter {
  std::string stage, customer, merchandiser, supplier;  // empty = any
  std::optional<bool> at_risk;                          // AtRisk(status, today, risk_buffer_days)
  Date today{};
  int risk_buffer_days = 7;
};

// Which gendan.events partitions the projector writing a store owns (issue 10: several projector
// instances, each owning some partitions). The projector rewrites it on every assignment change
// and as a heartbeat; `gendan serve` reads it to route lookups and to check that the instances'
// claims cover every partition once.
struct Ownership {
  std::string instance;             // the projector's instance_id
  std::vector<int32_t> partitions;  // assigned to it now, ascending
  std::vector<int32_t> loading;     // assigned but still replaying from gendan.events
  std::vector<int32_t> unloading;   // held in the store but no longer assigned (being removed)
  int32_t partition_count = 0;      // of gendan.events
  int64_t assigned_unix_ms = 0;     // when the assignment last changed
  int64_t heartbeat_unix_ms = 0;    // refreshed while the projector runs

  std::string Encode() const;  // JSON
  static Result<Ownership> Decode(std::string_view json);
  bool operator==(const Ownership&) const = default;
};

struct OrderPage {
  std::vector<v1::OrderStatus> orders;
  std::string next_cursor;  // empty when there is no further page
};

// The memory RocksDB keeps for a store beside its memtables. Data, index and filter blocks share
// one bounded cache, so it does not grow with the store (index and filter blocks held outside a
// cache grow with every file: ~100 MB more at 1 000 000 orders than at 100 000).
struct StoreMemory {
  size_t block_cache_bytes = size_t{64} << 20;
};

class ReadModelStore : public CellSource {
 public:
  // Opens (creating a first generation and the link if missing) the read models behind the
  // link `dir` for writing. One writer per generation.
  static Result<std::unique_ptr<ReadModelStore>> OpenWriter(const std::string& dir,
                                                            StoreMemory memory = {});
  // When RocksDB compacts what a writer writes.
  enum class Compaction {
    kOngoing,  // in the background as it is written: what anything reading the store needs
    // Not while it is written; Persist() compacts it all once. For a generation `gendan
    // rebuild` fills, which only the rebuild reads until it is complete: RocksDB's leveled
    // compaction rewrote the 1 000 000-order book's 3.5 GB of flushed data ~4 times over as it
    // came in, on the cores the rebuild needs (docs/benchmarks.md, "Rebuild, tenth session").
    kOnceAtPersist,
  };
  // Opens a generation folder itself for writing (what `gendan rebuild` fills).
  static Result<std::unique_ptr<ReadModelStore>> OpenGeneration(
      const std::string& generation_dir, StoreMemory memory = {},
      Compaction compaction = Compaction::kOngoing);
  // Opens another process's read models read-only, following them through Refresh().
  static Result<std::unique_ptr<ReadModelStore>> OpenFollower(const std::string& dir,
                                                              const std::string& scratch_dir,
                                                              StoreMemory memory = {});
  ~ReadModelStore() override;

  // Catches a follower up with the writer, moving to a new generation when the link was swapped;
  // a no-op for the writer itself.
  Status Refresh();
  // True when the link now names another generation than the one open.
  bool Swapped() const;
  // Closes the open generation and opens the one the link names now.
  Status Reopen();
  // Points the link `dir` at `generation_dir` atomically. Fails if `dir` is a real folder.
  static Status SwapIn(const std::string& dir, const std::string& generation_dir);
  // The generation folder open now.
  std::string generation() const;
  // Where the open generation's data stands: its folder and the sequence number of the last
  // write this store sees (a follower's moves on with Refresh; 0 while none is open). While the
  // stamp is unchanged no key has changed, so an answer read after taking it is still current.
  struct Stamp {
    std::string generation;
    uint64_t sequence = 0;
    bool operator==(const Stamp&) const = default;
  };
  Stamp CurrentStamp() const;
  // RocksDB size and compaction figures of the open generation, for /metrics. Thread-safe.
  StoreStats Stats() const;

  Result<std::optional<v1::OrderStatus>> GetStatus(const std::string& order_id) const;
  Result<std::optional<OrderFacts>> GetFacts(const std::string& order_id) const;
  // The order's recorded events in version order (empty when unknown).
  Result<std::vector<v1::OrderEvent>> Events(const std::string& order_id) const;
  // Orders matching every set filter, after `cursor` (exclusive): in order_id order, or with
  // at_risk=true in commit-date order (the cursor is then "<date>/<order_id>"). next_cursor is
  // set exactly when another matching order follows the page (a next page is never empty), so
  // several stores' pages merge into the same answer (consumers/cluster.h).
  Result<OrderPage> List(const OrderFilter& filter, size_t limit, const std::string& cursor) const;
  Result<std::optional<Cell>> GetCell(const CellKey& key) const;
  Result<std::optional<v1::AlertSet>> GetAlerts(const std::string& order_id) const;
  // The same, serialized as stored (not checked).
  Result<std::optional<std::string>> GetAlertBytes(const std::string& order_id) const;
  // Every open alert, in order_id order.
  Result<std::vector<v1::Alert>> OpenAlerts() const;
  struct Due {
    std::string order_id;
    std::optional<int32_t> partition;  // the order's gendan.events partition (none: older store)
  };
  // Orders whose alerts are scheduled for re-evaluation at or before `until_ms`.
  Result<std::vector<Due>> DueForAlerts(int64_t until_ms) const;
  Result<std::optional<int64_t>> ScheduledAt(const std::string& order_id) const;
  Result<int64_t> NextSequence(int32_t partition) const;  // 1 when none was used yet
  // The end offset an adopted partition replays to while it holds back published alerts (none
  // when no replay of an adopted partition is under way).
  Result<std::optional<int64_t>> ReplayUntil(int32_t partition) const;
  // The gendan.alerts offset after the last record the publisher knows it published.
  Result<std::optional<int64_t>> PublishedOffset(int32_t partition) const;
  // The outbox keys of one partition.
  Result<std::vector<std::string>> OutboxKeys(int32_t partition) const;
  // Up to `limit` outbox records in (partition, sequence) order, with their keys.
  Result<std::vector<std::pair<std::string, v1::Alert>>> Outbox(size_t limit) const;

  // Next offset to read per gendan.events partition (absent partitions: from the beginning).
  Result<std::map<int32_t, int64_t>> Offsets() const;

  // The projector's latest ownership record (none before its first assignment).
  Result<std::optional<Ownership>> GetOwnership() const;
  // Writes the ownership record (synced).
  Status PutOwnership(const Ownership& ownership);
  // Partitions the store holds anything of: an offset, or orders still indexed under them.
  Result<std::set<int32_t>> HeldPartitions() const;
  // Up to `limit` orders of `partition` (by the o/ index), in order_id order.
  Result<std::vector<std::string>> OrdersOf(int32_t partition, size_t limit) const;

  // CellSource: every cell of `kind` with a date in [from, to].
  void Scan(GroupKind kind, Date from, Date to,
            const std::function<void(const CellKey&, const Cell&)>& fn) const override;
  // True once the store's first KPI cells were written with their month rollups (the
  // RollupsKey marker); a store built before rollups answers from day cells until rebuilt.
  bool HasMonthRollups() const override;
  void ScanMonths(GroupKind kind, Date from, Date to,
                  const std::function<void(const CellKey&, const Cell&)>& fn) const override;
  // True when the store holds no KPI cell at all (a fresh store: it may start rollups).
  Result<bool> NoCells() const;
  static std::string RollupsKey() { return "m/month_rollups"; }

  // Writes a batch atomically (synced). For ProjectionBatch. After a failed write (disk full,
  // I/O error) RocksDB refuses every write until it has recovered: see Resume.
  Status Write(rocksdb::WriteBatch* batch);
  // Writes a batch without RocksDB's log: for a generation `gendan rebuild` is still filling,
  // which a crash throws away anyway. Persist() makes such writes durable.
  Status WriteUnlogged(rocksdb::WriteBatch* batch);
  // Flushes what is in memory to the store's files (synced); with Compaction::kOnceAtPersist,
  // then compacts them into one sorted level.
  Status Persist();
  // Asks RocksDB to leave the read-only state a failed write put it in (DB::Resume). Ok when it
  // recovered or had nothing to recover from; TryAgain while its own recovery is still running
  // (after a full disk it waits for free space); IoError when the disk still refuses.
  Status Resume();

  // Every read model's keys and values, rendered, for comparing two stores. The alert outbox
  // and its positions (q/, qo/, qs/, qr/) are a delivery queue, not a read model, and are left out
  // (how far publishing got depends on timing, not on the log), and so are the open alerts'
  // sequence numbers (a store that adopted a partition numbers on from its previous owner) and
  // the ownership record (w/), which says who wrote the store, not what it holds.
  std::string Dump() const;

  static std::string StatusKey(const std::string& order_id) { return "s/" + order_id; }
  static std::string FactsKey(const std::string& order_id) { return "f/" + order_id; }
  static std::string EventKey(const std::string& order_id, int64_t version);
  static std::string IndexKey(const std::string& field, const std::string& value,
                              const std::string& order_id);
  static std::string CellStoreKey(const CellKey& key) { return "k" + key.Encode(); }
  static std::string OffsetKey(int32_t partition);
  static std::string AlertsKey(const std::string& order_id) { return "a/" + order_id; }
  static std::string ScheduleKey(int64_t unix_ms, const std::string& order_id);
  static std::string ScheduledAtKey(const std::string& order_id) { return "n/" + order_id; }
  static std::string SequenceKey(int32_t partition);
  static std::string OutboxKey(int32_t partition, int64_t sequence);
  static std::string PublishedOffsetKey(int32_t partition);  // qo/<partition:4 BE>
  static std::string ReplayKey(int32_t partition);           // qr/<partition:4 BE>
  static std::string OffsetValue(int64_t next_offset);
  static std::string PartitionValue(int32_t partition);  // a t/ entry's value
  static std::string PartitionOrderKey(int32_t partition, const std::string& order_id);
  static std::string OwnershipKey() { return "w/ownership"; }

 private:
  ReadModelStore(std::string link, std::string scratch, bool follower, StoreMemory memory,
                 Compaction compaction = Compaction::kOngoing);
  Status OpenCurrent();
  std::shared_ptr<rocksdb::DB> Db() const;
  Result<std::optional<std::string>> Get(const std::string& key) const;
  // A value written by OffsetValue (none when the key is absent).
  Result<std::optional<int64_t>> GetNumber(const std::string& key) const;
  // Day cells (or month rollups) of `kind` over [from, to]: one RocksDB range, in key order.
  void ScanCells(GroupKind kind, Date from, Date to, bool months,
                 const std::function<void(const CellKey&, const Cell&)>& fn) const;
  bool Matches(const v1::OrderStatus& s, const OrderFilter& f) const;
  Status AddIfMatches(const std::string& order_id, const OrderFilter& filter,
                      OrderPage* page) const;
  Result<OrderPage> ListAtRisk(const OrderFilter& filter, size_t limit,
                               const std::string& cursor) const;

  // A generation swap only ever brings a rebuilt store, which has rollups, so once true stays.
  mutable std::atomic<bool> rollups_seen_{false};
  const std::string link_;     // the configured folder (a link), or a generation itself
  const std::string scratch_;  // a follower's own folder
  const bool follower_;
  const Compaction compaction_;
  const std::shared_ptr<rocksdb::Cache> block_cache_;  // kept across generations (Reopen)
  mutable std::shared_mutex mu_;  // guards db_ and generation_ (swapped by Reopen)
  std::shared_ptr<rocksdb::DB> db_;
  std::string generation_;
};

}  // namespace gendan

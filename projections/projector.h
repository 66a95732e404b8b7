// ProjectionBatch: applies recorded OrderEvents to every read model, then commits them with the
// consumed offsets in one RocksDB WriteBatch — a crash at any point neither loses nor double-
// counts an event.
//
//   ProjectionBatch batch(store, kpi_options);
//   for (each record) batch.Apply(event, partition, offset);
//   Status s = batch.Commit();          // statuses, facts, indexes, timelines, KPI cells, offsets
//
// Or pipelined (the projector's loop, `gendan rebuild`; consumers/batch_writer.h): Stage() the
// batch and write its Writes on another thread while the next batch is applied. Apply reads the
// staged batch's orders from memory, so the next batch never sees the store before the write
// landed; a failed write is followed by Dropped().
//
// KPIs are kept by "retract and re-emit": the order's old contributions are subtracted and its
// new ones added (projections/kpi.h), so late facts revise the periods they touch.
// Not thread-safe; one batch at a time per store.
#pragma once

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>
#include <absl/container/node_hash_map.h>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "gendan/v1/events.pb.h"
#include "gendan/v1/status.pb.h"
#include "projections/kpi.h"
#include "projections/kpi_facts.h"
#include "projections/read_model_store.h"
#include "projections/risk.h"

namespace rocksdb {
class WriteBatch;
}

namespace gendan {

struct ProjectionOptions {
  KpiOptions kpi;
  RiskOptions risk;
  // The risk monitor's "now": injected so replays and tests decide alerts at a chosen instant.
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
  // Orders kept in memory between batches (projector.cache_orders), so an order that recurs is
  // not read back from the store; the last staged batch's orders are kept beyond it.
  size_t cache_orders = 20'000;
  // KPI cells kept in memory (projector.cache_cells); at it, all but the batch's own are
  // dropped and read back from the store as they recur.
  size_t cache_cells = 900'000;
};

class ProjectionBatch {
 public:
  ProjectionBatch(ReadModelStore& store, const ProjectionOptions& options)
      : store_(store), options_(options) {}

  // Applies one event read at (partition, offset). An event at or below the order's version is
  // skipped: it is already in the read models. `bytes`, when given, are the event as read: its
  // timeline entry, instead of serializing it again. An order's events come in offset order;
  // different orders' may come in any (`gendan rebuild` applies a batch order by order): the
  // partition's stored offset is the one after the highest applied.
  Status Apply(const v1::OrderEvent& event, int32_t partition, int64_t offset,
               std::string_view bytes = {});

  // Re-evaluates the alerts of every order whose schedule has come (the risk monitor's clock
  // tick); the changes are written by the next Commit. Returns how many orders it looked at.
  Result<size_t> Tick();

  // Stage, then ReadModelStore::Write, in one go: everything applied since the last Commit,
  // with the offsets, atomically. On failure the batch is dropped: the read models stay at their
  // last committed offsets.
  Status Commit();

 private:
  struct OrderWork {
    v1::OrderStatus status;
    OrderFacts facts_before;
    OrderFacts facts;
    std::vector<std::pair<std::string, std::string>> terms_before;
    // The alert set: parsed (`alerts`) while a batch changes it; otherwise only its bytes, as
    // stored or last written (`alert_bytes`), with its partition beside them. Parsed it takes
    // about three times the memory, and AlertMonitor answers most events from the memo.
    std::unique_ptr<v1::AlertSet> alerts;  // null: parked, the set is alert_bytes (or empty)
    std::string alert_bytes;
    int32_t partition = 0;    // the set's
    std::string open_alerts;  // AlertMonitor::Evaluate's memo of the set (empty: not known)
    std::optional<int64_t> scheduled_before;  // unix ms of its t/ entry
    std::optional<int64_t> scheduled;
    // Unix ms of its last alert evaluation in this process (not stored): none after a load.
    std::optional<int64_t> evaluated_at;
    bool alerts_changed = false;           // since the last Stage: alert_bytes are stale
    std::optional<int32_t> first_seen_in;  // the partition of the order's first event
    bool unload = false;                   // staged by Unload: delete every read model of it
    bool in_batch = false;                 // in orders_: applied to since the last Stage
    uint64_t staged_in = 0;                // the Stage that last cached it (order_cache_)
  };
  // Every order in memory (order_cache_).
  using OrderMap = absl::node_hash_map<std::string, OrderWork>;

 public:
  // A commit's puts and deletes, handed to RocksDB in key order.
  class Writes {
   public:
    void Put(std::string key, std::string value);
    void Delete(std::string key);
    void MoveTo(rocksdb::WriteBatch& wb);  // sorted; leaves this empty
    // The same, handing `wb` to `write` (and clearing it) each time it holds `chunk_bytes` or
    // more: what is left in it is the last chunk. For a store that need not take a batch whole
    // (a rebuild's generation, not live until it is complete): a write batch goes into one
    // memtable, however large, so a rebuild's batch of a million events in one write took a
    // memtable of ~300 MB beside the ones being flushed.
    Status MoveInChunks(rocksdb::WriteBatch& wb, size_t chunk_bytes,
                        const std::function<Status(rocksdb::WriteBatch&)>& write);
    size_t size() const { return ops_.size(); }
    void Reserve(size_t n) { ops_.reserve(n); }

   private:
    struct Op {
      std::string key;
      std::optional<std::string> value;  // nullopt: delete
    };
    std::vector<Op> ops_;
  };
  // A batch staged for writing: Commit's first half.
  struct Staged {
    Writes writes;  // everything, with the offsets
    // The changed orders' serialized statuses, by order_id (for gendan.status): the bytes the
    // status view is written with.
    std::vector<std::pair<std::string, std::string>> statuses;
    // The outbox records it adds (raised and cleared), with their keys.
    std::vector<std::pair<std::string, v1::Alert>> alerts;
    size_t events = 0;
    uint64_t stage = 0;  // the Stage's number
    // With DeferCells: each changed order's facts before and after the batch, whose KPI cell
    // changes (Delta) StageCells works out, merges and adds to `writes`.
    std::vector<std::pair<OrderFacts, OrderFacts>> fact_changes;
    // The orders this Stage evicted from the cache: freed with the batch, on whichever thread
    // drops it (the writer's, for BatchWriter), not by the loop that applies the next one.
    std::vector<OrderMap::node_type> evicted;
  };
  // Stages everything applied since the last Stage or Commit, for the caller to write (any
  // thread). The batch serves the staged orders and KPI cells from memory, so the next batch may
  // be applied and staged before the write landed. Writes land in stage order, and the batch
  // staged before this one must have landed (or been Dropped) before anything is applied, ticked
  // or unloaded again. On an error nothing is staged and the batch is Dropped.
  Result<Staged> Stage();
  // KPI cell changes are worked out, merged and staged by StageCells, on the thread that writes
  // the batches, not by Stage: for `gendan rebuild`, whose loop thread is its busiest while its
  // writer thread waits, so the cells' share of the work runs beside the next batch's applying.
  void DeferCells() { defer_cells_ = true; }
  // With DeferCells: merges `staged`'s KPI cell changes into the cells and adds the changed cells
  // to its writes. Call for every staged batch, in stage order, on one thread at a time — each
  // after the batch before it was written and before its own writes are (BatchWriter's prepare
  // step). Nothing else touches the cells meanwhile: the caller calls Dropped or ForgetCaches
  // only with no batch in flight. On an error the batch must not be written (the caller then
  // stops, or calls Dropped).
  Status StageCells(Staged& staged);
  // A staged write failed: forgets everything the batch assumed of it (and the next batch
  // applied meanwhile). The read models stay at their last written offsets; replay from them.
  void Dropped();

  // Stages the removal of up to `limit` of `partition`'s orders — statuses, facts, timelines,
  // index terms, alerts, schedule — with their KPI contributions retracted, and of the
  // partition's offset and alert positions; the next Commit writes it. For a projector instance
  // that lost the partition to another one: its store then holds exactly the partitions it owns,
  // so the instances' KPI cells add up to a single instance's. Returns how many orders it staged;
  // 0 once the partition is gone from the store. Call with no events of the partition staged.
  Result<size_t> Unload(int32_t partition, size_t limit);

  // Takes over `partition`'s alerts from the instance that published them last: numbering
  // goes on after `next_sequence` - 1, publishing from `published_offset` of gendan.alerts, the
  // outbox of the partition is dropped (what it holds predates the other owner's records), and
  // while the partition's events below `replay_until` are replayed, an alert record whose
  // "<alert_id>/<state>" is in `published` is not published again. Written by the next Commit,
  // with `replay_until` (ReadModelStore::ReplayUntil), so a restart in the middle of the replay
  // adopts the partition again.
  void Adopt(int32_t partition, int64_t next_sequence, int64_t published_offset,
             int64_t replay_until, std::unordered_set<std::string> published);
  // The adopted partition's replay is over (its consumer reached `replay_until`, which may be a
  // transaction marker no event is read at): its alerts are all published again from now on.
  void EndReplay(int32_t partition) {
    replay_until_.erase(partition);
    published_.erase(partition);
    replay_ended_.insert(partition);  // the next Commit forgets its stored replay end
  }
  // The key an adopted partition's published alert records are known by.
  static std::string PublishedKey(const v1::Alert& alert);
  // Nothing is kept for a topic: no alert records go in the outbox (the alert sets and numbering
  // are kept) and Staged::statuses stays empty. For a rebuild, whose history was published when
  // it happened.
  void WithoutPublishing() { publishing_ = false; }
  // The store holds no order yet (a new generation, which `gendan rebuild` fills): an order
  // first seen is not looked for in it, only one this batch staged and evicted from its cache
  // since. Call before the first Apply; ForgetCaches ends it.
  void StartsEmpty() { store_empty_ = true; }
  // The partition is this instance's again (assigned after an Unload): its ticks count again.
  void Reinstate(int32_t partition) { retired_.erase(partition); }

  size_t events() const { return events_; }
  // What is kept in memory between batches: orders (cache_orders) and KPI cells (cache_cells).
  size_t cached_orders() const { return order_cache_.size() - orders_.size(); }
  size_t cached_cells() const { return cell_cache_.size(); }
  // Drops what the batch caches of the store (after the store was reopened on another folder).
  void ForgetCaches() {
    cell_cache_.clear();
    group_ids_.clear();
    group_names_.clear();
    cells_complete_ = false;
    last_touched_ = 0;
    orders_.clear();
    order_cache_.clear();
    staged_.clear();
    store_empty_ = false;
    evicted_.clear();
  }

 private:
  Result<OrderWork*> Load(const std::string& order_id);
  Status Read(const std::string& order_id, OrderWork& work);
  static bool Unpark(OrderWork& work);
  void CacheStaged(Staged& staged);
  Status EvaluateAlerts(OrderWork& work, int32_t partition,
                        std::chrono::system_clock::time_point now);
  // A KPI cell's key in the cache: its CellKey with the group as a number (group_ids_), so a
  // lookup neither builds nor hashes a string.
  struct CellSlot {
    uint32_t group = 0;
    int32_t date = 0;  // days since the epoch
    uint8_t kind = 0;  // GroupKind, | kMonthSlot for a month's rollup
    uint8_t key = 0;   // KpiKey
    bool operator==(const CellSlot&) const = default;
    template <typename H>
    friend H AbslHashValue(H h, const CellSlot& s) {
      return H::combine(std::move(h), s.group, s.date, s.kind, s.key);
    }
  };
  static constexpr uint8_t kMonthSlot = 0x80;
  struct CachedCell {
    Cell cell;
    uint64_t touched_in = 0;  // the Stage that last changed it
  };
  CellSlot SlotOf(const CellKey& key);
  CellKey KeyOf(const CellSlot& slot) const;
  Status MergeCells(const CellMap& delta, std::vector<CellSlot>& touched, uint64_t stage);
  void WriteCells(const std::vector<CellSlot>& touched, uint64_t stage, Writes& wb);
  void DropCellsBefore(uint64_t stage);
  void ClearBatch();  // forgets what was applied since the last Stage
  void WriteAlerts(const std::string& order_id, OrderWork& work, Writes& wb);
  void WriteUnload(const std::string& order_id, const OrderWork& work, Writes& wb);
  bool Replaying(int32_t partition, int64_t offset) const;
  Status StageUnloadedPartitions(Writes& wb);
  Status DropOutbox(int32_t partition, Writes& wb);
  Result<int64_t*> Sequence(int32_t partition);

  ReadModelStore& store_;
  ProjectionOptions options_;
  std::map<int32_t, int64_t> sequences_;  // next alert sequence per partition, once loaded
  // KPI cells as stored, so a batch does not read back the cells it changes (the single writer
  // knows them); bounded by options_.cache_cells, refilled from the store on a miss.
  absl::flat_hash_map<CellSlot, CachedCell> cell_cache_;
  // The groups (merchandiser, customer, supplier ids) the cached cells are of, numbered: as
  // many as the store has groups, kept until the cache is forgotten.
  std::unordered_map<std::string, uint32_t> group_ids_;
  std::vector<std::string> group_names_;  // by number
  // The cache holds every KPI cell the store has (it started with none and was never cleared):
  // a miss is an absent cell, not read. What makes a rebuild's or a new store's cells cheap.
  bool cells_complete_ = false;
  size_t last_touched_ = 0;  // cells the last staged batch changed
  // Whether this store keeps month rollups: decided at the first commit (a store with no KPI
  // cells starts them and marks itself; an older store without them stays day-only).
  std::optional<bool> rollups_;
  bool publishing_ = true;                             // WithoutPublishing
  bool defer_cells_ = false;                           // DeferCells
  std::vector<std::pair<int32_t, v1::Alert>> alerts_;  // this batch's records, by partition
  // Every order in memory, by order_id: this batch's (orders_), and between batches the orders
  // as the store holds them once every staged write landed (Load reads them here, not from the
  // store): the last staged batch's orders, whose write may not have landed, and up to
  // options_.cache_orders more, the least recently staged evicted first. An unloaded order is
  // there as an empty one. One map, not one per role: an order that recurs is neither looked up
  // twice nor moved between maps (a tenth of a rebuild's loop, docs/benchmarks.md); a node map,
  // so the batch's pointers into it stay valid as it grows.
  OrderMap order_cache_;
  // This batch's orders (in_batch), in the order they were first loaded: what Stage writes.
  std::vector<std::pair<const std::string*, OrderWork*>> orders_;
  bool store_empty_ = false;  // StartsEmpty
  // With StartsEmpty, the orders evicted from order_cache_, by hash: the only ones the store may
  // have (a hash of another order's is one read for nothing). 8 bytes an order, not its id.
  absl::flat_hash_set<uint64_t> evicted_;
  // (Stage number, order id) as cached, oldest first; an entry whose order was staged again
  // since is stale and skipped.
  std::deque<std::pair<uint64_t, std::string>> staged_;
  uint64_t stages_ = 0;
  std::map<int32_t, int64_t> offsets_;
  std::set<int32_t> unloading_;                   // partitions Unload staged this batch
  std::set<int32_t> retired_;                     // unloaded or being unloaded: no ticks
  std::map<int32_t, int64_t> published_offsets_;  // qo/ positions Adopt staged this batch
  std::map<int32_t, int64_t> replay_until_;       // adopted partitions still replaying
  std::map<int32_t, std::unordered_set<std::string>> published_;  // their published records
  std::set<int32_t> drop_outbox_;   // adopted this batch: outbox dropped
  std::set<int32_t> replay_ended_;  // replays over since the last Commit
  int64_t current_offset_ = -1;     // of the event being applied (-1: a tick)
  std::vector<std::pair<std::string, std::string>> timeline_;  // key, event bytes
  size_t events_ = 0;
  size_t last_writes_ = 0;  // the last Stage's write count: the next one reserves as much
};

}  // namespace gendan

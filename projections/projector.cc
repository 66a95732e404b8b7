#include "projections/projector.h"

#include <rocksdb/write_batch.h>

#include <algorithm>

#include "projections/alert_monitor.h"
#include "projections/order_view.h"

namespace gendan {

// RocksDB's memtable is a skip list that inserts a run of ascending keys far faster than the
// same keys in random order (each insert starts from the previous one's position), and a
// batch's keys arrive order by order. Sorting them first halved the memtable's share of the
// projector's commit (docs/benchmarks.md). A key written twice keeps its last write.
void ProjectionBatch::Writes::Put(std::string key, std::string value) {
  ops_.push_back({std::move(key), std::move(value)});
}
void ProjectionBatch::Writes::Delete(std::string key) {
  ops_.push_back({std::move(key), std::nullopt});
}
void ProjectionBatch::Writes::MoveTo(rocksdb::WriteBatch& wb) {
  (void)MoveInChunks(wb, 0, {});  // never fails without chunks
}

Status ProjectionBatch::Writes::MoveInChunks(
    rocksdb::WriteBatch& wb, size_t chunk_bytes,
    const std::function<Status(rocksdb::WriteBatch&)>& write) {
  // Sorts positions with each key's first 16 bytes as two numbers that compare as the bytes do,
  // not the ops: a swap moves 24 bytes instead of two strings, and most comparisons are decided
  // without reading the keys ("e/ORD-00000001\0" and the like differ within 16 bytes).
  struct Position {
    uint64_t head[2];
    uint32_t op;
  };
  auto big_endian = [](std::string_view bytes, size_t at) {
    uint64_t v = 0;
    for (size_t i = at; i < at + 8; ++i) {
      v = (v << 8) | (i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : 0);
    }
    return v;
  };
  std::vector<Position> order(ops_.size());
  for (uint32_t i = 0; i < order.size(); ++i) {
    order[i] = {{big_endian(ops_[i].key, 0), big_endian(ops_[i].key, 8)}, i};
  }
  std::stable_sort(order.begin(), order.end(), [&](const Position& a, const Position& b) {
    if (a.head[0] != b.head[0]) return a.head[0] < b.head[0];
    if (a.head[1] != b.head[1]) return a.head[1] < b.head[1];
    return ops_[a.op].key < ops_[b.op].key;  // the same 16 bytes (a shorter key pads with 0s)
  });
  // Each op's strings go as soon as the write batch has its copy: a large batch (a rebuild's)
  // is not held twice, once as ops and once as the write batch.
  Status s;
  for (const Position& position : order) {
    Op op = std::move(ops_[position.op]);
    if (op.value) {
      wb.Put(op.key, *op.value);
    } else {
      wb.Delete(op.key);
    }
    if (chunk_bytes > 0 && wb.GetDataSize() >= chunk_bytes) {
      s = write(wb);
      wb.Clear();
      if (!s.ok()) break;
    }
  }
  ops_.clear();
  return s;
}

Result<ProjectionBatch::OrderWork*> ProjectionBatch::Load(const std::string& order_id) {
  auto [it, fresh] = order_cache_.try_emplace(order_id);
  OrderWork& work = it->second;
  if (work.in_batch) return &work;
  if (!fresh) {
    // As the last batch that staged it left it; that write may not have landed yet.
    work.facts_before = work.facts;
    work.terms_before = IndexTerms(work.status);
    work.scheduled_before = work.scheduled;
    work.alerts_changed = false;
    work.first_seen_in.reset();
  } else if (!store_empty_ || evicted_.contains(absl::HashOf(order_id))) {
    if (Status s = Read(order_id, work); !s.ok()) {
      order_cache_.erase(it);
      return s;
    }
  }
  work.in_batch = true;
  orders_.emplace_back(&it->first, &work);
  return &work;
}

// An order the batch does not hold, as the store has it (an empty one when it has none).
Status ProjectionBatch::Read(const std::string& order_id, OrderWork& work) {
  auto status = store_.GetStatus(order_id);
  if (!status.ok()) return status.status();
  if (status->has_value()) work.status = std::move(**status);
  auto facts = store_.GetFacts(order_id);
  if (!facts.ok()) return facts.status();
  if (facts->has_value()) work.facts = std::move(**facts);
  work.facts_before = work.facts;
  work.terms_before = IndexTerms(work.status);
  auto alerts = store_.GetAlertBytes(order_id);
  if (!alerts.ok()) return alerts.status();
  if (alerts->has_value()) {
    // Parsed now: the order's first evaluation after a load reads the set (its memo is not
    // known), and the Tick needs its partition.
    work.alert_bytes = std::move(**alerts);
    if (!Unpark(work)) return Status::Fatal("alerts of " + order_id + " are corrupt");
    work.partition = work.alerts->partition();
  }
  auto scheduled = store_.ScheduledAt(order_id);
  if (!scheduled.ok()) return scheduled.status();
  work.scheduled_before = work.scheduled = *scheduled;
  return Status::Ok();
}

Result<int64_t*> ProjectionBatch::Sequence(int32_t partition) {
  if (auto it = sequences_.find(partition); it != sequences_.end()) return &it->second;
  auto next = store_.NextSequence(partition);
  if (!next.ok()) return next.status();
  return &sequences_.emplace(partition, *next).first->second;
}

// Parses the parked alert set (alert_bytes); false when the bytes do not parse (the set is then
// empty).
bool ProjectionBatch::Unpark(OrderWork& work) {
  work.alerts = std::make_unique<v1::AlertSet>();
  if (work.alerts->ParseFromString(work.alert_bytes)) return true;
  work.alerts->Clear();
  return false;
}

// Brings the order's open alerts in line with its status now, and reschedules it.
Status ProjectionBatch::EvaluateAlerts(OrderWork& work, int32_t partition,
                                       std::chrono::system_clock::time_point now) {
  auto seq = Sequence(partition);
  if (!seq.ok()) return seq.status();
  work.evaluated_at = FloorMillis(now);
  std::vector<v1::Alert> records;
  work.partition = partition;
  if (work.alerts) work.alerts->set_partition(partition);
  const int64_t numbered = **seq;
  bool corrupt = false;
  auto set = [&] {
    if (!work.alerts) {
      if (!Unpark(work)) corrupt = true;  // evaluated on an empty set, then dropped
      work.alerts->set_partition(partition);
    }
    return work.alerts.get();
  };
  // WithoutPublishing: the sets and numbers are kept, no record is built or queued.
  auto next = AlertMonitor::Evaluate(work.status, now, options_.risk, set, *seq,
                                     publishing_ ? &records : nullptr, &work.open_alerts);
  if (corrupt) return Status::Fatal("an alert set kept in memory does not parse");
  work.alerts_changed = work.alerts_changed || **seq != numbered;  // a record was numbered
  // A replay of an adopted partition brings the alert sets up to date without numbering or
  // publishing what the previous owner already published.
  const auto* published = Replaying(partition, current_offset_) ? &published_[partition] : nullptr;
  for (auto& r : records) {
    // Numbers stay taken even for a record not sent again: gaps are allowed, repeats are not.
    if (published != nullptr && published->contains(PublishedKey(r))) continue;
    alerts_.emplace_back(partition, std::move(r));
  }
  work.scheduled.reset();
  if (next) {
    work.scheduled =
        std::chrono::duration_cast<std::chrono::milliseconds>(next->time_since_epoch()).count();
  }
  return Status::Ok();
}

// The partition-wide keys of the partitions Unload staged: offset, alert positions, outbox.
Status ProjectionBatch::StageUnloadedPartitions(Writes& wb) {
  for (int32_t partition : unloading_) {
    wb.Delete(ReadModelStore::OffsetKey(partition));
    wb.Delete(ReadModelStore::SequenceKey(partition));
    wb.Delete(ReadModelStore::PublishedOffsetKey(partition));
    wb.Delete(ReadModelStore::ReplayKey(partition));
    Status s = DropOutbox(partition, wb);
    if (!s.ok()) return s;
  }
  for (int32_t partition : drop_outbox_) {
    Status s = DropOutbox(partition, wb);
    if (!s.ok()) return s;
    if (auto it = replay_until_.find(partition); it != replay_until_.end()) {
      wb.Put(ReadModelStore::ReplayKey(partition), ReadModelStore::OffsetValue(it->second));
    }
  }
  for (int32_t partition : replay_ended_) wb.Delete(ReadModelStore::ReplayKey(partition));
  return Status::Ok();
}

Status ProjectionBatch::DropOutbox(int32_t partition, Writes& wb) {
  auto outbox = store_.OutboxKeys(partition);
  if (!outbox.ok()) return outbox.status();
  for (std::string& key : *outbox) wb.Delete(std::move(key));
  return Status::Ok();
}

bool ProjectionBatch::Replaying(int32_t partition, int64_t offset) const {
  auto it = replay_until_.find(partition);
  return it != replay_until_.end() && (offset < 0 || offset < it->second);
}

std::string ProjectionBatch::PublishedKey(const v1::Alert& alert) {
  return alert.alert_id() + "/" + v1::Alert::State_Name(alert.state());
}

void ProjectionBatch::Adopt(int32_t partition, int64_t next_sequence, int64_t published_offset,
                            int64_t replay_until, std::unordered_set<std::string> published) {
  sequences_[partition] = next_sequence;
  published_offsets_[partition] = published_offset;
  drop_outbox_.insert(partition);
  replay_ended_.erase(partition);
  if (replay_until > 0) {
    replay_until_[partition] = replay_until;
    published_[partition] = std::move(published);
  }
}

Result<size_t> ProjectionBatch::Unload(int32_t partition, size_t limit) {
  offsets_.erase(partition);
  sequences_.erase(partition);
  replay_until_.erase(partition);
  published_.erase(partition);
  unloading_.insert(partition);
  retired_.insert(partition);
  auto orders = store_.OrdersOf(partition, limit);
  if (!orders.ok()) return orders.status();
  for (const std::string& order_id : *orders) {
    auto work = Load(order_id);
    if (!work.ok()) return work.status();
    (*work)->unload = true;
    (*work)->first_seen_in = partition;
  }
  return orders->size();
}

// Deletes every read model of the order (its KPI contributions are retracted by the caller).
void ProjectionBatch::WriteUnload(const std::string& order_id, const OrderWork& work, Writes& wb) {
  wb.Delete(ReadModelStore::StatusKey(order_id));
  wb.Delete(ReadModelStore::FactsKey(order_id));
  wb.Delete(ReadModelStore::AlertsKey(order_id));
  wb.Delete(ReadModelStore::ScheduledAtKey(order_id));
  if (work.scheduled_before)
    wb.Delete(ReadModelStore::ScheduleKey(*work.scheduled_before, order_id));
  for (const auto& t : work.terms_before)
    wb.Delete(ReadModelStore::IndexKey(t.first, t.second, order_id));
  for (int64_t v = 1; v <= work.status.version(); ++v)
    wb.Delete(ReadModelStore::EventKey(order_id, v));
  wb.Delete(ReadModelStore::PartitionOrderKey(*work.first_seen_in, order_id));
}

Result<size_t> ProjectionBatch::Tick() {
  const auto now = options_.now();
  auto due = store_.DueForAlerts(FloorMillis(now));
  if (!due.ok()) return due.status();
  current_offset_ = -1;
  for (const ReadModelStore::Due& d : *due) {
    auto work = Load(d.order_id);
    if (!work.ok()) return work.status();
    // The schedule entry knows the order's partition even when it has no alert set stored.
    const int32_t partition = d.partition.value_or((*work)->partition);
    if (retired_.contains(partition)) continue;  // not ours any more: the new owner ticks it
    Status s = EvaluateAlerts(**work, partition, now);
    if (!s.ok()) return s;
  }
  return due->size();
}

void ProjectionBatch::WriteAlerts(const std::string& order_id, OrderWork& work, Writes& wb) {
  if (work.alerts_changed) {  // a record was numbered: the set is parsed
    if (work.alerts->open_size() == 0 && work.alerts->raisings().empty()) {
      wb.Delete(ReadModelStore::AlertsKey(order_id));
      std::string().swap(work.alert_bytes);
    } else {
      work.alert_bytes = work.alerts->SerializeAsString();
      wb.Put(ReadModelStore::AlertsKey(order_id), work.alert_bytes);
    }
    work.alerts_changed = false;  // the bytes are the set again
  }
  if (work.scheduled != work.scheduled_before) {
    if (work.scheduled_before)
      wb.Delete(ReadModelStore::ScheduleKey(*work.scheduled_before, order_id));
    if (work.scheduled) {
      wb.Put(ReadModelStore::ScheduleKey(*work.scheduled, order_id),
             ReadModelStore::PartitionValue(work.partition));
      wb.Put(ReadModelStore::ScheduledAtKey(order_id),
             ReadModelStore::OffsetValue(*work.scheduled));
    } else {
      wb.Delete(ReadModelStore::ScheduledAtKey(order_id));
    }
  }
}

Status ProjectionBatch::Apply(const v1::OrderEvent& event, int32_t partition, int64_t offset,
                              std::string_view bytes) {
  // Not always the last event read: `gendan rebuild` applies a batch order by order.
  int64_t& next = offsets_[partition];
  next = std::max(next, offset + 1);
  auto work = Load(event.order_id());
  if (!work.ok()) return work.status();
  if (event.version() <= (*work)->status.version()) return Status::Ok();  // already projected
  if ((*work)->status.version() == 0) (*work)->first_seen_in = partition;
  current_offset_ = offset;
  ApplyToStatus((*work)->status, event, options_.kpi.offset);
  ApplyEvent((*work)->facts, event);
  timeline_.emplace_back(ReadModelStore::EventKey(event.order_id(), event.version()),
                         bytes.empty() ? event.SerializeAsString() : std::string(bytes));
  ++events_;
  const auto now = options_.now();
  const int64_t now_ms = FloorMillis(now);
  const OrderWork& w = **work;
  // An event that changes nothing the rules read leaves the alerts as the last evaluation left
  // them until the next change it foresaw (a third of the events; the evaluation is a quarter of
  // a rebuild's loop). Not if the clock went back since: the answer may differ before then.
  if (RiskNeutral(event.payload_case()) && w.evaluated_at && *w.evaluated_at <= now_ms &&
      (!w.scheduled || now_ms < *w.scheduled)) {
    return Status::Ok();
  }
  return EvaluateAlerts(**work, partition, now);
}

Result<ProjectionBatch::Staged> ProjectionBatch::Stage() {
  if (!rollups_) {
    auto none = store_.NoCells();
    if (!none.ok()) {
      Dropped();
      return none.status();
    }
    rollups_ = store_.HasMonthRollups() || *none;
    cells_complete_ = *none;
  }
  Staged staged;
  staged.stage = stages_ + 1;  // CacheStaged numbers the batch at its end
  Writes& wb = staged.writes;
  // Growing the vector moves every op staged so far, twice on average.
  wb.Reserve(last_writes_ + last_writes_ / 4);
  std::vector<CellSlot> touched;
  // The order's facts before the batch are not needed after it (Load sets them again).
  auto cells = [&](OrderFacts& before, const OrderFacts& after) {
    if (!defer_cells_) return MergeCells(Delta(before, after, options_.kpi), touched, staged.stage);
    staged.fact_changes.emplace_back(std::move(before), after);
    return Status::Ok();
  };
  Status s;
  for (auto [id, order] : orders_) {
    const std::string& order_id = *id;
    OrderWork& work = *order;
    if (work.unload) {
      WriteUnload(order_id, work, wb);
      s = cells(work.facts_before, OrderFacts{});
      if (!s.ok()) break;
      work = OrderWork();  // what the store holds of it once the write landed: nothing
      continue;
    }
    if (work.status.version() == 0) continue;  // only skipped events touched it
    if (work.first_seen_in)
      wb.Put(ReadModelStore::PartitionOrderKey(*work.first_seen_in, order_id), "");
    WriteAlerts(order_id, work, wb);
    std::string status = work.status.SerializeAsString();
    if (publishing_) staged.statuses.emplace_back(order_id, status);
    wb.Put(ReadModelStore::StatusKey(order_id), std::move(status));
    wb.Put(ReadModelStore::FactsKey(order_id), SerializeFacts(work.facts));
    auto terms = IndexTerms(work.status);
    for (const auto& t : work.terms_before) {
      if (std::find(terms.begin(), terms.end(), t) == terms.end()) {
        wb.Delete(ReadModelStore::IndexKey(t.first, t.second, order_id));
      }
    }
    for (const auto& t : terms) {
      if (std::find(work.terms_before.begin(), work.terms_before.end(), t) ==
          work.terms_before.end()) {
        wb.Put(ReadModelStore::IndexKey(t.first, t.second, order_id), "");
      }
    }
    s = cells(work.facts_before, work.facts);
    if (!s.ok()) break;
  }
  if (s.ok()) {
    if (!defer_cells_) WriteCells(touched, staged.stage, wb);
    // Idempotent; the marker lands with the cells.
    if (*rollups_) wb.Put(ReadModelStore::RollupsKey(), "");
    s = StageUnloadedPartitions(wb);
  }
  if (!s.ok()) {
    Dropped();
    return s;
  }
  for (auto& [key, bytes] : timeline_) wb.Put(std::move(key), std::move(bytes));
  for (auto& [partition, a] : alerts_) {
    std::string key = ReadModelStore::OutboxKey(partition, a.sequence());
    wb.Put(key, a.SerializeAsString());
    staged.alerts.emplace_back(std::move(key), std::move(a));
  }
  // Sequences stay known across batches (this batch is their only writer): the next batch
  // numbers on before this one's write landed.
  for (const auto& [partition, next] : sequences_) {
    wb.Put(ReadModelStore::SequenceKey(partition), ReadModelStore::OffsetValue(next));
  }
  for (const auto& [partition, next] : offsets_) {
    wb.Put(ReadModelStore::OffsetKey(partition), ReadModelStore::OffsetValue(next));
  }
  for (const auto& [partition, offset] : published_offsets_) {
    wb.Put(ReadModelStore::PublishedOffsetKey(partition), ReadModelStore::OffsetValue(offset));
  }
  staged.events = events_;
  last_writes_ = wb.size();
  CacheStaged(staged);
  ClearBatch();
  return staged;
}

// Keeps the batch's orders in the cache as it leaves them, then evicts the least recently
// staged orders beyond the limit — never one of this batch, whose write has not landed (the
// store does not have it yet) — into `staged`, to be freed with it. The batch staged before
// lands before anything is read again.
void ProjectionBatch::CacheStaged(Staged& staged) {
  const uint64_t stage = ++stages_;
  for (auto [order_id, work] : orders_) {
    work->in_batch = false;
    work->staged_in = stage;
    // Parked: alert_bytes hold the set. One not written (an order with no status) as it is.
    if (work->alerts_changed && work->alerts) work->alert_bytes = work->alerts->SerializeAsString();
    work->alerts.reset();
    work->facts_before = OrderFacts{};  // rebuilt by Load
    work->terms_before.clear();
    staged_.emplace_back(stage, *order_id);
  }
  orders_.clear();
  while (!staged_.empty() && staged_.front().first < stage) {
    auto& [staged_in, order_id] = staged_.front();
    auto it = order_cache_.find(order_id);
    const bool current = it != order_cache_.end() && it->second.staged_in == staged_in;
    if (current && order_cache_.size() <= options_.cache_orders) break;
    if (current) {
      if (store_empty_) evicted_.insert(absl::HashOf(order_id));
      staged.evicted.push_back(order_cache_.extract(it));
    }
    staged_.pop_front();
  }
  if (staged_.size() > 2 * order_cache_.size() + 1024) {
    // Mostly stale entries of orders staged again since: keep the current ones, in order.
    std::erase_if(staged_, [&](const auto& entry) {
      auto it = order_cache_.find(entry.second);
      return it == order_cache_.end() || it->second.staged_in != entry.first;
    });
  }
}

// Merges one order's cell changes (with their month rollups, when the store keeps them) into
// the cells as stored, or as the batches staged before left them: the cache is what the next
// batch reads, landed or not, so an emptied cell stays in it (as empty) until then. Merging
// each order's few cells straight into the cache, not into a batch-wide map first, saves a
// second merge and an ordered map's comparisons per cell (docs/benchmarks.md).
Status ProjectionBatch::MergeCells(const CellMap& delta, std::vector<CellSlot>& touched,
                                   uint64_t stage) {
  auto merge = [&](const CellSlot& slot, const Cell& change) -> Status {
    // Full: make room before the table would grow past the bound (it doubles when 7/8 full, and
    // while it does both tables are alive). The batch staged before may not have landed yet,
    // so its cells stay too. Only when that frees half of it: a batch that touches more cells
    // than that keeps them all, and is cut back in WriteCells.
    if (cell_cache_.size() >= options_.cache_cells &&
        cell_cache_.size() >= 2 * (touched.size() + last_touched_) && !cell_cache_.contains(slot)) {
      DropCellsBefore(stage - 1);
    }
    auto [it, fresh] = cell_cache_.try_emplace(slot);
    if (fresh && !cells_complete_) {
      auto stored = store_.GetCell(KeyOf(slot));
      if (!stored.ok()) return stored.status();  // Stage drops the batch and the cache
      if (stored->has_value()) it->second.cell = std::move(**stored);
    }
    it->second.cell.Merge(change);
    if (it->second.touched_in != stage) {
      it->second.touched_in = stage;
      touched.push_back(slot);
    }
    return Status::Ok();
  };
  for (const auto& [key, change] : delta) {
    CellSlot slot = SlotOf(key);
    Status s = merge(slot, change);
    if (s.ok() && *rollups_ && !key.month) {
      // The month's rollup changes by what its day does (AddMonthRollups, one cell at a time).
      slot.kind |= kMonthSlot;
      slot.date =
          static_cast<int32_t>(BucketStart(key.date, Bucket::kMonth).time_since_epoch().count());
      s = merge(slot, change);
    }
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ProjectionBatch::StageCells(Staged& staged) {
  std::vector<CellSlot> touched;
  for (const auto& [before, after] : staged.fact_changes) {
    Status s = MergeCells(Delta(before, after, options_.kpi), touched, staged.stage);
    if (!s.ok()) return s;
  }
  staged.fact_changes.clear();
  WriteCells(touched, staged.stage, staged.writes);
  return Status::Ok();
}

// Writes the cells this batch changed, as they now are.
void ProjectionBatch::WriteCells(const std::vector<CellSlot>& touched, uint64_t stage, Writes& wb) {
  for (const CellSlot& slot : touched) {
    const Cell& cell = cell_cache_.find(slot)->second.cell;
    std::string key = ReadModelStore::CellStoreKey(KeyOf(slot));
    if (cell.Empty()) {
      wb.Delete(std::move(key));
    } else {
      wb.Put(std::move(key), cell.Serialize());
    }
  }
  last_touched_ = touched.size();
  // Full: keep only this batch's cells, which may not have landed yet (the one before lands
  // before anything is read again).
  if (cell_cache_.size() > options_.cache_cells) DropCellsBefore(stage);
}

// Drops the cached cells no batch since `stage` changed; they are read back from the store as
// they recur. The table keeps its slots, so refilling it does not grow it again.
void ProjectionBatch::DropCellsBefore(uint64_t stage) {
  absl::erase_if(cell_cache_,
                 [stage](const auto& entry) { return entry.second.touched_in < stage; });
  cells_complete_ = false;
}

ProjectionBatch::CellSlot ProjectionBatch::SlotOf(const CellKey& key) {
  auto [it, fresh] = group_ids_.try_emplace(key.group, static_cast<uint32_t>(group_names_.size()));
  if (fresh) group_names_.push_back(key.group);
  // Dates fit 32 bits: CellKey::Encode keeps no more.
  return {it->second, static_cast<int32_t>(key.date.time_since_epoch().count()),
          static_cast<uint8_t>(static_cast<uint8_t>(key.kind) | (key.month ? kMonthSlot : 0)),
          static_cast<uint8_t>(key.key)};
}

CellKey ProjectionBatch::KeyOf(const CellSlot& slot) const {
  CellKey key;
  key.kind = static_cast<GroupKind>(slot.kind & ~kMonthSlot);
  key.month = (slot.kind & kMonthSlot) != 0;
  key.group = group_names_[slot.group];
  key.date = Date(std::chrono::days(slot.date));
  key.key = static_cast<KpiKey>(slot.key);
  return key;
}

void ProjectionBatch::ClearBatch() {
  alerts_.clear();
  // Staged orders went to the cache (CacheStaged); a dropped batch's are forgotten.
  for (auto [order_id, work] : orders_) order_cache_.erase(order_cache_.find(*order_id));
  orders_.clear();
  timeline_.clear();
  offsets_.clear();
  unloading_.clear();
  drop_outbox_.clear();
  replay_ended_.clear();
  published_offsets_.clear();
  events_ = 0;
}

void ProjectionBatch::Dropped() {
  ClearBatch();
  ForgetCaches();
  sequences_.clear();  // read from the store again
}

Status ProjectionBatch::Commit() {
  auto staged = Stage();
  if (!staged.ok()) return staged.status();
  rocksdb::WriteBatch wb;
  staged->writes.MoveTo(wb);
  Status s = store_.Write(&wb);
  if (!s.ok()) {
    Dropped();
    return s;
  }
  return s;
}

}  // namespace gendan

#include "projections/projector.h"

#include <rocksdb/write_batch.h>

#include <algorithm>

#include "projections/order_view.h"

namespace gendan {

Result<ProjectionBatch::OrderWork*> ProjectionBatch::Load(const std::string& order_id) {
  if (auto it = orders_.find(order_id); it != orders_.end()) return &it->second;
  OrderWork work;
  auto status = store_.GetStatus(order_id);
  if (!status.ok()) return status.status();
  if (status->has_value()) work.status = std::move(**status);
  auto facts = store_.GetFacts(order_id);
  if (!facts.ok()) return facts.status();
  if (facts->has_value()) work.facts = std::move(**facts);
  work.facts_before = work.facts;
  work.terms_before = IndexTerms(work.status);
  return &orders_.emplace(order_id, std::move(work)).first->second;
}

Status ProjectionBatch::Apply(const v1::OrderEvent& event, int32_t partition, int64_t offset) {
  offsets_[partition] = offset + 1;
  auto work = Load(event.order_id());
  if (!work.ok()) return work.status();
  if (event.version() <= (*work)->status.version()) return Status::Ok();  // already projected
  ApplyToStatus((*work)->status, event, options_.offset);
  ApplyEvent((*work)->facts, event);
  timeline_.emplace_back(ReadModelStore::EventKey(event.order_id(), event.version()),
                         event.SerializeAsString());
  ++events_;
  return Status::Ok();
}

std::vector<const v1::OrderStatus*> ProjectionBatch::Changed() const {
  std::vector<const v1::OrderStatus*> out;
  for (const auto& [id, work] : orders_) out.push_back(&work.status);
  return out;
}

Status ProjectionBatch::Commit() {
  rocksdb::WriteBatch wb;
  std::map<CellKey, Cell> cells;
  committed_.clear();
  for (auto& [order_id, work] : orders_) {
    if (work.status.version() == 0) continue;  // only skipped events touched it
    wb.Put(ReadModelStore::StatusKey(order_id), work.status.SerializeAsString());
    wb.Put(ReadModelStore::FactsKey(order_id), SerializeFacts(work.facts));
    auto terms = IndexTerms(work.status);
    for (const auto& t : work.terms_before) {
      if (std::find(terms.begin(), terms.end(), t) == terms.end()) {
        wb.Delete(ReadModelStore::IndexKey(t.first, t.second, order_id));
      }
    }
    for (const auto& t : terms) wb.Put(ReadModelStore::IndexKey(t.first, t.second, order_id), "");
    for (auto& [key, cell] : Delta(work.facts_before, work.facts, options_)) cells[key].Merge(cell);
    committed_.push_back(std::move(work.status));
  }
  for (const auto& [key, delta] : cells) {
    auto stored = store_.GetCell(key);
    if (!stored.ok()) return stored.status();
    Cell merged = stored->value_or(Cell());
    merged.Merge(delta);
    if (merged.Empty()) {
      wb.Delete(ReadModelStore::CellStoreKey(key));
    } else {
      wb.Put(ReadModelStore::CellStoreKey(key), merged.Serialize());
    }
  }
  for (const auto& [key, bytes] : timeline_) wb.Put(key, bytes);
  for (const auto& [partition, next] : offsets_) {
    wb.Put(ReadModelStore::OffsetKey(partition), ReadModelStore::OffsetValue(next));
  }
  Status s = store_.Write(&wb);
  orders_.clear();
  timeline_.clear();
  offsets_.clear();
  events_ = 0;
  if (!s.ok()) committed_.clear();
  return s;
}

}  // namespace gendan

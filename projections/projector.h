// ProjectionBatch: applies recorded OrderEvents to every read model, then commits them with the
// consumed offsets in one RocksDB WriteBatch — a crash at any point neither loses nor double-
// counts an event.
//
//   ProjectionBatch batch(store, kpi_options);
//   for (each record) batch.Apply(event, partition, offset);
//   Status s = batch.Commit();          // statuses, facts, indexes, timelines, KPI cells, offsets
//   for (const auto* st : batch.Changed()) publish(*st);
//
// KPIs are kept by "retract and re-emit": the order's old contributions are subtracted and its
// new ones added (projections/kpi.h), so late facts revise the periods they touch.
// Not thread-safe; one batch at a time per store.
#pragma once

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/status.h"
#include "gendan/v1/events.pb.h"
#include "gendan/v1/status.pb.h"
#include "projections/kpi.h"
#include "projections/kpi_facts.h"
#include "projections/read_model_store.h"

namespace gendan {

class ProjectionBatch {
 public:
  ProjectionBatch(ReadModelStore& store, const KpiOptions& options)
      : store_(store), options_(options) {}

  // Applies one event read at (partition, offset). An event at or below the order's version is
  // skipped: it is already in the read models.
  Status Apply(const v1::OrderEvent& event, int32_t partition, int64_t offset);

  // Writes everything applied since the last Commit, with the offsets, atomically.
  Status Commit();

  size_t events() const { return events_; }
  // The orders changed since the last Commit; valid until the next Apply or Commit.
  std::vector<const v1::OrderStatus*> Changed() const;
  // The statuses the last Commit wrote (for gendan.status), moved out.
  std::vector<v1::OrderStatus> TakeCommitted() { return std::move(committed_); }

 private:
  struct OrderWork {
    v1::OrderStatus status;
    OrderFacts facts_before;
    OrderFacts facts;
    std::vector<std::pair<std::string, std::string>> terms_before;
  };
  Result<OrderWork*> Load(const std::string& order_id);

  ReadModelStore& store_;
  KpiOptions options_;
  std::unordered_map<std::string, OrderWork> orders_;
  std::map<int32_t, int64_t> offsets_;
  std::vector<std::pair<std::string, std::string>> timeline_;  // key, event bytes
  std::vector<v1::OrderStatus> committed_;
  size_t events_ = 0;
};

}  // namespace gendan

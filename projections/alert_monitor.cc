#include "projections/alert_monitor.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

namespace gendan {
namespace {

google::protobuf::Timestamp ToProto(AlertMonitor::TimePoint t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

// Counts one more raising of `key` on the order and returns the count.
int64_t NextRaising(v1::AlertSet* set, const AlertKey& key) {
  const std::string name = v1::AlertKind::Value_Name(key.kind) + "/" + key.subject;
  for (auto& r : *set->mutable_raisings()) {
    if (r.key() == name) {
      r.set_count(r.count() + 1);
      return r.count();
    }
  }
  auto* r = set->add_raisings();
  r->set_key(name);
  r->set_count(1);
  return 1;
}

void Raise(const v1::OrderStatus& status, const AlertKey& key, AlertMonitor::TimePoint now,
           const RiskOptions& options, v1::AlertSet* set, int64_t* next_sequence,
           std::vector<v1::Alert>* records) {
  const int64_t raising = NextRaising(set, key);
  v1::Alert* a = set->add_open();
  a->set_alert_id(AlertId(status.order_id(), key, raising));
  a->set_order_id(status.order_id());
  a->set_kind(key.kind);
  a->set_subject(key.subject);
  a->set_state(v1::Alert::RAISED);
  *a->mutable_raised_at() = ToProto(now);
  a->set_message(AlertMessage(status, key, now, options));
  a->set_merchandiser_id(status.merchandiser_id());
  a->set_customer_id(status.customer_id());
  a->set_supplier_id(status.supplier_id());
  a->set_sequence((*next_sequence)++);
  if (records != nullptr) records->push_back(*a);
}

void Clear(const AlertKey& key, AlertMonitor::TimePoint now, v1::AlertSet* set,
           int64_t* next_sequence, std::vector<v1::Alert>* records) {
  auto* open = set->mutable_open();
  auto it = std::find_if(open->begin(), open->end(), [&](const v1::Alert& a) {
    return a.kind() == key.kind && a.subject() == key.subject;
  });
  if (it == open->end()) return;
  const int64_t sequence = (*next_sequence)++;
  if (records != nullptr) {
    records->push_back(std::move(*it));
    v1::Alert& cleared = records->back();
    cleared.set_state(v1::Alert::CLEARED);
    *cleared.mutable_cleared_at() = ToProto(now);
    cleared.set_sequence(sequence);
  }
  open->erase(it);
}

}  // namespace

std::optional<AlertMonitor::TimePoint> AlertMonitor::Evaluate(
    const v1::OrderStatus& status, TimePoint now, const RiskOptions& options, v1::AlertSet* set,
    int64_t* next_sequence, std::vector<v1::Alert>* records) {
  // This runs after every event, and most events change no alert: the open alerts are compared
  // as borrowed keys in reused buffers, and copied only when they differ.
  thread_local std::vector<AlertKeyView> open, before;
  const std::optional<TimePoint> next = AssessInto(status, now, options, open);  // sorted, unique
  before.clear();
  for (const v1::Alert& a : set->open()) before.push_back({a.kind(), a.subject()});
  std::sort(before.begin(), before.end());
  if (before == open) return next;  // the usual case: nothing raised or cleared
  // Owned: Raise and Clear change the set the keys of `before` point into.
  for (const AlertChange& change : Diff(Owned(before), Owned(open))) {
    if (change.raised) {
      Raise(status, change.key, now, options, set, next_sequence, records);
    } else {
      Clear(change.key, now, set, next_sequence, records);
    }
  }
  return next;
}

}  // namespace gendan

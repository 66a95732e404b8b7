#include "projections/alert_monitor.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstring>

namespace gendan {
namespace {

google::protobuf::Timestamp ToProto(AlertMonitor::TimePoint t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

// Counts one more raising of `key` on the order and returns the count.
int64_t NextRaising(v1::AlertSet* set, const AlertKey& key) {
  // "<KIND>/<subject>", compared in place: most raisings on a set are of other keys.
  const std::string& kind = v1::AlertKind::Value_Name(key.kind);
  auto is_key = [&](std::string_view name) {
    return name.size() == kind.size() + 1 + key.subject.size() && name.starts_with(kind) &&
           name[kind.size()] == '/' && name.ends_with(key.subject);
  };
  for (auto& r : *set->mutable_raisings()) {
    if (is_key(r.key())) {
      r.set_count(r.count() + 1);
      return r.count();
    }
  }
  auto* r = set->add_raisings();
  r->set_key(kind + "/" + key.subject);
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

// Sorted keys as one string, for Evaluate's memo: a marker (so that no keys is not "unknown"),
// then each key's kind, its subject's size and its subject.
void Encode(const std::vector<AlertKeyView>& keys, std::string& out) {
  out.assign(1, '+');
  for (const AlertKeyView& key : keys) {
    const auto kind = static_cast<int32_t>(key.kind);
    const auto size = static_cast<uint32_t>(key.subject.size());
    out.append(reinterpret_cast<const char*>(&kind), sizeof kind);
    out.append(reinterpret_cast<const char*>(&size), sizeof size);
    out.append(key.subject);
  }
}

// The keys Encode wrote to `memo`, borrowing their subjects from it.
void Decode(const std::string& memo, std::vector<AlertKeyView>& keys) {
  keys.clear();
  for (size_t at = 1; at < memo.size();) {
    int32_t kind = 0;
    uint32_t size = 0;
    std::memcpy(&kind, memo.data() + at, sizeof kind);
    std::memcpy(&size, memo.data() + at + sizeof kind, sizeof size);
    at += sizeof kind + sizeof size;
    keys.push_back({static_cast<v1::AlertKind::Value>(kind), {memo.data() + at, size}});
    at += size;
  }
}

}  // namespace

std::optional<AlertMonitor::TimePoint> AlertMonitor::Evaluate(
    const v1::OrderStatus& status, TimePoint now, const RiskOptions& options, v1::AlertSet* set,
    int64_t* next_sequence, std::vector<v1::Alert>* records, std::string* memo) {
  return Evaluate(
      status, now, options, [set] { return set; }, next_sequence, records, memo);
}

std::optional<AlertMonitor::TimePoint> AlertMonitor::Evaluate(
    const v1::OrderStatus& status, TimePoint now, const RiskOptions& options,
    absl::FunctionRef<v1::AlertSet*()> get_set, int64_t* next_sequence,
    std::vector<v1::Alert>* records, std::string* memo) {
  // This runs after every event, and most events change no alert: the open alerts are compared
  // as borrowed keys in reused buffers (or with the memo), and copied only when they differ.
  thread_local std::vector<AlertKeyView> open, before;
  thread_local std::vector<AlertChange> changes;
  thread_local std::string encoded;
  const std::optional<TimePoint> next = AssessInto(status, now, options, open);  // sorted, unique
  v1::AlertSet* set = nullptr;  // asked for only when the memo cannot answer
  if (memo != nullptr) Encode(open, encoded);
  if (memo != nullptr && !memo->empty()) {
    if (*memo == encoded) return next;  // the usual case: nothing raised or cleared
    Decode(*memo, before);              // the set's open keys, sorted, without reading the set
  } else {
    set = get_set();
    before.clear();
    for (const v1::Alert& a : set->open()) before.push_back({a.kind(), a.subject()});
    std::sort(before.begin(), before.end());
  }
  if (before != open) {
    // Copied keys: Raise and Clear change the set (and the memo) the keys of `before` point into.
    DiffInto(before, open, changes);
    if (set == nullptr) set = get_set();
    for (const AlertChange& change : changes) {
      if (change.raised) {
        Raise(status, change.key, now, options, set, next_sequence, records);
      } else {
        Clear(change.key, now, set, next_sequence, records);
      }
    }
  }
  if (memo != nullptr) memo->swap(encoded);  // the set's open keys are `open`'s now
  return next;
}

}  // namespace gendan

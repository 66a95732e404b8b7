// OrderState: everything the engine must remember about one order to decide its next events.
//
//   OrderState state;                          // an order that does not exist yet
//   Evolve(state, accepted_event);             // see engine/decide.h
//   std::string bytes = state.Serialize();     // persist beside the order's offset
//   Result<OrderState> back = OrderState::Parse(bytes);
//
// It is a fold of the order's accepted events and nothing else: replaying gendan.events through
// Evolve rebuilds it exactly. It keeps only what a lifecycle rule reads (no skus, dates of
// milestones or free text); read models keep the rest. A plain value; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "engine/strong_type.h"
#include "gendan/v1/enums.pb.h"

namespace gendan {

// The per-order version: 0 before the first accepted event, then 1, 2, ... (DOMAIN.md §2).
using Version = StrongType<int64_t, struct VersionTag>;

// Hashes std::string and std::string_view alike, so lookups by a protobuf field's view do not
// allocate a key.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Ordered maps for the small per-order collections: iteration order makes Serialize and
// Describe deterministic, and std::less<> lets them be searched by string_view.
template <typename V>
using IdMap = std::map<std::string, V, std::less<>>;
using IdSet = std::set<std::string, std::less<>>;

// The accepted event ids of one order, kept forever for dedupe. The ids sit back to back in one
// string (each after its length) with an open-addressing table of their positions: a lookup
// touches two allocations instead of a bucket, a node and a heap string per id, and an insert
// usually allocates nothing. The engine does one lookup per record, mostly on cold states, and
// the node-based set was its largest single cost (docs/benchmarks.md). Iterates in insertion
// order; == compares as sets.
class EventIdSet {
 public:
  EventIdSet() = default;
  EventIdSet(std::initializer_list<std::string_view> ids);

  bool contains(std::string_view id) const;
  bool insert(std::string_view id);  // false when the id was already there
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  bool operator==(const EventIdSet& other) const;
  // Every id as varint length + bytes, in insertion order: OrderState's stored encoding of the
  // ids after their count, so Serialize writes them in one piece.
  std::string_view Encoded() const { return ids_; }

  class const_iterator {
   public:
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::forward_iterator_tag;
    using pointer = void;
    using reference = std::string_view;
    const_iterator() = default;
    std::string_view operator*() const;
    const_iterator& operator++();
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(const const_iterator& other) const { return at_ == other.at_; }

   private:
    friend class EventIdSet;
    const_iterator(const std::string* ids, size_t at) : ids_(ids), at_(at) {}
    const std::string* ids_ = nullptr;
    size_t at_ = 0;
  };
  const_iterator begin() const { return {&ids_, 0}; }
  const_iterator end() const { return {&ids_, ids_.size()}; }

 private:
  std::string_view At(size_t offset) const;  // the id whose entry starts at `offset`
  void Grow();

  std::string ids_;              // varint length + bytes, per id
  std::vector<uint32_t> slots_;  // 0 = free, else entry offset + 1; size a power of two
  size_t size_ = 0;
};

struct LineState {
  int64_t ordered = 0;
  int64_t shipped = 0;
  int64_t delivered = 0;
  bool operator==(const LineState&) const = default;
};

struct ShipmentState {
  std::vector<std::pair<std::string, int64_t>> lines;  // line_id, quantity as dispatched
  bool delivered = false;
  int64_t quantity() const;  // units in the shipment, over all lines
  bool operator==(const ShipmentState&) const = default;
};

enum class IssueStatus : uint8_t { kOpen = 1, kResolved = 2 };
struct IssueState {
  v1::IssueCategory::Value category = v1::IssueCategory::ISSUE_CATEGORY_UNSPECIFIED;
  IssueStatus status = IssueStatus::kOpen;
  bool operator==(const IssueState&) const = default;
};

enum class HandoffStatus : uint8_t { kRequested = 1, kAcknowledged = 2, kCompleted = 3 };

struct OrderState {
  // False until order_placed is accepted; every other field is empty while false.
  bool exists() const { return version.value() > 0; }
  // True when every line's delivered quantity has reached its ordered quantity.
  bool FullyDelivered() const;
  // The id of some open issue, or empty when none is open (order_closed needs none).
  std::string_view AnyOpenIssue() const;

  Version version{0};
  v1::Stage::Value stage = v1::Stage::STAGE_UNSPECIFIED;
  bool on_hold = false;
  std::string customer_id;
  std::string merchandiser_id;
  std::string supplier_id;
  // The promised date ("YYYY-MM-DD") as DOMAIN.md §5 defines it; empty before confirmation.
  std::string commit_date;

  IdMap<LineState> lines;
  IdMap<ShipmentState> shipments;
  IdSet documents;    // issued document ids
  IdSet inspections;  // recorded inspection ids (ids inside an order are unique, §4)
  IdMap<IssueState> issues;
  IdMap<HandoffStatus> handoffs;
  // Every accepted event_id of the order, kept forever: a redelivery may come at any time.
  EventIdSet event_ids;

  bool operator==(const OrderState&) const = default;

  // A compact binary encoding for the engine's state store. Not canonical: equal states may
  // encode differently (event ids are hashed), so compare states, not bytes.
  std::string Serialize() const;
  // The inverse of Serialize. Bytes that are not a whole encoding of this format are a corrupt
  // store: Status::Fatal, since retrying cannot help.
  static Result<OrderState> Parse(std::string_view bytes);
};

}  // namespace gendan

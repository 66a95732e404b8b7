#include "engine/order_state.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace gendan {

// ---- EventIdSet -------------------------------------------------------------------------------

namespace {

// The id stored at `offset` of an EventIdSet's string: a varint length, then the bytes.
std::string_view IdEntryAt(const std::string& ids, size_t offset) {
  uint64_t n = 0;
  int shift = 0;
  for (;;) {
    const auto byte = static_cast<uint8_t>(ids[offset++]);
    n |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80u) == 0) break;
    shift += 7;
  }
  return std::string_view(ids).substr(offset, n);
}

}  // namespace

EventIdSet::EventIdSet(std::initializer_list<std::string_view> ids) {
  for (std::string_view id : ids) insert(id);
}

std::string_view EventIdSet::At(size_t offset) const { return IdEntryAt(ids_, offset); }

bool EventIdSet::contains(std::string_view id) const {
  if (slots_.empty()) return false;
  const size_t mask = slots_.size() - 1;
  for (size_t i = std::hash<std::string_view>{}(id)&mask;; i = (i + 1) & mask) {
    if (slots_[i] == 0) return false;
    if (At(slots_[i] - 1) == id) return true;
  }
}

// One probe serves the lookup and the insert: the free slot that ends the search is the new
// id's (the engine inserts every accepted id, so a second search would be its cost twice).
bool EventIdSet::insert(std::string_view id) {
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  const size_t mask = slots_.size() - 1;
  size_t i = std::hash<std::string_view>{}(id)&mask;
  for (; slots_[i] != 0; i = (i + 1) & mask) {
    if (At(slots_[i] - 1) == id) return false;
  }
  const size_t offset = ids_.size();
  for (uint64_t n = id.size();; n >>= 7) {
    if (n < 0x80) {
      ids_.push_back(static_cast<char>(n));
      break;
    }
    ids_.push_back(static_cast<char>((n & 0x7f) | 0x80));
  }
  ids_.append(id);
  slots_[i] = static_cast<uint32_t>(offset + 1);
  ++size_;
  return true;
}

// Doubles the table (8 slots at first) and re-places every id: the load stays at most 1/2.
void EventIdSet::Grow() {
  std::vector<uint32_t> slots(slots_.empty() ? 8 : slots_.size() * 2, 0);
  const size_t mask = slots.size() - 1;
  for (uint32_t slot : slots_) {
    if (slot == 0) continue;
    size_t i = std::hash<std::string_view>{}(At(slot - 1)) & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = slot;
  }
  slots_.swap(slots);
}

bool EventIdSet::operator==(const EventIdSet& other) const {
  if (size_ != other.size_) return false;
  for (std::string_view id : *this) {
    if (!other.contains(id)) return false;
  }
  return true;
}

std::string_view EventIdSet::const_iterator::operator*() const { return IdEntryAt(*ids_, at_); }

EventIdSet::const_iterator& EventIdSet::const_iterator::operator++() {
  std::string_view id = **this;
  at_ = static_cast<size_t>(id.data() + id.size() - ids_->data());
  return *this;
}
namespace {

using google::protobuf::io::CodedInputStream;
using google::protobuf::io::CodedOutputStream;

// Layout, all integers as varints, strings as varint length + bytes:
//   format(=1) version stage on_hold customer merchandiser supplier commit_date
//   #lines {id ordered shipped delivered}  #shipments {id delivered #lines {line_id qty}}
//   #documents {id}  #inspections {id}  #issues {id category status}  #handoffs {id status}
//   #event_ids {id}
// A new layout gets a new format number; Parse keeps reading the old ones.
constexpr uint64_t kFormatV1 = 1;

void PutString(CodedOutputStream& out, std::string_view s) {
  out.WriteVarint64(s.size());
  out.WriteRaw(s.data(), static_cast<int>(s.size()));
}

template <typename Set>
void PutIds(CodedOutputStream& out, const Set& ids) {
  out.WriteVarint64(ids.size());
  for (std::string_view id : ids) PutString(out, id);
}
// The event ids are kept in this very layout (EventIdSet::Encoded): one write.
void PutIds(CodedOutputStream& out, const EventIdSet& ids) {
  out.WriteVarint64(ids.size());
  out.WriteRaw(ids.Encoded().data(), static_cast<int>(ids.Encoded().size()));
}

// Reads with bounds checks; the first failure sticks, so callers check ok() once per record.
class Reader {
 public:
  explicit Reader(std::string_view bytes)
      : in_(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size())) {
    in_.PushLimit(static_cast<int>(bytes.size()));
  }
  bool ok() const { return ok_; }
  bool AtEnd() { return ok_ && in_.BytesUntilLimit() == 0; }

  uint64_t U64() {
    uint64_t v = 0;
    if (ok_ && !in_.ReadVarint64(&v)) ok_ = false;
    return v;
  }
  int64_t I64() { return static_cast<int64_t>(U64()); }
  // A count of records that each take at least one byte: more than the bytes left is corrupt,
  // and refusing it early keeps a corrupt count from reserving gigabytes.
  size_t Count() {
    uint64_t n = U64();
    if (n > static_cast<uint64_t>(in_.BytesUntilLimit())) ok_ = false;
    return ok_ ? static_cast<size_t>(n) : 0;
  }
  std::string String() {
    std::string s;
    uint64_t n = U64();
    if (ok_ && (n > static_cast<uint64_t>(in_.BytesUntilLimit()) ||
                !in_.ReadString(&s, static_cast<int>(n)))) {
      ok_ = false;
    }
    return s;
  }
  // An enum-like value in [lo, hi]; anything else marks the input corrupt.
  uint64_t Ranged(uint64_t lo, uint64_t hi) {
    uint64_t v = U64();
    if (v < lo || v > hi) ok_ = false;
    return v;
  }

 private:
  CodedInputStream in_;
  bool ok_ = true;
};

template <typename Set>
bool GetIds(Reader& in, Set& ids) {
  for (size_t n = in.Count(); n > 0 && in.ok(); --n) ids.insert(in.String());
  return in.ok();
}

bool GetLines(Reader& in, IdMap<LineState>& lines) {
  for (size_t n = in.Count(); n > 0 && in.ok(); --n) {
    std::string id = in.String();
    LineState& line = lines[std::move(id)];
    line.ordered = in.I64();
    line.shipped = in.I64();
    line.delivered = in.I64();
  }
  return in.ok();
}

bool GetShipments(Reader& in, IdMap<ShipmentState>& shipments) {
  for (size_t n = in.Count(); n > 0 && in.ok(); --n) {
    std::string id = in.String();
    ShipmentState& shipment = shipments[std::move(id)];
    shipment.delivered = in.Ranged(0, 1) == 1;
    for (size_t k = in.Count(); k > 0 && in.ok(); --k) {
      std::string line_id = in.String();
      shipment.lines.emplace_back(std::move(line_id), in.I64());
    }
  }
  return in.ok();
}

bool GetIssues(Reader& in, IdMap<IssueState>& issues) {
  for (size_t n = in.Count(); n > 0 && in.ok(); --n) {
    std::string id = in.String();
    IssueState& issue = issues[std::move(id)];
    issue.category =
        static_cast<v1::IssueCategory::Value>(in.Ranged(1, v1::IssueCategory::Value_MAX));
    issue.status = static_cast<IssueStatus>(in.Ranged(1, 2));
  }
  return in.ok();
}

bool GetHandoffs(Reader& in, IdMap<HandoffStatus>& handoffs) {
  for (size_t n = in.Count(); n > 0 && in.ok(); --n) {
    std::string id = in.String();
    handoffs[std::move(id)] = static_cast<HandoffStatus>(in.Ranged(1, 3));
  }
  return in.ok();
}

}  // namespace

int64_t ShipmentState::quantity() const {
  int64_t total = 0;
  for (const auto& [line_id, qty] : lines) total += qty;
  return total;
}

bool OrderState::FullyDelivered() const {
  for (const auto& [id, line] : lines) {
    if (line.delivered < line.ordered) return false;
  }
  return !lines.empty();
}

std::string_view OrderState::AnyOpenIssue() const {
  for (const auto& [id, issue] : issues) {
    if (issue.status == IssueStatus::kOpen) return id;
  }
  return {};
}

std::string OrderState::Serialize() const {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    CodedOutputStream out(&stream);
    out.WriteVarint64(kFormatV1);
    out.WriteVarint64(static_cast<uint64_t>(version.value()));
    out.WriteVarint64(static_cast<uint64_t>(stage));
    out.WriteVarint64(on_hold ? 1 : 0);
    for (const std::string* s : {&customer_id, &merchandiser_id, &supplier_id, &commit_date}) {
      PutString(out, *s);
    }
    out.WriteVarint64(lines.size());
    for (const auto& [id, line] : lines) {
      PutString(out, id);
      for (int64_t q : {line.ordered, line.shipped, line.delivered}) {
        out.WriteVarint64(static_cast<uint64_t>(q));
      }
    }
    out.WriteVarint64(shipments.size());
    for (const auto& [id, shipment] : shipments) {
      PutString(out, id);
      out.WriteVarint64(shipment.delivered ? 1 : 0);
      out.WriteVarint64(shipment.lines.size());
      for (const auto& [line_id, qty] : shipment.lines) {
        PutString(out, line_id);
        out.WriteVarint64(static_cast<uint64_t>(qty));
      }
    }
    PutIds(out, documents);
    PutIds(out, inspections);
    out.WriteVarint64(issues.size());
    for (const auto& [id, issue] : issues) {
      PutString(out, id);
      out.WriteVarint64(static_cast<uint64_t>(issue.category));
      out.WriteVarint64(static_cast<uint64_t>(issue.status));
    }
    out.WriteVarint64(handoffs.size());
    for (const auto& [id, status] : handoffs) {
      PutString(out, id);
      out.WriteVarint64(static_cast<uint64_t>(status));
    }
    PutIds(out, event_ids);
  }  // the streams flush into `bytes` when they go out of scope
  return bytes;
}

Result<OrderState> OrderState::Parse(std::string_view bytes) {
  Reader in(bytes);
  uint64_t format = in.U64();
  if (in.ok() && format != kFormatV1) {
    return Status::Fatal("order state: unknown format " + std::to_string(format));
  }
  OrderState s;
  s.version = Version(in.I64());
  s.stage = static_cast<v1::Stage::Value>(in.Ranged(0, v1::Stage::Value_MAX));
  s.on_hold = in.Ranged(0, 1) == 1;
  for (std::string* field : {&s.customer_id, &s.merchandiser_id, &s.supplier_id, &s.commit_date}) {
    *field = in.String();
  }
  bool ok = GetLines(in, s.lines) && GetShipments(in, s.shipments) && GetIds(in, s.documents) &&
            GetIds(in, s.inspections) && GetIssues(in, s.issues) && GetHandoffs(in, s.handoffs) &&
            GetIds(in, s.event_ids);
  if (!ok || !in.AtEnd() || s.version.value() < 0) {
    return Status::Fatal("order state: corrupt or truncated encoding (" +
                         std::to_string(bytes.size()) + " bytes)");
  }
  return s;
}

}  // namespace gendan

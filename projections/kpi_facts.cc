#include "projections/kpi_facts.h"

#include <algorithm>

#include "projections/kpi_codec.h"

namespace gendan {
namespace {

using v1::OrderEvent;

template <typename T>
T* FindById(std::vector<T>& items, std::string_view id, std::string T::*field) {
  for (T& item : items) {
    if (item.*field == id) return &item;
  }
  return nullptr;
}

void Placed(OrderFacts& f, const v1::OrderPlaced& p, Millis at) {
  if (f.placed) return;
  f.placed = true;
  f.placed_at = at;
  f.customer_id = p.customer_id();
  f.merchandiser_id = p.merchandiser_id();
  f.supplier_id = p.supplier_id();
  f.lines.reserve(p.lines_size());
  for (const auto& line : p.lines()) {
    LineFacts* known = FindById(f.lines, line.line_id(), &LineFacts::line_id);
    if (known != nullptr) {
      known->ordered = line.quantity();
    } else {
      f.lines.push_back({line.line_id(), line.quantity(), 0});
    }
  }
}

// The commitment moves only when the customer asked for it or it was entered wrong, and only
// once there is one (DOMAIN.md §5), as engine/evolve.cc does for the order's state.
void Amended(OrderFacts& f, const v1::OrderAmended& p) {
  if (!f.completed_at) {
    for (const auto& change : p.line_changes()) {
      LineFacts* line = FindById(f.lines, change.line_id(), &LineFacts::line_id);
      if (line != nullptr) {
        line->ordered = change.quantity();
      } else {
        f.lines.push_back({change.line_id(), change.quantity(), 0});
      }
    }
  }
  if (p.reason() == v1::AmendmentReason::ENTRY_ERROR) f.entry_error = true;
  bool moves_commitment = p.reason() == v1::AmendmentReason::CUSTOMER_REQUEST ||
                          p.reason() == v1::AmendmentReason::ENTRY_ERROR;
  if (moves_commitment && p.has_new_promised_date() && f.commit_date) {
    if (std::optional<Date> d = ParseDate(p.new_promised_date())) f.commit_date = d;
  }
}

void Confirmed(OrderFacts& f, const v1::OrderConfirmed& p, Millis at) {
  if (f.confirmed_at) return;
  f.confirmed_at = at;
  f.commit_date = ParseDate(p.promised_date());
}

void Dispatched(OrderFacts& f, const v1::ShipmentDispatched& p) {
  if (f.completed_at) return;
  if (FindById(f.shipments, p.shipment_id(), &PendingShipment::shipment_id) != nullptr) return;
  PendingShipment& s = f.shipments.emplace_back();
  s.shipment_id = p.shipment_id();
  s.lines.reserve(p.lines_size());
  for (const auto& line : p.lines()) s.lines.emplace_back(line.line_id(), line.quantity());
}

bool FullyDelivered(const OrderFacts& f) {
  for (const LineFacts& line : f.lines) {
    if (line.delivered < line.ordered) return false;
  }
  return !f.lines.empty();
}

// The delivery that makes every line whole is the order's completion (DOMAIN.md §5).
void Delivered(OrderFacts& f, const v1::ShipmentDelivered& p, Millis at) {
  auto it = std::find_if(f.shipments.begin(), f.shipments.end(), [&](const PendingShipment& s) {
    return s.shipment_id == p.shipment_id();
  });
  if (it == f.shipments.end()) return;
  for (const auto& [line_id, quantity] : it->lines) {
    if (LineFacts* line = FindById(f.lines, line_id, &LineFacts::line_id)) {
      line->delivered += quantity;
    }
  }
  f.shipments.erase(it);
  if (p.damaged_quantity() > 0) f.damaged = true;
  if (FullyDelivered(f)) {
    f.completed_at = at;
    f.lines = {};
    f.shipments = {};
  }
}

void IssueRaised(OrderFacts& f, const v1::IssueRaised& p, Millis at) {
  if (FindById(f.issues, p.issue_id(), &IssueFacts::issue_id) != nullptr) return;
  IssueFacts& issue = f.issues.emplace_back();
  issue.issue_id = p.issue_id();
  issue.category = p.category();
  issue.severity = p.severity();
  issue.complaint_reason = p.complaint_reason();
  issue.raised_at = at;
}

void IssueResolved(OrderFacts& f, const v1::IssueResolved& p, Millis at) {
  IssueFacts* issue = FindById(f.issues, p.issue_id(), &IssueFacts::issue_id);
  if (issue == nullptr) return;
  issue->resolved_at.push_back(at);
  issue->resolved = true;
  issue->first_contact = p.first_contact();
}

void IssueReopened(OrderFacts& f, const v1::IssueReopened& p, Millis at) {
  IssueFacts* issue = FindById(f.issues, p.issue_id(), &IssueFacts::issue_id);
  if (issue == nullptr) return;
  issue->reopened_at.push_back(at);
  issue->resolved = false;
}

void HandoffRequested(OrderFacts& f, const v1::HandoffRequested& p, Millis at) {
  if (FindById(f.handoffs, p.handoff_id(), &HandoffFacts::handoff_id) != nullptr) return;
  HandoffFacts& h = f.handoffs.emplace_back();
  h.handoff_id = p.handoff_id();
  h.requested_at = at;
  if (p.has_due_at()) h.due_at = ToMillis(p.due_at());
}

// Sets a handoff's step once; the first report of a step is the one that counts.
void HandoffStep(OrderFacts& f, const std::string& handoff_id,
                 std::optional<Millis> HandoffFacts::*step, Millis at) {
  HandoffFacts* h = FindById(f.handoffs, handoff_id, &HandoffFacts::handoff_id);
  if (h != nullptr && !(h->*step)) h->*step = at;
}

void Inspection(OrderFacts& f, const v1::InspectionRecorded& p, Millis at) {
  InspectionFacts& i = f.inspections.emplace_back();
  i.at = at;
  i.stage = p.stage();
  i.result = p.result();
  i.inspected = p.inspected_quantity();
  i.defective = p.defective_quantity();
  i.supplier_id = p.supplier_id();
}

void Contacted(OrderFacts& f, const v1::CustomerContacted& p, Millis at) {
  if (p.purpose() != v1::ContactPurpose::STATUS_UPDATE) return;
  if (!f.first_status_update || at < *f.first_status_update) f.first_status_update = at;
}

}  // namespace

bool IssueFacts::bad_complaint() const {
  if (!complaint()) return false;
  switch (complaint_reason) {
    case v1::ComplaintReason::QUALITY:
    case v1::ComplaintReason::QUANTITY:
    case v1::ComplaintReason::DAMAGE:
    case v1::ComplaintReason::DOCUMENTATION: return true;
    default: return false;
  }
}

bool OrderFacts::bad_complaint() const {
  return std::any_of(issues.begin(), issues.end(),
                     [](const IssueFacts& i) { return i.bad_complaint(); });
}

Millis ToMillis(const google::protobuf::Timestamp& t) {
  constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  int64_t seconds = std::clamp<int64_t>(t.seconds(), kMinSeconds, kMaxSeconds);
  int64_t nanos = std::clamp<int64_t>(t.nanos(), 0, 999'999'999);
  return seconds * 1000 + nanos / 1'000'000;
}

Millis FloorMillis(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Date BusinessDateOf(Millis at, UtcOffset offset) {
  int64_t seconds = at / 1000 - (at % 1000 < 0 ? 1 : 0);  // floor, for instants before 1970
  return BusinessDate(seconds, offset);
}

void ApplyEvent(OrderFacts& f, const OrderEvent& e) {
  const Millis at = ToMillis(e.occurred_at());
  switch (e.payload_case()) {
    case OrderEvent::kOrderPlaced: Placed(f, e.order_placed(), at); break;
    case OrderEvent::kOrderConfirmed: Confirmed(f, e.order_confirmed(), at); break;
    case OrderEvent::kOrderAmended: Amended(f, e.order_amended()); break;
    case OrderEvent::kOrderCancelled: f.cancelled = true; break;
    case OrderEvent::kDocumentCorrected: f.document_corrected = true; break;
    case OrderEvent::kInspectionRecorded: Inspection(f, e.inspection_recorded(), at); break;
    case OrderEvent::kShipmentDispatched: Dispatched(f, e.shipment_dispatched()); break;
    case OrderEvent::kShipmentDelivered: Delivered(f, e.shipment_delivered(), at); break;
    case OrderEvent::kCustomerContacted: Contacted(f, e.customer_contacted(), at); break;
    case OrderEvent::kFeedbackReceived:
      f.feedbacks.push_back({at, e.feedback_received().rating()});
      break;
    case OrderEvent::kIssueRaised: IssueRaised(f, e.issue_raised(), at); break;
    case OrderEvent::kIssueResolved: IssueResolved(f, e.issue_resolved(), at); break;
    case OrderEvent::kIssueReopened: IssueReopened(f, e.issue_reopened(), at); break;
    case OrderEvent::kHandoffRequested: HandoffRequested(f, e.handoff_requested(), at); break;
    case OrderEvent::kHandoffAcknowledged:
      HandoffStep(f, e.handoff_acknowledged().handoff_id(), &HandoffFacts::acked_at, at);
      break;
    case OrderEvent::kHandoffCompleted:
      HandoffStep(f, e.handoff_completed().handoff_id(), &HandoffFacts::completed_at, at);
      break;
    // Facts no formula reads: holds, closing, documents issued, plans, materials, production.
    default: break;
  }
}

// ---- Encoding -----------------------------------------------------------------------------
// Version 1: a version byte, flags, then the fields in declaration order. Instants other than
// placed_at are written relative to placed_at: shorter, and exact either way.

namespace {

using kpi_codec::CodecReader;
using kpi_codec::PutBytes;
using kpi_codec::PutSigned;
using kpi_codec::PutVarint;

constexpr char kFactsVersion = 1;

// Flag bits: of the facts, of an issue, of a handoff.
constexpr uint64_t kPlaced = 1 << 0, kCancelled = 1 << 1, kEntryError = 1 << 2,
                   kDocumentCorrected = 1 << 3, kDamaged = 1 << 4, kHasConfirmed = 1 << 5,
                   kHasCommit = 1 << 6, kHasCompleted = 1 << 7, kHasStatusUpdate = 1 << 8;
constexpr uint64_t kResolved = 1 << 0, kFirstContact = 1 << 1;
constexpr uint64_t kHasDue = 1 << 0, kHasAcked = 1 << 1, kHasDone = 1 << 2;

class FactsWriter {
 public:
  explicit FactsWriter(Millis base) : base_(base) {}
  std::string out;

  void Time(Millis t) { PutSigned(out, static_cast<int64_t>(uint64_t(t) - uint64_t(base_))); }
  void Times(const std::vector<Millis>& ts) {
    PutVarint(out, ts.size());
    for (Millis t : ts) Time(t);
  }
  void Issue(const IssueFacts& i) {
    PutBytes(out, i.issue_id);
    PutSigned(out, i.category);
    PutSigned(out, i.severity);
    PutSigned(out, i.complaint_reason);
    Time(i.raised_at);
    Times(i.resolved_at);
    Times(i.reopened_at);
    PutVarint(out, (i.resolved ? kResolved : 0) | (i.first_contact ? kFirstContact : 0));
  }
  void Handoff(const HandoffFacts& h) {
    PutBytes(out, h.handoff_id);
    Time(h.requested_at);
    PutVarint(out, (h.due_at ? kHasDue : 0) | (h.acked_at ? kHasAcked : 0) |
                       (h.completed_at ? kHasDone : 0));
    if (h.due_at) Time(*h.due_at);
    if (h.acked_at) Time(*h.acked_at);
    if (h.completed_at) Time(*h.completed_at);
  }
  void Inspection(const InspectionFacts& i) {
    Time(i.at);
    PutSigned(out, i.stage);
    PutSigned(out, i.result);
    PutSigned(out, i.inspected);
    PutSigned(out, i.defective);
    PutBytes(out, i.supplier_id);
  }

 private:
  Millis base_;
};

class FactsReader {
 public:
  explicit FactsReader(std::string_view in) : r(in) {}
  CodecReader r;
  Millis base = 0;

  bool Time(Millis* t) {
    int64_t delta = 0;
    if (!r.Signed(&delta)) return false;
    *t = static_cast<Millis>(uint64_t(base) + uint64_t(delta));
    return true;
  }
  bool OptTime(bool present, std::optional<Millis>* t) {
    if (!present) return true;
    Millis v = 0;
    if (!Time(&v)) return false;
    *t = v;
    return true;
  }
  bool Times(std::vector<Millis>* ts) {
    size_t n = 0;
    if (!r.Count(&n)) return false;
    ts->resize(n);
    for (Millis& t : *ts) {
      if (!Time(&t)) return false;
    }
    return true;
  }
  template <typename E>
  bool Enum(E* e) {
    int64_t v = 0;
    if (!r.Signed(&v)) return false;
    *e = static_cast<E>(static_cast<int32_t>(v));
    return true;
  }
  bool Issue(IssueFacts* i) {
    uint64_t flags = 0;
    bool ok = r.String(&i->issue_id) && Enum(&i->category) && Enum(&i->severity) &&
              Enum(&i->complaint_reason) && Time(&i->raised_at) && Times(&i->resolved_at) &&
              Times(&i->reopened_at) && r.Varint(&flags);
    i->resolved = flags & kResolved;
    i->first_contact = flags & kFirstContact;
    return ok;
  }
  bool Handoff(HandoffFacts* h) {
    uint64_t flags = 0;
    return r.String(&h->handoff_id) && Time(&h->requested_at) && r.Varint(&flags) &&
           OptTime(flags & kHasDue, &h->due_at) && OptTime(flags & kHasAcked, &h->acked_at) &&
           OptTime(flags & kHasDone, &h->completed_at);
  }
  bool Inspection(InspectionFacts* i) {
    return Time(&i->at) && Enum(&i->stage) && Enum(&i->result) && r.Signed(&i->inspected) &&
           r.Signed(&i->defective) && r.String(&i->supplier_id);
  }
  bool Line(LineFacts* l) {
    return r.String(&l->line_id) && r.Signed(&l->ordered) && r.Signed(&l->delivered);
  }
  bool Shipment(PendingShipment* s) {
    size_t n = 0;
    if (!r.String(&s->shipment_id) || !r.Count(&n)) return false;
    s->lines.resize(n);
    for (auto& [line_id, quantity] : s->lines) {
      if (!r.String(&line_id) || !r.Signed(&quantity)) return false;
    }
    return true;
  }
  bool Feedback(FeedbackFacts* fb) {
    int64_t rating = 0;
    bool ok = Time(&fb->at) && r.Signed(&rating);
    fb->rating = static_cast<int32_t>(rating);
    return ok;
  }
  template <typename T>
  bool List(std::vector<T>* items, bool (FactsReader::*one)(T*)) {
    size_t n = 0;
    if (!r.Count(&n)) return false;
    items->resize(n);
    for (T& item : *items) {
      if (!(this->*one)(&item)) return false;
    }
    return true;
  }
};

}  // namespace

std::string SerializeFacts(const OrderFacts& f) {
  FactsWriter w(f.placed_at);
  std::string& out = w.out;
  out.reserve(64 + 48 * (f.issues.size() + f.handoffs.size() + f.inspections.size()));
  out.push_back(kFactsVersion);
  PutVarint(out, (f.placed ? kPlaced : 0) | (f.cancelled ? kCancelled : 0) |
                     (f.entry_error ? kEntryError : 0) |
                     (f.document_corrected ? kDocumentCorrected : 0) | (f.damaged ? kDamaged : 0) |
                     (f.confirmed_at ? kHasConfirmed : 0) | (f.commit_date ? kHasCommit : 0) |
                     (f.completed_at ? kHasCompleted : 0) |
                     (f.first_status_update ? kHasStatusUpdate : 0));
  PutBytes(out, f.customer_id);
  PutBytes(out, f.merchandiser_id);
  PutBytes(out, f.supplier_id);
  PutSigned(out, f.placed_at);
  if (f.confirmed_at) w.Time(*f.confirmed_at);
  if (f.commit_date) PutSigned(out, f.commit_date->time_since_epoch().count());
  if (f.completed_at) w.Time(*f.completed_at);
  if (f.first_status_update) w.Time(*f.first_status_update);
  PutVarint(out, f.lines.size());
  for (const LineFacts& l : f.lines) {
    PutBytes(out, l.line_id);
    PutSigned(out, l.ordered);
    PutSigned(out, l.delivered);
  }
  PutVarint(out, f.shipments.size());
  for (const PendingShipment& s : f.shipments) {
    PutBytes(out, s.shipment_id);
    PutVarint(out, s.lines.size());
    for (const auto& [line_id, quantity] : s.lines) {
      PutBytes(out, line_id);
      PutSigned(out, quantity);
    }
  }
  PutVarint(out, f.feedbacks.size());
  for (const FeedbackFacts& fb : f.feedbacks) {
    w.Time(fb.at);
    PutSigned(out, fb.rating);
  }
  PutVarint(out, f.issues.size());
  for (const IssueFacts& i : f.issues) w.Issue(i);
  PutVarint(out, f.handoffs.size());
  for (const HandoffFacts& h : f.handoffs) w.Handoff(h);
  PutVarint(out, f.inspections.size());
  for (const InspectionFacts& i : f.inspections) w.Inspection(i);
  return std::move(out);
}

Result<OrderFacts> ParseFacts(std::string_view bytes) {
  if (bytes.empty() || bytes.front() != kFactsVersion) {
    return Status::Fatal("order facts: unknown format version");
  }
  FactsReader fr(bytes.substr(1));
  CodecReader& r = fr.r;
  OrderFacts f;
  uint64_t flags = 0;
  int64_t commit_days = 0;
  bool ok = r.Varint(&flags) && r.String(&f.customer_id) && r.String(&f.merchandiser_id) &&
            r.String(&f.supplier_id) && r.Signed(&f.placed_at);
  fr.base = f.placed_at;
  ok = ok && fr.OptTime(flags & kHasConfirmed, &f.confirmed_at);
  if (ok && (flags & kHasCommit)) {
    ok = r.Signed(&commit_days) && commit_days > INT32_MIN && commit_days < INT32_MAX;
    f.commit_date = Date(std::chrono::days(commit_days));
  }
  ok = ok && fr.OptTime(flags & kHasCompleted, &f.completed_at) &&
       fr.OptTime(flags & kHasStatusUpdate, &f.first_status_update) &&
       fr.List(&f.lines, &FactsReader::Line) && fr.List(&f.shipments, &FactsReader::Shipment) &&
       fr.List(&f.feedbacks, &FactsReader::Feedback) && fr.List(&f.issues, &FactsReader::Issue) &&
       fr.List(&f.handoffs, &FactsReader::Handoff) &&
       fr.List(&f.inspections, &FactsReader::Inspection);
  if (!ok || !r.done()) return Status::Fatal("order facts: corrupt or truncated encoding");
  f.placed = flags & kPlaced;
  f.cancelled = flags & kCancelled;
  f.entry_error = flags & kEntryError;
  f.document_corrected = flags & kDocumentCorrected;
  f.damaged = flags & kDamaged;
  return f;
}

}  // namespace gendan

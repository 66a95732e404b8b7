#include "engine/validate.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <chrono>
#include <type_traits>
#include <vector>

#include "engine/intake.h"

namespace gendan::internal {
namespace {

using google::protobuf::RepeatedPtrField;
using google::protobuf::Timestamp;
using google::protobuf::util::TimeUtil;
using v1::InboundEvent;

constexpr auto kInvalid = v1::RejectionReason::INVALID_EVENT;
// The range google.protobuf.Timestamp allows: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;
// How much of an offending value a message quotes: enough to recognise it, never megabytes,
// and cut at a character boundary so the message stays valid UTF-8 (a protobuf string).
constexpr size_t kQuoteLimit = 64;

std::string Quote(std::string_view v) { return "'" + PrintableText(v, kQuoteLimit) + "'"; }

bool HasControlChar(std::string_view v) {
  return std::any_of(v.begin(), v.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// Ids are echoed in messages, logs and the dashboard, so control characters are refused.
Check OptionalId(std::string_view field, std::string_view v, size_t max) {
  if (v.size() > max) {
    return Reject(kInvalid, field, " must be at most ", max, " bytes, got ", v.size());
  }
  if (HasControlChar(v)) return Reject(kInvalid, field, " must not contain control characters");
  return std::nullopt;
}

Check Id(std::string_view field, std::string_view v, size_t max) {
  if (v.empty()) return Reject(kInvalid, field, " is required");
  return OptionalId(field, v, max);
}

Check Text(std::string_view field, std::string_view v, size_t max) {
  if (v.size() > max) {
    return Reject(kInvalid, field, " must be at most ", max, " bytes, got ", v.size());
  }
  return std::nullopt;
}

// Value 0 is every enum's "unset" sentinel and never valid input (enums.proto).
Check Enum(std::string_view field, int value, bool (*is_valid)(int)) {
  if (value != 0 && is_valid(value)) return std::nullopt;
  if (value == 0) return Reject(kInvalid, field, " is required");
  return Reject(kInvalid, field, " has unknown value ", value);
}

Check Date(std::string_view field, std::string_view v, bool required) {
  if (v.empty() && !required) return std::nullopt;
  if (IsDate(v)) return std::nullopt;
  return Reject(kInvalid, field, " must be a real date YYYY-MM-DD, got ", Quote(v));
}

Check Instant(std::string_view field, bool present, const Timestamp& t, const DecideOptions& o) {
  if (!present) return Reject(kInvalid, field, " is required");
  if (t.seconds() < kMinTimestampSeconds || t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > 999'999'999) {
    return Reject(kInvalid, field, " is outside 0001-01-01..9999-12-31 or has bad nanos");
  }
  if (t.seconds() < o.earliest_instant.time_since_epoch().count()) {
    return Reject(kInvalid, field, " ", TimeUtil::ToString(t), " is before ",
                  TimeUtil::ToString(ToTimestamp(o.earliest_instant)),
                  "; a zero or mis-scaled timestamp?");
  }
  return std::nullopt;
}

// A quantity in [min, max_quantity].
Check Quantity(std::string_view field, int64_t v, int64_t min, const DecideOptions& o) {
  if (v < min) return Reject(kInvalid, field, " must be >= ", min, ", got ", v);
  if (v > o.max_quantity) {
    return Reject(kInvalid, field, " must be at most max_quantity ", o.max_quantity, ", got ", v);
  }
  return std::nullopt;
}

// The first line_id named twice in `lines`, or empty. Quadratic for the few lines of a real
// order (no allocation), sorted beyond that.
template <typename Line>
std::string_view FirstRepeatedLine(const RepeatedPtrField<Line>& lines) {
  constexpr int kQuadraticUpTo = 16;
  if (lines.size() <= kQuadraticUpTo) {
    for (int i = 0; i < lines.size(); ++i) {
      for (int j = 0; j < i; ++j) {
        if (lines[i].line_id() == lines[j].line_id()) return lines[i].line_id();
      }
    }
    return {};
  }
  std::vector<std::string_view> ids;
  ids.reserve(lines.size());
  for (const Line& l : lines) ids.emplace_back(l.line_id());
  std::sort(ids.begin(), ids.end());
  auto it = std::adjacent_find(ids.begin(), ids.end());
  return it == ids.end() ? std::string_view() : *it;
}

// OrderLine, LineChange and ShipmentLine: a known-size list of (line_id, quantity > 0) with
// unique line_ids.
template <typename Line>
Check Lines(std::string_view field, const RepeatedPtrField<Line>& lines, bool may_be_empty,
            const DecideOptions& o) {
  if (lines.empty() && !may_be_empty) return Reject(kInvalid, field, " needs at least one line");
  if (static_cast<size_t>(lines.size()) > o.max_lines) {
    return Reject(kInvalid, field, " has ", lines.size(), " lines, more than max_lines ",
                  o.max_lines);
  }
  for (int i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    Check r = Id("line_id", l.line_id(), o.max_id_length);
    if constexpr (std::is_same_v<Line, v1::OrderLine>) {
      if (!r) r = OptionalId("sku", l.sku(), o.max_id_length);
    }
    if (!r) r = Quantity("quantity", l.quantity(), 1, o);
    if (r) {
      r->message = std::string(field) + "[" + std::to_string(i) + "]." + r->message;
      return r;
    }
  }
  std::string_view repeated = FirstRepeatedLine(lines);
  if (!repeated.empty()) return Reject(kInvalid, field, " names line ", Quote(repeated), " twice");
  return std::nullopt;
}

Check Envelope(const InboundEvent& in, const DecideOptions& o) {
  if (in.event_id().empty() || in.event_id().size() > o.max_event_id_length) {
    return Reject(kInvalid, "event_id must be 1-", o.max_event_id_length, " bytes, got ",
                  in.event_id().size());
  }
  const std::string& id = in.order_id();
  bool id_ok = !id.empty() && id.size() <= o.max_order_id_length &&
               std::all_of(id.begin(), id.end(), [](char c) {
                 return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
               });
  if (!id_ok) {
    return Reject(kInvalid, "order_id must be 1-", o.max_order_id_length,
                  " characters of [A-Za-z0-9._:-], got ", Quote(id));
  }
  if (auto r = Instant("occurred_at", in.has_occurred_at(), in.occurred_at(), o)) return r;
  if (auto r = OptionalId("source", in.source(), o.max_id_length)) return r;
  if (auto r = OptionalId("actor", in.actor(), o.max_id_length)) return r;
  if (in.has_expected_version() && in.expected_version() < 0) {
    return Reject(kInvalid, "expected_version must be >= 0 (0 = the order must not exist), got ",
                  in.expected_version());
  }
  if (in.payload_case() == InboundEvent::PAYLOAD_NOT_SET) {
    return Reject(kInvalid,
                  "payload is missing (or unknown to this engine): set exactly one of the "
                  "DOMAIN.md §3 payloads");
  }
  return std::nullopt;
}

// The first failing check, in argument order. Every check runs (they are pure and, when they
// pass, allocate nothing), which keeps each payload's rules one readable list.
template <typename... More>
Check First(Check first, More... more) {
  if (first) return first;
  if constexpr (sizeof...(more) > 0) {
    return First(std::move(more)...);
  } else {
    return std::nullopt;
  }
}

Check OrderPlaced(const v1::OrderPlaced& p, const DecideOptions& o) {
  const size_t id = o.max_id_length;
  // The party ids are the group keys of every order KPI, and no later event can set them.
  return First(Id("order_placed.customer_id", p.customer_id(), id),
               Id("order_placed.merchandiser_id", p.merchandiser_id(), id),
               Id("order_placed.supplier_id", p.supplier_id(), id),
               Date("order_placed.requested_date", p.requested_date(), false),
               OptionalId("order_placed.incoterm", p.incoterm(), id),
               Lines("order_placed.lines", p.lines(), false, o));
}

Check OrderAmended(const v1::OrderAmended& p, const DecideOptions& o) {
  // A present new_promised_date must be a date, even an empty one.
  return First(Enum("order_amended.reason", p.reason(), v1::AmendmentReason::Value_IsValid),
               p.has_new_promised_date()
                   ? Date("order_amended.new_promised_date", p.new_promised_date(), true)
                   : std::nullopt,
               Lines("order_amended.line_changes", p.line_changes(), true, o));
}

Check InspectionRecorded(const v1::InspectionRecorded& p, const DecideOptions& o) {
  Check defects = std::nullopt;
  if (p.defective_quantity() > p.inspected_quantity()) {
    defects = Reject(kInvalid, "inspection_recorded.defective_quantity ", p.defective_quantity(),
                     " exceeds inspected_quantity ", p.inspected_quantity());
  }
  // An inspection of nothing is not an inspection, and defect_ppm divides by its quantity.
  return First(Id("inspection_recorded.inspection_id", p.inspection_id(), o.max_id_length),
               Enum("inspection_recorded.stage", p.stage(), v1::InspectionStage::Value_IsValid),
               Enum("inspection_recorded.result", p.result(), v1::InspectionResult::Value_IsValid),
               Quantity("inspection_recorded.inspected_quantity", p.inspected_quantity(), 1, o),
               Quantity("inspection_recorded.defective_quantity", p.defective_quantity(), 0, o),
               std::move(defects),
               OptionalId("inspection_recorded.supplier_id", p.supplier_id(), o.max_id_length));
}

Check ShipmentDispatched(const v1::ShipmentDispatched& p, const DecideOptions& o) {
  const size_t text = o.max_text_length;
  return First(
      Id("shipment_dispatched.shipment_id", p.shipment_id(), o.max_id_length),
      Text("shipment_dispatched.carrier", p.carrier(), text),
      Text("shipment_dispatched.tracking_number", p.tracking_number(), text),
      Date("shipment_dispatched.estimated_arrival_date", p.estimated_arrival_date(), false),
      Lines("shipment_dispatched.lines", p.lines(), false, o));
}

Check IssueRaised(const v1::IssueRaised& p, const DecideOptions& o) {
  bool complaint = p.category() == v1::IssueCategory::CUSTOMER_COMPLAINT;
  Check reason = std::nullopt;
  if (complaint) {
    reason = Enum("issue_raised.complaint_reason", p.complaint_reason(),
                  v1::ComplaintReason::Value_IsValid);
  } else if (p.complaint_reason() != 0) {
    reason = Reject(kInvalid, "issue_raised.complaint_reason is only for CUSTOMER_COMPLAINT");
  }
  return First(
      Id("issue_raised.issue_id", p.issue_id(), o.max_id_length),
      Enum("issue_raised.category", p.category(), v1::IssueCategory::Value_IsValid),
      Enum("issue_raised.severity", p.severity(), v1::IssueSeverity::Value_IsValid),
      Enum("issue_raised.owner_department", p.owner_department(), v1::Department::Value_IsValid),
      std::move(reason), Text("issue_raised.description", p.description(), o.max_text_length));
}

Check HandoffRequested(const v1::HandoffRequested& p, const DecideOptions& o) {
  auto department = v1::Department::Value_IsValid;
  // handoff_on_time_rate and HANDOFF_OVERDUE are both measured against due_at.
  return First(Id("handoff_requested.handoff_id", p.handoff_id(), o.max_id_length),
               Enum("handoff_requested.from_department", p.from_department(), department),
               Enum("handoff_requested.to_department", p.to_department(), department),
               Text("handoff_requested.subject", p.subject(), o.max_text_length),
               Instant("handoff_requested.due_at", p.has_due_at(), p.due_at(), o));
}

// Payloads of the customer and of issue and handoff follow-ups.
Check CustomerPayload(const InboundEvent& in, const DecideOptions& o) {
  const size_t id = o.max_id_length, text = o.max_text_length;
  switch (in.payload_case()) {
    case InboundEvent::kCustomerContacted: {
      const auto& p = in.customer_contacted();
      return First(
          Enum("customer_contacted.channel", p.channel(), v1::ContactChannel::Value_IsValid),
          Enum("customer_contacted.purpose", p.purpose(), v1::ContactPurpose::Value_IsValid));
    }
    case InboundEvent::kFeedbackReceived: {
      const auto& p = in.feedback_received();
      if (p.rating() < 1 || p.rating() > 5) {
        return Reject(kInvalid, "feedback_received.rating must be 1-5, got ", p.rating());
      }
      return Text("feedback_received.comment", p.comment(), text);
    }
    case InboundEvent::kIssueResolved: {
      const auto& p = in.issue_resolved();
      return First(Id("issue_resolved.issue_id", p.issue_id(), id),
                   Text("issue_resolved.resolution", p.resolution(), text));
    }
    case InboundEvent::kIssueReopened: {
      const auto& p = in.issue_reopened();
      return First(Id("issue_reopened.issue_id", p.issue_id(), id),
                   Text("issue_reopened.reason", p.reason(), text));
    }
    case InboundEvent::kHandoffAcknowledged:
      return Id("handoff_acknowledged.handoff_id", in.handoff_acknowledged().handoff_id(), id);
    case InboundEvent::kHandoffCompleted:
      return Id("handoff_completed.handoff_id", in.handoff_completed().handoff_id(), id);
    default: return std::nullopt;  // payloads without fields: released, closed, materials, start
  }
}

// Payloads of one or two fields.
Check SmallPayload(const InboundEvent& in, const DecideOptions& o) {
  const size_t id = o.max_id_length, text = o.max_text_length;
  switch (in.payload_case()) {
    // The commitment to the customer: every on-time KPI is measured against it.
    case InboundEvent::kOrderConfirmed:
      return Date("order_confirmed.promised_date", in.order_confirmed().promised_date(), true);
    case InboundEvent::kOrderHeld: return Text("order_held.reason", in.order_held().reason(), text);
    case InboundEvent::kOrderCancelled: {
      const auto& p = in.order_cancelled();
      return First(
          Text("order_cancelled.reason", p.reason(), text),
          Enum("order_cancelled.cancelled_by", p.cancelled_by(), v1::CancelledBy::Value_IsValid));
    }
    case InboundEvent::kDocumentIssued: {
      const auto& p = in.document_issued();
      return First(Id("document_issued.document_id", p.document_id(), id),
                   Enum("document_issued.document_type", p.document_type(),
                        v1::DocumentType::Value_IsValid));
    }
    case InboundEvent::kDocumentCorrected: {
      const auto& p = in.document_corrected();
      return First(Id("document_corrected.document_id", p.document_id(), id),
                   Text("document_corrected.reason", p.reason(), text));
    }
    case InboundEvent::kMilestonePlanned: {
      const auto& p = in.milestone_planned();
      return First(Enum("milestone_planned.milestone", p.milestone(), v1::Milestone::Value_IsValid),
                   Date("milestone_planned.planned_date", p.planned_date(), true));
    }
    // 0 means "not reported": MES systems do not always count, and no rule reads it.
    case InboundEvent::kProductionCompleted:
      return Quantity("production_completed.produced_quantity",
                      in.production_completed().produced_quantity(), 0, o);
    case InboundEvent::kShipmentDelivered: {
      const auto& p = in.shipment_delivered();
      return First(Id("shipment_delivered.shipment_id", p.shipment_id(), id),
                   Quantity("shipment_delivered.damaged_quantity", p.damaged_quantity(), 0, o));
    }
    default: return CustomerPayload(in, o);
  }
}
Check Payload(const InboundEvent& in, const DecideOptions& o) {
  switch (in.payload_case()) {
    case InboundEvent::kOrderPlaced: return OrderPlaced(in.order_placed(), o);
    case InboundEvent::kOrderAmended: return OrderAmended(in.order_amended(), o);
    case InboundEvent::kInspectionRecorded: return InspectionRecorded(in.inspection_recorded(), o);
    case InboundEvent::kShipmentDispatched: return ShipmentDispatched(in.shipment_dispatched(), o);
    case InboundEvent::kIssueRaised: return IssueRaised(in.issue_raised(), o);
    case InboundEvent::kHandoffRequested: return HandoffRequested(in.handoff_requested(), o);
    default: return SmallPayload(in, o);
  }
}

}  // namespace

bool IsDate(std::string_view t) {
  auto digits = [&](size_t from, size_t n) {
    return std::all_of(t.begin() + from, t.begin() + from + n,
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !digits(0, 4) || !digits(5, 2) ||
      !digits(8, 2)) {
    return false;
  }
  auto num = [&](size_t from, size_t n) {
    int v = 0;
    for (size_t i = from; i < from + n; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  std::chrono::year_month_day ymd{std::chrono::year(num(0, 4)), std::chrono::month(num(5, 2)),
                                  std::chrono::day(num(8, 2))};
  return num(0, 4) >= 1 && ymd.ok();
}

google::protobuf::Timestamp ToTimestamp(std::chrono::system_clock::time_point t) {
  auto since = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch());
  auto seconds = std::chrono::floor<std::chrono::seconds>(since);
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds.count());
  ts.set_nanos(static_cast<int32_t>((since - seconds).count()));
  return ts;
}

Check ValidateFields(const InboundEvent& inbound, const DecideOptions& options) {
  if (auto r = Envelope(inbound, options)) return r;
  return Payload(inbound, options);
}

Check CheckClock(const InboundEvent& inbound, const DecideOptions& options) {
  // Compared as (seconds, nanos): occurred_at may be year 9999, beyond a nanosecond clock.
  Timestamp limit = ToTimestamp(options.now + options.max_clock_skew);
  const Timestamp& at = inbound.occurred_at();
  if (at.seconds() < limit.seconds() ||
      (at.seconds() == limit.seconds() && at.nanos() <= limit.nanos())) {
    return std::nullopt;
  }
  return Reject(v1::RejectionReason::FUTURE_EVENT, "occurred_at ", TimeUtil::ToString(at),
                " is after the engine's now + max_clock_skew (", TimeUtil::ToString(limit),
                "); check the sender's clock");
}

}  // namespace gendan::internal

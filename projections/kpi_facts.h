// OrderFacts: what the KPI formulas of DOMAIN.md §5 need to know about one order, folded from
// its recorded OrderEvents.
//
//   OrderFacts facts;                              // an order before its first event
//   for (const v1::OrderEvent& e : events) ApplyEvent(facts, e);
//   std::string bytes = SerializeFacts(facts);     // persist beside the order (RocksDB)
//   Result<OrderFacts> back = ParseFacts(bytes);
//
// The order's KPI contributions are a pure function of its facts (projections/kpi.h), so the
// projector can retract the contributions of the facts before an event and add those after it.
// Facts keep only what a formula reads; read models keep the rest. Instants are milliseconds
// since the Unix epoch (Timestamp nanos below a millisecond are dropped). A plain value; not
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"
#include "gendan/v1/events.pb.h"
#include "projections/business_time.h"

namespace gendan {

// Milliseconds since the Unix epoch, clamped to years 0001..9999 (the Timestamp range).
using Millis = int64_t;

struct LineFacts {
  std::string line_id;
  int64_t ordered = 0;
  int64_t delivered = 0;
  bool operator==(const LineFacts&) const = default;
};

// A dispatched shipment not yet delivered; its lines count as delivered when it is.
struct PendingShipment {
  std::string shipment_id;
  std::vector<std::pair<std::string, int64_t>> lines;  // line_id, quantity
  bool operator==(const PendingShipment&) const = default;
};

struct FeedbackFacts {
  Millis at = 0;
  int32_t rating = 0;
  bool operator==(const FeedbackFacts&) const = default;
};

struct IssueFacts {
  std::string issue_id;
  v1::IssueCategory::Value category = v1::IssueCategory::ISSUE_CATEGORY_UNSPECIFIED;
  v1::IssueSeverity::Value severity = v1::IssueSeverity::ISSUE_SEVERITY_UNSPECIFIED;
  v1::ComplaintReason::Value complaint_reason = v1::ComplaintReason::COMPLAINT_REASON_UNSPECIFIED;
  Millis raised_at = 0;
  std::vector<Millis> resolved_at;  // every issue_resolved, in log order
  std::vector<Millis> reopened_at;  // every issue_reopened, in log order
  bool resolved = false;            // resolved now (not reopened since the last resolution)
  bool first_contact = false;       // of the last resolution

  bool complaint() const { return category == v1::IssueCategory::CUSTOMER_COMPLAINT; }
  bool ever_reopened() const { return !reopened_at.empty(); }
  // A CUSTOMER_COMPLAINT that spoils a perfect order: QUALITY, QUANTITY, DAMAGE, DOCUMENTATION.
  bool bad_complaint() const;
  bool operator==(const IssueFacts&) const = default;
};

struct HandoffFacts {
  std::string handoff_id;
  Millis requested_at = 0;
  std::optional<Millis> due_at;
  std::optional<Millis> acked_at;
  std::optional<Millis> completed_at;
  bool operator==(const HandoffFacts&) const = default;
};

struct InspectionFacts {
  Millis at = 0;
  v1::InspectionStage::Value stage = v1::InspectionStage::INSPECTION_STAGE_UNSPECIFIED;
  v1::InspectionResult::Value result = v1::InspectionResult::INSPECTION_RESULT_UNSPECIFIED;
  int64_t inspected = 0;
  int64_t defective = 0;
  std::string supplier_id;  // as recorded; empty = the order's supplier

  bool final() const { return stage == v1::InspectionStage::FINAL; }
  bool passed() const { return result == v1::InspectionResult::PASSED; }
  bool operator==(const InspectionFacts&) const = default;
};

struct OrderFacts {
  bool placed = false;  // order_placed seen; an order without it contributes nothing
  bool cancelled = false;
  std::string customer_id;
  std::string merchandiser_id;
  std::string supplier_id;
  Millis placed_at = 0;
  std::optional<Millis> confirmed_at;
  // DOMAIN.md §5: order_confirmed's promised_date, replaced by a CUSTOMER_REQUEST or
  // ENTRY_ERROR amendment's new_promised_date once there is one.
  std::optional<Date> commit_date;
  // The shipment_delivered that made every line fully delivered. Lines and pending shipments
  // are cleared then: nothing about them matters after completion.
  std::optional<Millis> completed_at;
  std::vector<LineFacts> lines;
  std::vector<PendingShipment> shipments;

  bool entry_error = false;         // an ENTRY_ERROR amendment was recorded
  bool document_corrected = false;  // a document_corrected was recorded
  bool damaged = false;             // a delivery reported damaged_quantity > 0
  // The earliest STATUS_UPDATE customer_contacted; "before completion" compares it.
  std::optional<Millis> first_status_update;

  std::vector<FeedbackFacts> feedbacks;
  std::vector<IssueFacts> issues;
  std::vector<HandoffFacts> handoffs;
  std::vector<InspectionFacts> inspections;  // in log order

  bool bad_complaint() const;  // any issue's bad_complaint()
  bool operator==(const OrderFacts&) const = default;
};

// The instant of a Timestamp in milliseconds, clamped to the Timestamp range.
Millis ToMillis(const google::protobuf::Timestamp& t);
// The business date of an instant.
Date BusinessDateOf(Millis at, UtcOffset offset);
// A clock reading in milliseconds since the epoch, rounded down (also before 1970).
Millis FloorMillis(std::chrono::system_clock::time_point t);

// Folds one recorded event into the facts. Trusts the engine's validation but never crashes on
// input it would have rejected: references to unknown ids are skipped, a second order_placed or
// order_confirmed is ignored, dates that do not parse set nothing.
void ApplyEvent(OrderFacts& facts, const v1::OrderEvent& event);

// A compact binary encoding (varints and length-prefixed strings, led by a format version).
std::string SerializeFacts(const OrderFacts& facts);
// The inverse of SerializeFacts. Bytes that are not a whole encoding are a corrupt store:
// Status::Fatal.
Result<OrderFacts> ParseFacts(std::string_view bytes);

}  // namespace gendan

#include <google/protobuf/text_format.h>

#include <array>
#include <vector>

#include "engine/decide.h"
#include "engine/describe.h"
#include "engine/intake.h"
#include "tests/fuzz/fuzz_entries.h"

namespace gendan::fuzz {
namespace {

constexpr char kOrderId[] = "ORD-1";
// 2024-01-01T00:00:00Z, the instant the canned histories start at; "now" is a year later.
constexpr int64_t kStart = 1704067200;

// A history of ORD-1 as payload texts; the states are its prefixes and a few branches.
const std::vector<std::string>& Life() {
  static const std::vector<std::string> life = {
      R"(order_placed { customer_id: "C" merchandiser_id: "M" supplier_id: "F"
         lines { line_id: "L1" quantity: 10 } lines { line_id: "L2" quantity: 5 } })",
      R"(order_confirmed { promised_date: "2024-03-01" })",
      R"(document_issued { document_id: "D1" document_type: CONTRACT })",
      R"(issue_raised { issue_id: "I1" category: QUALITY severity: MINOR owner_department: QUALITY })",
      R"(handoff_requested { handoff_id: "H1" from_department: SALES to_department: LOGISTICS
         due_at { seconds: 1706745600 } })",
      R"(production_started {})",
      R"(production_completed { produced_quantity: 15 })",
      R"(inspection_recorded { inspection_id: "Q1" stage: FINAL result: PASSED
         inspected_quantity: 15 })",
      R"(shipment_dispatched { shipment_id: "S1" lines { line_id: "L1" quantity: 4 } })",
      R"(issue_resolved { issue_id: "I1" resolution: "ok" })",
      R"(shipment_dispatched { shipment_id: "S2" lines { line_id: "L1" quantity: 6 }
         lines { line_id: "L2" quantity: 5 } })",
      R"(shipment_delivered { shipment_id: "S1" })",
      R"(shipment_delivered { shipment_id: "S2" })",
      R"(order_closed {})",
  };
  return life;
}

v1::InboundEvent FromText(const std::string& text, int n) {
  v1::InboundEvent e;
  (void)google::protobuf::TextFormat::ParseFromString(text, &e);
  e.set_event_id("canned-" + std::to_string(n));
  e.set_order_id(kOrderId);
  e.mutable_occurred_at()->set_seconds(kStart + 3600 * n);
  return e;
}

// Folds the first `n` events of Life() (plus `extra`) into a state; all of them are accepted.
OrderState Build(size_t n, const std::vector<std::string>& extra, const DecideOptions& o) {
  OrderState s;
  std::vector<std::string> texts(Life().begin(), Life().begin() + static_cast<long>(n));
  texts.insert(texts.end(), extra.begin(), extra.end());
  for (size_t i = 0; i < texts.size(); ++i) {
    Decision d = Decide(s, FromText(texts[i], static_cast<int>(i)), o);
    if (auto* a = std::get_if<Accepted>(&d)) Evolve(s, a->event);
  }
  return s;
}

DecideOptions Options() {
  DecideOptions o;
  o.now = std::chrono::system_clock::time_point(std::chrono::seconds(kStart + 366 * 86400));
  return o;
}

const std::vector<OrderState>& States() {
  static const std::vector<OrderState> states = [] {
    DecideOptions o = Options();
    std::vector<OrderState> out;
    for (size_t n = 0; n <= Life().size(); ++n) out.push_back(Build(n, {}, o));
    out.push_back(Build(2, {R"(order_held { reason: "credit" })"}, o));
    out.push_back(Build(3, {R"(order_cancelled { reason: "x" cancelled_by: CUSTOMER })"}, o));
    out.push_back(Build(9, {R"(order_held { reason: "credit" })"}, o));
    return out;
  }();
  return states;
}

// What downstream consumers need of a string field: it serializes and parses back unchanged.
bool SurvivesProtobuf(const std::string& text) {
  v1::Rejection r, back;
  r.set_message(text);
  return back.ParseFromString(r.SerializeAsString()) && back.message() == text;
}

std::string CheckRefusal(const Rejected& r, const v1::InboundEvent* parsed, std::string_view raw) {
  if (r.reason == v1::RejectionReason::REJECTION_REASON_UNSPECIFIED)
    return "refusal without reason";
  if (!v1::RejectionReason::Value_IsValid(r.reason)) return "refusal with unknown reason";
  if (r.message.empty() || r.message.size() > 4096) {
    return "refusal message of " + std::to_string(r.message.size()) + " bytes";
  }
  if (!SurvivesProtobuf(r.message)) return "refusal message is not valid UTF-8: " + r.message;
  v1::Rejection rejection, back;  // as EngineService::ProduceRejection builds it
  if (parsed != nullptr) {
    *rejection.mutable_inbound() = *parsed;
  } else {
    rejection.set_raw(std::string(raw.substr(0, 64 * 1024)));
  }
  rejection.set_reason(r.reason);
  rejection.set_message(r.message);
  if (!back.ParseFromString(rejection.SerializeAsString())) return "the Rejection does not parse";
  return "";
}

std::string CheckAccepted(OrderState state, const v1::InboundEvent& in, const Accepted& a,
                          const DecideOptions& o) {
  if (a.event.version() != state.version.value() + 1) return "accepted with a version gap";
  if (a.event.event_id() != in.event_id() || a.event.order_id() != in.order_id()) {
    return "accepted event differs from the inbound";
  }
  v1::OrderEvent back;
  if (!back.ParseFromString(a.event.SerializeAsString())) return "OrderEvent does not parse";
  Evolve(state, a.event);
  if (state.version.value() != a.event.version()) return "Evolve did not move the version";
  if (!state.exists()) return "an accepted event left no order";
  Decision again = Decide(state, in, o);
  if (!std::holds_alternative<Duplicate>(again)) {
    return "a redelivery is not a Duplicate: " + Describe(again);
  }
  (void)Describe(state);
  return "";
}

}  // namespace

std::string FuzzEngine(std::string_view data) {
  if (data.empty()) return "";
  const DecideOptions o = Options();
  const auto selector = static_cast<unsigned char>(data[0]);
  const OrderState& state = States()[(selector & 0x7f) % States().size()];
  // The high bit sends the record with key ORD-1 (the key check); else without a key.
  std::optional<std::string_view> key;
  if (selector & 0x80) key = kOrderId;
  std::string_view record = data.substr(1);
  v1::InboundEvent inbound;
  if (auto refused = ParseRecord(record, key, o, &inbound)) {
    return CheckRefusal(refused->rejected, refused->parsed ? &inbound : nullptr, record);
  }
  Decision d = Decide(state, inbound, o);
  (void)Describe(inbound);
  (void)Describe(d);
  if (auto* r = std::get_if<Rejected>(&d)) return CheckRefusal(*r, &inbound, record);
  if (auto* a = std::get_if<Accepted>(&d)) return CheckAccepted(state, inbound, *a, o);
  return "";
}

}  // namespace gendan::fuzz

// The gendan.v1 schema against DOMAIN.md §2–§4: every payload has a realistic JSON example that
// survives JSON → binary → JSON, parses in snake_case and lowerCamel, and reads as an OrderEvent;
// every name the contract spells is spelled the same in the schema.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "gendan/v1/events.pb.h"

namespace gendan {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::ListValue;
using google::protobuf::Message;
using google::protobuf::Struct;
using google::protobuf::Value;
using google::protobuf::util::MessageDifferencer;
using v1::InboundEvent;
using v1::OrderEvent;

// One example per member of InboundEvent.payload, in the canonical protobuf JSON form with
// DOMAIN.md's snake_case names: int64 as strings, enums by name, Timestamps in UTC, no
// default-valued fields (proto3 JSON leaves them out, so they would not round-trip textually).
// One order (PO-2026-00042: T-shirts from a Ningbo factory) walked through its life.
const std::vector<std::pair<std::string, std::string>>& Examples() {
  static const auto* examples = new std::vector<std::pair<std::string, std::string>>{
      {"order_placed", R"json({
        "event_id": "erp-so-7781-created",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-03-02T01:30:00Z",
        "source": "erp",
        "actor": "sales.li-wei",
        "expected_version": "0",
        "order_placed": {
          "customer_id": "CUST-ACME-EU",
          "merchandiser_id": "M-ZHANG-MIN",
          "supplier_id": "F-NINGBO-03",
          "requested_date": "2026-05-15",
          "incoterm": "FOB Ningbo",
          "lines": [
            {"line_id": "L1", "sku": "TS-BLK-M", "quantity": "1200"},
            {"line_id": "L2", "sku": "TS-BLK-L", "quantity": "800"}
          ]
        }
      })json"},
      {"order_confirmed", R"json({
        "event_id": "erp-so-7781-confirmed",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-03-02T07:05:00Z",
        "source": "erp",
        "actor": "M-ZHANG-MIN",
        "expected_version": "1",
        "order_confirmed": {"promised_date": "2026-05-20"}
      })json"},
      {"order_amended", R"json({
        "event_id": "erp-so-7781-amend-1",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-03-09T02:00:00Z",
        "source": "erp",
        "actor": "M-ZHANG-MIN",
        "order_amended": {
          "reason": "CUSTOMER_REQUEST",
          "new_promised_date": "2026-05-27",
          "line_changes": [
            {"line_id": "L2", "quantity": "1000"},
            {"line_id": "L3", "quantity": "300"}
          ]
        }
      })json"},
      {"order_held", R"json({
        "event_id": "erp-so-7781-hold-1",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-03-10T03:15:00Z",
        "source": "erp",
        "actor": "finance.wang-fang",
        "order_held": {"reason": "deposit not received"}
      })json"},
      {"order_released", R"json({
        "event_id": "erp-so-7781-release-1",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-03-12T01:00:00Z",
        "source": "erp",
        "actor": "finance.wang-fang",
        "order_released": {}
      })json"},
      {"order_cancelled", R"json({
        "event_id": "erp-so-7790-cancel",
        "order_id": "PO-2026-00051",
        "occurred_at": "2026-03-15T08:45:00Z",
        "source": "erp",
        "actor": "sales.li-wei",
        "order_cancelled": {
          "reason": "customer withdrew the order after the price revision",
          "cancelled_by": "CUSTOMER"
        }
      })json"},
      {"order_closed", R"json({
        "event_id": "erp-so-7781-closed",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-06-30T09:00:00Z",
        "source": "erp",
        "actor": "M-ZHANG-MIN",
        "order_closed": {}
      })json"},
      {"document_issued", R"json({
        "event_id": "erp-doc-PI-2026-0042",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-03-02T08:00:00Z",
        "source": "erp",
        "actor": "M-ZHANG-MIN",
        "document_issued": {"document_id": "PI-2026-0042", "document_type": "PROFORMA_INVOICE"}
      })json"},
      {"document_corrected", R"json({
        "event_id": "erp-doc-PI-2026-0042-rev1",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-03-03T02:20:00Z",
        "source": "erp",
        "actor": "M-ZHANG-MIN",
        "document_corrected": {
          "document_id": "PI-2026-0042",
          "reason": "unit price of line L2 was entered as 3.20 instead of 3.02"
        }
      })json"},
      {"milestone_planned", R"json({
        "event_id": "mes-tna-00042-exf",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-03-04T06:00:00Z",
        "source": "mes",
        "actor": "planning",
        "milestone_planned": {"milestone": "EX_FACTORY", "planned_date": "2026-05-10"}
      })json"},
      {"materials_in_house", R"json({
        "event_id": "wms-grn-55102",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-03-20T04:10:00Z",
        "source": "wms",
        "actor": "warehouse.ningbo",
        "materials_in_house": {}
      })json"},
      {"production_started", R"json({
        "event_id": "mes-wo-3321-start",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-03-23T00:30:00Z",
        "source": "mes",
        "actor": "F-NINGBO-03",
        "production_started": {}
      })json"},
      {"production_completed", R"json({
        "event_id": "mes-wo-3321-done",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-04-28T10:00:00Z",
        "source": "mes",
        "actor": "F-NINGBO-03",
        "production_completed": {"produced_quantity": "2530"}
      })json"},
      {"inspection_recorded", R"json({
        "event_id": "qms-insp-88120",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-05-06T03:40:00Z",
        "source": "qms",
        "actor": "qc.chen-jie",
        "inspection_recorded": {
          "inspection_id": "QC-88120",
          "stage": "FINAL",
          "result": "PASSED",
          "inspected_quantity": "315",
          "defective_quantity": "4",
          "supplier_id": "F-NINGBO-03"
        }
      })json"},
      {"shipment_dispatched", R"json({
        "event_id": "tms-shp-SH-0042-1-out",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-05-10T07:00:00Z",
        "source": "tms",
        "actor": "logistics.zhou-lan",
        "shipment_dispatched": {
          "shipment_id": "SH-0042-1",
          "carrier": "COSCO",
          "tracking_number": "COSU6321458790",
          "estimated_arrival_date": "2026-06-12",
          "lines": [
            {"line_id": "L1", "quantity": "1200"},
            {"line_id": "L2", "quantity": "1000"},
            {"line_id": "L3", "quantity": "300"}
          ]
        }
      })json"},
      {"shipment_delivered", R"json({
        "event_id": "tms-shp-SH-0042-1-pod",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-06-11T13:25:00Z",
        "source": "tms",
        "actor": "logistics.zhou-lan",
        "shipment_delivered": {"shipment_id": "SH-0042-1", "damaged_quantity": "12"}
      })json"},
      {"customer_contacted", R"json({
        "event_id": "crm-act-190233",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-05-10T08:00:00Z",
        "source": "crm",
        "actor": "M-ZHANG-MIN",
        "customer_contacted": {"channel": "EMAIL", "purpose": "STATUS_UPDATE"}
      })json"},
      {"feedback_received", R"json({
        "event_id": "crm-survey-7781",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-06-15T02:00:00Z",
        "source": "crm",
        "actor": "customer-portal",
        "feedback_received": {"rating": 4, "comment": "On time; 12 cartons crushed in transit."}
      })json"},
      {"issue_raised", R"json({
        "event_id": "crm-case-5521-open",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-06-12T01:10:00Z",
        "source": "crm",
        "actor": "after-sales.liu-yang",
        "issue_raised": {
          "issue_id": "CASE-5521",
          "category": "CUSTOMER_COMPLAINT",
          "severity": "MAJOR",
          "complaint_reason": "DAMAGE",
          "owner_department": "AFTER_SALES",
          "description": "12 cartons of L1 arrived crushed; customer asks for replacement"
        }
      })json"},
      {"issue_resolved", R"json({
        "event_id": "crm-case-5521-resolved",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-06-13T09:30:00Z",
        "source": "crm",
        "actor": "after-sales.liu-yang",
        "issue_resolved": {
          "issue_id": "CASE-5521",
          "resolution": "credit note CN-2026-118 for 12 units",
          "first_contact": true
        }
      })json"},
      {"issue_reopened", R"json({
        "event_id": "crm-case-5521-reopen",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-06-16T03:00:00Z",
        "source": "crm",
        "actor": "after-sales.liu-yang",
        "issue_reopened": {"issue_id": "CASE-5521", "reason": "credit note amount disputed"}
      })json"},
      {"handoff_requested", R"json({
        "event_id": "erp-ho-0042-booking",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-05-04T02:00:00Z",
        "source": "erp",
        "actor": "M-ZHANG-MIN",
        "handoff_requested": {
          "handoff_id": "HO-0042-01",
          "from_department": "MERCHANDISING",
          "to_department": "LOGISTICS",
          "subject": "book 1x40HQ for ex-factory 2026-05-10",
          "due_at": "2026-05-06T10:00:00Z"
        }
      })json"},
      {"handoff_acknowledged", R"json({
        "event_id": "erp-ho-0042-booking-ack",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-05-04T05:30:00Z",
        "source": "erp",
        "actor": "logistics.zhou-lan",
        "handoff_acknowledged": {"handoff_id": "HO-0042-01"}
      })json"},
      {"handoff_completed", R"json({
        "event_id": "erp-ho-0042-booking-done",
        "order_id": "PO-2026-00042",
        "occurred_at": "2026-05-05T09:00:00Z",
        "source": "erp",
        "actor": "logistics.zhou-lan",
        "handoff_completed": {"handoff_id": "HO-0042-01"}
      })json"},
  };
  return *examples;
}

// ---- helpers ---------------------------------------------------------------------------------

// protobuf's lowerCamel JSON name of a snake_case field name.
std::string ToLowerCamel(const std::string& snake) {
  std::string out;
  bool upper = false;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      upper = false;
    }
  }
  return out;
}

Value CamelizeKeys(const Value& v);
Struct CamelizeKeys(const Struct& s) {
  Struct out;
  for (const auto& [key, value] : s.fields())
    (*out.mutable_fields())[ToLowerCamel(key)] = CamelizeKeys(value);
  return out;
}
Value CamelizeKeys(const Value& v) {
  Value out;
  if (v.has_struct_value()) {
    *out.mutable_struct_value() = CamelizeKeys(v.struct_value());
  } else if (v.has_list_value()) {
    ListValue* list = out.mutable_list_value();
    for (const Value& item : v.list_value().values()) *list->add_values() = CamelizeKeys(item);
  } else {
    out = v;
  }
  return out;
}

// JSON text as a Struct, so two documents compare by meaning (key order, whitespace ignored).
Struct JsonStruct(const std::string& json) {
  Struct s;
  auto status = google::protobuf::util::JsonStringToMessage(json, &s);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return s;
}

std::string ToJson(const Message& m, bool snake_case) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = snake_case;
  std::string out;
  auto status = google::protobuf::util::MessageToJsonString(m, &out, options);
  EXPECT_TRUE(status.ok()) << status.ToString();
  return out;
}

template <typename M>
M FromJson(const std::string& json) {
  M m;
  auto status = google::protobuf::util::JsonStringToMessage(json, &m);
  EXPECT_TRUE(status.ok()) << status.ToString() << "\n" << json;
  return m;
}

template <typename M>
M FromBinary(const std::string& bytes) {
  M m;
  EXPECT_TRUE(m.ParseFromString(bytes));
  return m;
}

::testing::AssertionResult SameJson(const std::string& expected, const std::string& actual) {
  std::string diff;
  MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  if (differ.Compare(JsonStruct(expected), JsonStruct(actual)))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << diff << "expected: " << expected << "\nactual:   " << actual;
}

::testing::AssertionResult SameMessage(const Message& expected, const Message& actual) {
  std::string diff;
  MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  if (differ.Compare(expected, actual)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << diff;
}

const google::protobuf::OneofDescriptor* Payload(const Descriptor* d) {
  const auto* oneof = d->FindOneofByName("payload");
  EXPECT_NE(oneof, nullptr) << d->full_name() << " has no oneof payload";
  return oneof;
}

// The comparison the round-trip tests rely on: by meaning, not by key order or spacing.
TEST(JsonRoundTripTest, SameJsonIgnoresKeyOrderButNotValues) {
  EXPECT_TRUE(SameJson(R"({"a": "1", "b": {"c": 2, "d": [3, {"e": true, "f": null}]}})",
                       R"({"b":{"d":[3,{"f":null,"e":true}],"c":2},"a":"1"})"));
  EXPECT_FALSE(SameJson(R"({"a": "1"})", R"({"a": 1})"));
  EXPECT_FALSE(SameJson(R"({"d": [1, 2]})", R"({"d": [2, 1]})"));
}

// ---- examples and round trips -----------------------------------------------------------------

// Adding a payload to the schema without an example here fails this test.
TEST(JsonRoundTripTest, EveryPayloadHasAnExample) {
  std::set<std::string> members, examples;
  const auto* oneof = Payload(InboundEvent::descriptor());
  for (int i = 0; i < oneof->field_count(); ++i) members.insert(oneof->field(i)->name());
  for (const auto& [member, json] : Examples()) {
    EXPECT_TRUE(examples.insert(member).second) << "two examples for " << member;
  }
  EXPECT_EQ(members, examples);
  EXPECT_EQ(members.size(), 24u);
}

// Each example parses, and sets exactly the payload it is filed under.
TEST(JsonRoundTripTest, ExamplesSetTheirPayload) {
  const auto* oneof = Payload(InboundEvent::descriptor());
  for (const auto& [member, json] : Examples()) {
    SCOPED_TRACE(member);
    InboundEvent event = FromJson<InboundEvent>(json);
    const FieldDescriptor* set = event.GetReflection()->GetOneofFieldDescriptor(event, oneof);
    ASSERT_NE(set, nullptr);
    EXPECT_EQ(set->name(), member);
    EXPECT_FALSE(event.event_id().empty());
    EXPECT_FALSE(event.order_id().empty());
    EXPECT_TRUE(event.has_occurred_at());
  }
}

// snake_case JSON → message → bytes → message → snake_case JSON is the document we started from.
TEST(JsonRoundTripTest, SnakeCaseJsonSurvivesBinary) {
  for (const auto& [member, json] : Examples()) {
    SCOPED_TRACE(member);
    InboundEvent parsed = FromJson<InboundEvent>(json);
    InboundEvent decoded = FromBinary<InboundEvent>(parsed.SerializeAsString());
    EXPECT_TRUE(SameMessage(parsed, decoded));
    const std::string out = ToJson(decoded, /*snake_case=*/true);
    EXPECT_TRUE(SameJson(json, out));
    // The canonical text is stable: printing again after another trip gives the same bytes.
    EXPECT_EQ(ToJson(FromBinary<InboundEvent>(decoded.SerializeAsString()), true), out);
  }
}

// The lowerCamel spelling of the same document parses to the same message, and the default
// (lowerCamel) printer gives that spelling back.
TEST(JsonRoundTripTest, LowerCamelJsonParsesToTheSameMessage) {
  for (const auto& [member, json] : Examples()) {
    SCOPED_TRACE(member);
    std::string camel;
    ASSERT_TRUE(
        google::protobuf::util::MessageToJsonString(CamelizeKeys(JsonStruct(json)), &camel).ok());
    InboundEvent from_snake = FromJson<InboundEvent>(json);
    InboundEvent from_camel = FromJson<InboundEvent>(camel);
    EXPECT_TRUE(SameMessage(from_snake, from_camel));
    InboundEvent decoded = FromBinary<InboundEvent>(from_camel.SerializeAsString());
    EXPECT_TRUE(SameJson(camel, ToJson(decoded, /*snake_case=*/false)));
  }
}

// Pins the lowerCamel keys by hand rather than by the conversion above; also accepts int64 given
// as JSON numbers and a Timestamp with an offset, as upstream systems tend to send them.
TEST(JsonRoundTripTest, HandWrittenLowerCamelMatchesSnakeCase) {
  const std::string camel = R"json({
    "eventId": "tms-shp-SH-0042-1-out",
    "orderId": "PO-2026-00042",
    "occurredAt": "2026-05-10T15:00:00+08:00",
    "source": "tms",
    "actor": "logistics.zhou-lan",
    "shipmentDispatched": {
      "shipmentId": "SH-0042-1",
      "carrier": "COSCO",
      "trackingNumber": "COSU6321458790",
      "estimatedArrivalDate": "2026-06-12",
      "lines": [
        {"lineId": "L1", "quantity": 1200},
        {"lineId": "L2", "quantity": 1000},
        {"lineId": "L3", "quantity": 300}
      ]
    }
  })json";
  const auto it = std::find_if(Examples().begin(), Examples().end(),
                               [](const auto& e) { return e.first == "shipment_dispatched"; });
  ASSERT_NE(it, Examples().end());
  EXPECT_TRUE(SameMessage(FromJson<InboundEvent>(it->second), FromJson<InboundEvent>(camel)));
}

// events.proto promises: InboundEvent bytes parse as an OrderEvent with the same fields (version
// and recorded_at unset), and an OrderEvent parses as the InboundEvent it came from.
TEST(JsonRoundTripTest, InboundBytesParseAsOrderEvent) {
  for (const auto& [member, json] : Examples()) {
    SCOPED_TRACE(member);
    InboundEvent inbound = FromJson<InboundEvent>(json);
    OrderEvent recorded = FromBinary<OrderEvent>(inbound.SerializeAsString());
    EXPECT_TRUE(recorded.GetReflection()->GetUnknownFields(recorded).empty())
        << "an InboundEvent field has no OrderEvent counterpart";
    EXPECT_EQ(recorded.version(), 0);
    EXPECT_FALSE(recorded.has_recorded_at());
    EXPECT_EQ(static_cast<int>(recorded.payload_case()), static_cast<int>(inbound.payload_case()));
    EXPECT_TRUE(SameJson(json, ToJson(recorded, /*snake_case=*/true)));

    // And back: the engine's record, read as an InboundEvent, is the inbound event again.
    recorded.set_version(7);
    recorded.mutable_recorded_at()->set_seconds(1'780'000'000);
    InboundEvent again = FromBinary<InboundEvent>(recorded.SerializeAsString());
    again.GetReflection()->MutableUnknownFields(&again)->Clear();  // version, recorded_at
    EXPECT_TRUE(SameMessage(inbound, again));
  }
}

// The property above holds only while the two envelopes agree field by field; keep them so.
TEST(JsonRoundTripTest, EnvelopesShareNumbersAndPayloads) {
  const Descriptor* in = InboundEvent::descriptor();
  const Descriptor* out = OrderEvent::descriptor();
  for (int i = 0; i < in->field_count(); ++i) {
    const FieldDescriptor* f = in->field(i);
    SCOPED_TRACE(f->name());
    const FieldDescriptor* g = out->FindFieldByName(f->name());
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->number(), f->number());
    EXPECT_EQ(g->type(), f->type());
    EXPECT_EQ(g->label(), f->label());
    EXPECT_EQ(g->message_type(), f->message_type());
    EXPECT_EQ(g->has_presence(), f->has_presence());
    EXPECT_EQ(g->real_containing_oneof() == nullptr, f->real_containing_oneof() == nullptr);
  }
  EXPECT_EQ(Payload(out)->field_count(), Payload(in)->field_count());
  const FieldDescriptor* version = out->FindFieldByName("version");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->type(), FieldDescriptor::TYPE_INT64);
  const FieldDescriptor* recorded_at = out->FindFieldByName("recorded_at");
  ASSERT_NE(recorded_at, nullptr);
  EXPECT_EQ(recorded_at->message_type()->full_name(), "google.protobuf.Timestamp");
  EXPECT_EQ(in->FindFieldByNumber(version->number()), nullptr);
  EXPECT_EQ(in->FindFieldByNumber(recorded_at->number()), nullptr);
}

// Upstream mistakes in JSON are refused by the parser, not silently dropped.
TEST(JsonRoundTripTest, RejectsMalformedJson) {
  InboundEvent event;
  // A misspelled key.
  EXPECT_FALSE(google::protobuf::util::JsonStringToMessage(
                   R"({"event_id": "e1", "order_id": "o1", "order_confirmd": {}})", &event)
                   .ok());
  // An enum value from another enum (FAILED is an InspectionResult, not a stage).
  EXPECT_FALSE(google::protobuf::util::JsonStringToMessage(
                   R"({"inspection_recorded": {"stage": "FAILED"}})", &event)
                   .ok());
  // Two payloads in one event.
  EXPECT_FALSE(google::protobuf::util::JsonStringToMessage(
                   R"({"order_closed": {}, "order_released": {}})", &event)
                   .ok());
  // A Timestamp that is not RFC 3339.
  EXPECT_FALSE(google::protobuf::util::JsonStringToMessage(
                   R"({"occurred_at": "2026-05-10 15:00:00"})", &event)
                   .ok());
}

// ---- DOMAIN.md names --------------------------------------------------------------------------
// Hard-listed from DOMAIN.md §2–§4 (the page is outside this repository). A name spelled there
// must be spelled the same here; a schema name missing from these lists is a contract change.

const FieldDescriptor* FieldOf(const Descriptor* d, const std::string& name) {
  const FieldDescriptor* f = d->FindFieldByName(name);
  EXPECT_NE(f, nullptr) << d->full_name() << " has no field " << name;
  return f;
}

std::set<std::string> FieldNames(const Descriptor* d) {
  std::set<std::string> names;
  for (int i = 0; i < d->field_count(); ++i) names.insert(d->field(i)->name());
  return names;
}

std::set<std::string> EnumNames(const google::protobuf::EnumDescriptor* e) {
  std::set<std::string> names;
  for (int i = 0; i < e->value_count(); ++i) {
    if (e->value(i)->number() != 0) names.insert(e->value(i)->name());
  }
  return names;
}

TEST(DomainNamesTest, EnvelopeFields) {
  EXPECT_EQ(
      FieldNames(InboundEvent::descriptor()),
      (std::set<std::string>{
          "event_id", "order_id", "occurred_at", "source", "actor", "expected_version",
          // the payloads, checked below
          "order_placed", "order_confirmed", "order_amended", "order_held", "order_released",
          "order_cancelled", "order_closed", "document_issued", "document_corrected",
          "milestone_planned", "materials_in_house", "production_started", "production_completed",
          "inspection_recorded", "shipment_dispatched", "shipment_delivered", "customer_contacted",
          "feedback_received", "issue_raised", "issue_resolved", "issue_reopened",
          "handoff_requested", "handoff_acknowledged", "handoff_completed"}));
  const Descriptor* in = InboundEvent::descriptor();
  EXPECT_EQ(FieldOf(in, "event_id")->type(), FieldDescriptor::TYPE_STRING);
  EXPECT_EQ(FieldOf(in, "order_id")->type(), FieldDescriptor::TYPE_STRING);
  EXPECT_EQ(FieldOf(in, "occurred_at")->message_type()->full_name(), "google.protobuf.Timestamp");
  EXPECT_EQ(FieldOf(in, "source")->type(), FieldDescriptor::TYPE_STRING);
  EXPECT_EQ(FieldOf(in, "actor")->type(), FieldDescriptor::TYPE_STRING);
  const FieldDescriptor* expected_version = FieldOf(in, "expected_version");
  EXPECT_EQ(expected_version->type(), FieldDescriptor::TYPE_INT64);
  EXPECT_TRUE(expected_version->has_presence()) << "optional: 0 means 'must not exist'";

  const Descriptor* rejection = v1::Rejection::descriptor();
  EXPECT_EQ(FieldNames(rejection),
            (std::set<std::string>{"inbound", "raw", "reason", "message", "rejected_at", "topic",
                                   "partition", "offset"}));
  EXPECT_EQ(FieldOf(rejection, "inbound")->message_type(), in);
  EXPECT_EQ(FieldOf(rejection, "raw")->type(), FieldDescriptor::TYPE_BYTES);
  EXPECT_EQ(FieldOf(rejection, "inbound")->containing_oneof(),
            FieldOf(rejection, "raw")->containing_oneof());
  EXPECT_EQ(FieldOf(rejection, "rejected_at")->message_type()->full_name(),
            "google.protobuf.Timestamp");
}

// §3: oneof member → its fields.
TEST(DomainNamesTest, PayloadMembersAndFields) {
  const std::map<std::string, std::set<std::string>> payloads = {
      {"order_placed",
       {"customer_id", "merchandiser_id", "supplier_id", "requested_date", "incoterm", "lines"}},
      {"order_confirmed", {"promised_date"}},
      {"order_amended", {"reason", "new_promised_date", "line_changes"}},
      {"order_held", {"reason"}},
      {"order_released", {}},
      {"order_cancelled", {"reason", "cancelled_by"}},
      {"order_closed", {}},
      {"document_issued", {"document_id", "document_type"}},
      {"document_corrected", {"document_id", "reason"}},
      {"milestone_planned", {"milestone", "planned_date"}},
      {"materials_in_house", {}},
      {"production_started", {}},
      {"production_completed", {"produced_quantity"}},
      {"inspection_recorded",
       {"inspection_id", "stage", "result", "inspected_quantity", "defective_quantity",
        "supplier_id"}},
      {"shipment_dispatched",
       {"shipment_id", "carrier", "tracking_number", "estimated_arrival_date", "lines"}},
      {"shipment_delivered", {"shipment_id", "damaged_quantity"}},
      {"customer_contacted", {"channel", "purpose"}},
      {"feedback_received", {"rating", "comment"}},
      {"issue_raised",
       {"issue_id", "category", "severity", "complaint_reason", "owner_department", "description"}},
      {"issue_resolved", {"issue_id", "resolution", "first_contact"}},
      {"issue_reopened", {"issue_id", "reason"}},
      {"handoff_requested",
       {"handoff_id", "from_department", "to_department", "subject", "due_at"}},
      {"handoff_acknowledged", {"handoff_id"}},
      {"handoff_completed", {"handoff_id"}},
  };
  const auto* oneof = Payload(InboundEvent::descriptor());
  std::set<std::string> members;
  for (int i = 0; i < oneof->field_count(); ++i) members.insert(oneof->field(i)->name());
  std::set<std::string> listed;
  for (const auto& [member, fields] : payloads) listed.insert(member);
  EXPECT_EQ(members, listed);

  const Descriptor* in = InboundEvent::descriptor();
  for (const auto& [member, fields] : payloads) {
    SCOPED_TRACE(member);
    const FieldDescriptor* f = FieldOf(in, member);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->containing_oneof(), oneof);
    ASSERT_EQ(f->type(), FieldDescriptor::TYPE_MESSAGE);
    EXPECT_EQ(FieldNames(f->message_type()), fields);
  }

  // The line items.
  const Descriptor* placed = FieldOf(in, "order_placed")->message_type();
  EXPECT_EQ(FieldNames(FieldOf(placed, "lines")->message_type()),
            (std::set<std::string>{"line_id", "sku", "quantity"}));
  EXPECT_TRUE(FieldOf(placed, "lines")->is_repeated());
  const Descriptor* amended = FieldOf(in, "order_amended")->message_type();
  EXPECT_EQ(FieldNames(FieldOf(amended, "line_changes")->message_type()),
            (std::set<std::string>{"line_id", "quantity"}));
  EXPECT_TRUE(FieldOf(amended, "line_changes")->is_repeated());
  EXPECT_TRUE(FieldOf(amended, "new_promised_date")->has_presence()) << "optional in DOMAIN.md";
  const Descriptor* dispatched = FieldOf(in, "shipment_dispatched")->message_type();
  EXPECT_EQ(FieldNames(FieldOf(dispatched, "lines")->message_type()),
            (std::set<std::string>{"line_id", "quantity"}));
  EXPECT_TRUE(FieldOf(dispatched, "lines")->is_repeated());
}

// The types DOMAIN.md states: quantities int64, dates "YYYY-MM-DD" strings, instants Timestamps.
TEST(DomainNamesTest, PayloadFieldTypes) {
  const auto* oneof = Payload(InboundEvent::descriptor());
  std::vector<const Descriptor*> todo;
  for (int i = 0; i < oneof->field_count(); ++i) todo.push_back(oneof->field(i)->message_type());
  std::set<const Descriptor*> seen;
  int quantities = 0, dates = 0;
  while (!todo.empty()) {
    const Descriptor* d = todo.back();
    todo.pop_back();
    if (!seen.insert(d).second) continue;
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      SCOPED_TRACE(f->full_name());
      const std::string& name = f->name();
      if (name == "quantity" || name.find("_quantity") != std::string::npos) {
        EXPECT_EQ(f->type(), FieldDescriptor::TYPE_INT64);
        ++quantities;
      }
      if (name.size() > 5 && name.compare(name.size() - 5, 5, "_date") == 0) {
        EXPECT_EQ(f->type(), FieldDescriptor::TYPE_STRING);
        ++dates;
      }
      if (name.size() > 3 && name.compare(name.size() - 3, 3, "_id") == 0) {
        EXPECT_EQ(f->type(), FieldDescriptor::TYPE_STRING);
      }
      if (f->type() == FieldDescriptor::TYPE_MESSAGE &&
          f->message_type()->file()->package() == "gendan.v1") {
        todo.push_back(f->message_type());
      }
    }
  }
  EXPECT_EQ(quantities,
            7);  // lines×3 (placed, changes, shipped), produced, inspected, defective, damaged
  EXPECT_EQ(dates, 5);  // requested, promised, new_promised, planned, estimated_arrival
  const Descriptor* in = InboundEvent::descriptor();
  const Descriptor* feedback = FieldOf(in, "feedback_received")->message_type();
  EXPECT_EQ(FieldOf(feedback, "rating")->cpp_type(), FieldDescriptor::CPPTYPE_INT32);
  const Descriptor* resolved = FieldOf(in, "issue_resolved")->message_type();
  EXPECT_EQ(FieldOf(resolved, "first_contact")->type(), FieldDescriptor::TYPE_BOOL);
  const Descriptor* handoff = FieldOf(in, "handoff_requested")->message_type();
  EXPECT_EQ(FieldOf(handoff, "due_at")->message_type()->full_name(), "google.protobuf.Timestamp");
}

// §3 and §4: every enum, exactly the values DOMAIN.md lists (plus the zero "unset" sentinel).
TEST(DomainNamesTest, EnumValues) {
  const std::set<std::string> departments = {"MERCHANDISING", "SALES",      "PROCUREMENT",
                                             "PRODUCTION",    "QUALITY",    "LOGISTICS",
                                             "FINANCE",       "AFTER_SALES"};
  // {payload member, field} → values.
  const std::vector<std::tuple<std::string, std::string, std::set<std::string>>> enums = {
      {"order_amended",
       "reason",
       {"CUSTOMER_REQUEST", "ENTRY_ERROR", "SUPPLY_CONSTRAINT", "OTHER"}},
      {"order_cancelled", "cancelled_by", {"CUSTOMER", "INTERNAL"}},
      {"document_issued",
       "document_type",
       {"ORDER_CONFIRMATION", "CONTRACT", "PROFORMA_INVOICE", "COMMERCIAL_INVOICE", "PACKING_LIST",
        "BILL_OF_LADING", "CERTIFICATE", "OTHER"}},
      {"milestone_planned",
       "milestone",
       {"MATERIALS_IN_HOUSE", "PRODUCTION_START", "PRODUCTION_END", "FINAL_INSPECTION",
        "EX_FACTORY", "DELIVERY"}},
      {"inspection_recorded", "stage", {"INCOMING", "INLINE", "FINAL"}},
      {"inspection_recorded", "result", {"PASSED", "FAILED"}},
      {"customer_contacted", "channel", {"EMAIL", "PHONE", "PORTAL", "MEETING", "OTHER"}},
      {"customer_contacted", "purpose", {"STATUS_UPDATE", "INQUIRY_RESPONSE", "OTHER"}},
      {"issue_raised",
       "category",
       {"MATERIAL_SHORTAGE", "PRODUCTION_INTERRUPTION", "QUALITY", "LOGISTICS_DELAY",
        "DOCUMENTATION", "CUSTOMER_COMPLAINT", "OTHER"}},
      {"issue_raised", "severity", {"CRITICAL", "MAJOR", "MINOR"}},
      {"issue_raised",
       "complaint_reason",
       {"QUALITY", "QUANTITY", "DAMAGE", "LATE_DELIVERY", "DOCUMENTATION", "SERVICE"}},
      {"issue_raised", "owner_department", departments},
      {"handoff_requested", "from_department", departments},
      {"handoff_requested", "to_department", departments},
  };
  const Descriptor* in = InboundEvent::descriptor();
  for (const auto& [member, field, values] : enums) {
    SCOPED_TRACE(member + "." + field);
    const FieldDescriptor* payload = FieldOf(in, member);
    ASSERT_NE(payload, nullptr);
    const FieldDescriptor* f = FieldOf(payload->message_type(), field);
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(f->type(), FieldDescriptor::TYPE_ENUM);
    EXPECT_EQ(EnumNames(f->enum_type()), values);
    EXPECT_EQ(f->enum_type()->value(0)->number(), 0);
    EXPECT_NE(f->enum_type()->value(0)->name().find("UNSPECIFIED"), std::string::npos);
  }

  // §4 stages (the status view's `stage` is the stage's name).
  const auto* stage = google::protobuf::DescriptorPool::generated_pool()->FindEnumTypeByName(
      "gendan.v1.Stage.Value");
  ASSERT_NE(stage, nullptr);
  EXPECT_EQ(EnumNames(stage), (std::set<std::string>{"PLACED", "CONFIRMED", "IN_PRODUCTION",
                                                     "PRODUCED", "READY_TO_SHIP", "SHIPPING",
                                                     "DELIVERED", "CLOSED", "CANCELLED"}));
  // Stages are ordered as the lifecycle runs; code compares them.
  EXPECT_LT(stage->FindValueByName("PLACED")->number(), stage->FindValueByName("CLOSED")->number());

  // §4 reason codes.
  const FieldDescriptor* reason = FieldOf(v1::Rejection::descriptor(), "reason");
  ASSERT_NE(reason, nullptr);
  ASSERT_EQ(reason->type(), FieldDescriptor::TYPE_ENUM);
  EXPECT_EQ(EnumNames(reason->enum_type()),
            (std::set<std::string>{"MALFORMED", "INVALID_EVENT", "FUTURE_EVENT", "UNKNOWN_ORDER",
                                   "DUPLICATE_ORDER", "VERSION_CONFLICT", "ORDER_TERMINAL",
                                   "INVALID_TRANSITION", "ORDER_ON_HOLD", "QUANTITY_EXCEEDED",
                                   "UNKNOWN_REFERENCE", "DUPLICATE_REFERENCE", "REFERENCE_STATE"}));
}

// The JSON mapping prints DOMAIN.md's enum spellings, not prefixed C++ names.
TEST(DomainNamesTest, JsonPrintsEnumValuesAsDomainSpellsThem) {
  InboundEvent event;
  event.mutable_issue_raised()->set_category(v1::IssueCategory::CUSTOMER_COMPLAINT);
  event.mutable_issue_raised()->set_complaint_reason(v1::ComplaintReason::QUALITY);
  event.mutable_issue_raised()->set_owner_department(v1::Department::QUALITY);
  EXPECT_TRUE(SameJson(R"({"issue_raised": {"category": "CUSTOMER_COMPLAINT",
                                            "complaint_reason": "QUALITY",
                                            "owner_department": "QUALITY"}})",
                       ToJson(event, /*snake_case=*/true)));
}

}  // namespace
}  // namespace gendan

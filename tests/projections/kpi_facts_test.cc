#include "projections/kpi_facts.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace gendan {
namespace {

// Seconds since the epoch of "YYYY-MM-DD HH:MM" in UTC.
int64_t Secs(std::string_view when) {
  std::optional<Date> d = ParseDate(when.substr(0, 10));
  EXPECT_TRUE(d.has_value() && when.size() == 16) << when;
  int hh = std::stoi(std::string(when.substr(11, 2))), mm = std::stoi(std::string(when.substr(14)));
  return d.value_or(Date{}).time_since_epoch().count() * 86400 + hh * 3600 + mm * 60;
}
Millis Ms(std::string_view when) { return Secs(when) * 1000; }

// A recorded event from its payload as protobuf text, occurring at `when` (UTC).
v1::OrderEvent Event(std::string_view when, std::string_view payload) {
  static int counter = 0;
  v1::OrderEvent e;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(std::string(payload), &e)) << payload;
  e.set_event_id("e" + std::to_string(++counter));
  e.set_order_id("O1");
  e.mutable_occurred_at()->set_seconds(Secs(when));
  return e;
}

constexpr char kPlaced[] = R"(order_placed { customer_id: "C1" merchandiser_id: "M1"
    supplier_id: "F1" lines { line_id: "L1" quantity: 10 } lines { line_id: "L2" quantity: 5 } })";

OrderFacts Fold(const std::vector<v1::OrderEvent>& events) {
  OrderFacts f;
  for (const v1::OrderEvent& e : events) ApplyEvent(f, e);
  return f;
}

Date D(std::string_view text) { return ParseDate(text).value_or(Date{}); }

// ---- Folding ----------------------------------------------------------------------------------

// order_placed sets the group ids and placed_at; the order contributes only once it is placed.
TEST(KpiFactsTest, PlacedSetsPartiesAndTime) {
  OrderFacts f = Fold({Event("2024-01-02 09:00", kPlaced)});
  EXPECT_TRUE(f.placed);
  EXPECT_EQ(f.customer_id, "C1");
  EXPECT_EQ(f.merchandiser_id, "M1");
  EXPECT_EQ(f.supplier_id, "F1");
  EXPECT_EQ(f.placed_at, Ms("2024-01-02 09:00"));
  EXPECT_EQ(f.lines.size(), 2u);
  EXPECT_FALSE(f.confirmed_at.has_value());
  EXPECT_FALSE(f.commit_date.has_value());
}

// Completion is the delivery that makes every line whole, with amended quantities.
TEST(KpiFactsTest, CompletionNeedsEveryLineDelivered) {
  std::vector<v1::OrderEvent> events = {
      Event("2024-01-02 09:00", kPlaced),
      Event("2024-01-03 09:00",
            R"(order_amended { reason: CUSTOMER_REQUEST line_changes { line_id: "L2" quantity: 7 }
               line_changes { line_id: "L3" quantity: 1 } })"),
      Event("2024-01-05 09:00", R"(shipment_dispatched { shipment_id: "S1"
               lines { line_id: "L1" quantity: 10 } lines { line_id: "L2" quantity: 5 } })"),
      Event("2024-01-06 09:00", R"(shipment_delivered { shipment_id: "S1" })"),
      Event("2024-01-07 09:00", R"(shipment_dispatched { shipment_id: "S2"
               lines { line_id: "L2" quantity: 2 } lines { line_id: "L3" quantity: 1 } })"),
  };
  OrderFacts f = Fold(events);
  EXPECT_FALSE(f.completed_at.has_value()) << "L2 has 5 of 7, L3 0 of 1";
  ASSERT_EQ(f.lines.size(), 3u);
  EXPECT_EQ(f.lines[1].ordered, 7);
  EXPECT_EQ(f.lines[1].delivered, 5);
  ASSERT_EQ(f.shipments.size(), 1u);

  ApplyEvent(f, Event("2024-01-08 17:30", R"(shipment_delivered { shipment_id: "S2" })"));
  EXPECT_EQ(f.completed_at, Ms("2024-01-08 17:30"));
  EXPECT_TRUE(f.lines.empty()) << "lines are not kept after completion";
  EXPECT_TRUE(f.shipments.empty());
  EXPECT_FALSE(f.damaged);
}

// A delivery with damaged_quantity > 0 marks the order damaged.
TEST(KpiFactsTest, DamagedDelivery) {
  OrderFacts f = Fold({Event("2024-01-02 09:00", kPlaced),
                       Event("2024-01-05 09:00", R"(shipment_dispatched { shipment_id: "S1"
                           lines { line_id: "L1" quantity: 4 } })"),
                       Event("2024-01-06 09:00",
                             R"(shipment_delivered { shipment_id: "S1" damaged_quantity: 1 })")});
  EXPECT_TRUE(f.damaged);
  EXPECT_FALSE(f.completed_at.has_value());
}

// The commit date: promised_date, moved by CUSTOMER_REQUEST and ENTRY_ERROR only.
TEST(KpiFactsTest, CommitDateRules) {
  auto amend = [](std::string_view reason, std::string_view date) {
    return Event("2024-01-04 09:00", "order_amended { reason: " + std::string(reason) +
                                         " new_promised_date: \"" + std::string(date) + "\" }");
  };
  std::vector<v1::OrderEvent> confirmed = {
      Event("2024-01-02 09:00", kPlaced),
      Event("2024-01-03 09:00", R"(order_confirmed { promised_date: "2024-01-20" })")};
  EXPECT_EQ(Fold(confirmed).commit_date, D("2024-01-20"));

  struct Row {
    std::string reason;
    std::string expected;
  };
  for (const Row& row : {Row{"CUSTOMER_REQUEST", "2024-02-10"}, Row{"ENTRY_ERROR", "2024-02-10"},
                         Row{"SUPPLY_CONSTRAINT", "2024-01-20"}, Row{"OTHER", "2024-01-20"}}) {
    std::vector<v1::OrderEvent> events = confirmed;
    events.push_back(amend(row.reason, "2024-02-10"));
    OrderFacts f = Fold(events);
    EXPECT_EQ(f.commit_date, D(row.expected)) << row.reason;
    EXPECT_EQ(f.entry_error, row.reason == "ENTRY_ERROR") << row.reason;
  }

  // Before confirmation an amendment sets no commitment, and confirmation sets its own.
  OrderFacts early =
      Fold({Event("2024-01-02 09:00", kPlaced), amend("CUSTOMER_REQUEST", "2024-01-25")});
  EXPECT_FALSE(early.commit_date.has_value());
  ApplyEvent(early,
             Event("2024-01-05 09:00", R"(order_confirmed { promised_date: "2024-01-28" })"));
  EXPECT_EQ(early.commit_date, D("2024-01-28"));
  EXPECT_EQ(early.confirmed_at, Ms("2024-01-05 09:00"));
}

// Issues keep every resolve/reopen time, whether they are resolved now, and the last flag.
TEST(KpiFactsTest, IssueHistory) {
  OrderFacts f = Fold({
      Event("2024-01-02 09:00", kPlaced),
      Event("2024-01-03 09:00", R"(issue_raised { issue_id: "I1" category: CUSTOMER_COMPLAINT
                                   severity: MAJOR complaint_reason: DAMAGE })"),
      Event("2024-01-04 09:00", R"(issue_resolved { issue_id: "I1" first_contact: true })"),
      Event("2024-01-05 09:00", R"(issue_reopened { issue_id: "I1" })"),
      Event("2024-01-06 09:00", R"(issue_resolved { issue_id: "I1" first_contact: false })"),
  });
  ASSERT_EQ(f.issues.size(), 1u);
  const IssueFacts& i = f.issues[0];
  EXPECT_TRUE(i.complaint());
  EXPECT_TRUE(i.bad_complaint());
  EXPECT_TRUE(f.bad_complaint());
  EXPECT_EQ(i.raised_at, Ms("2024-01-03 09:00"));
  EXPECT_EQ(i.resolved_at, (std::vector<Millis>{Ms("2024-01-04 09:00"), Ms("2024-01-06 09:00")}));
  EXPECT_EQ(i.reopened_at, (std::vector<Millis>{Ms("2024-01-05 09:00")}));
  EXPECT_TRUE(i.resolved);
  EXPECT_FALSE(i.first_contact);
  EXPECT_TRUE(i.ever_reopened());
}

// Only QUALITY, QUANTITY, DAMAGE and DOCUMENTATION complaints spoil a perfect order.
TEST(KpiFactsTest, BadComplaintReasons) {
  for (const char* reason :
       {"QUALITY", "QUANTITY", "DAMAGE", "DOCUMENTATION", "LATE_DELIVERY", "SERVICE"}) {
    OrderFacts f =
        Fold({Event("2024-01-02 09:00", kPlaced),
              Event("2024-01-03 09:00",
                    std::string(R"(issue_raised { issue_id: "I1" category: CUSTOMER_COMPLAINT
                                   severity: MINOR complaint_reason: )") +
                        reason + " }")});
    bool bad = std::string_view(reason) != "LATE_DELIVERY" && std::string_view(reason) != "SERVICE";
    EXPECT_EQ(f.bad_complaint(), bad) << reason;
  }
}

// Contacts: only the earliest STATUS_UPDATE is kept; handoffs record each step once.
TEST(KpiFactsTest, ContactsAndHandoffs) {
  OrderFacts f = Fold({
      Event("2024-01-02 09:00", kPlaced),
      Event("2024-01-05 09:00", R"(customer_contacted { channel: EMAIL purpose: STATUS_UPDATE })"),
      Event("2024-01-03 09:00", R"(customer_contacted { channel: PHONE purpose: STATUS_UPDATE })"),
      Event("2024-01-02 10:00",
            R"(customer_contacted { channel: PHONE purpose: INQUIRY_RESPONSE })"),
      Event("2024-01-02 11:00", R"(handoff_requested { handoff_id: "H1" from_department: SALES
                                   to_department: QUALITY due_at { seconds: 1704448800 } })"),
      Event("2024-01-02 12:00", R"(handoff_acknowledged { handoff_id: "H1" })"),
      Event("2024-01-02 13:00", R"(handoff_acknowledged { handoff_id: "H1" })"),
      Event("2024-01-03 12:00", R"(handoff_completed { handoff_id: "H1" })"),
  });
  EXPECT_EQ(f.first_status_update, Ms("2024-01-03 09:00"));
  ASSERT_EQ(f.handoffs.size(), 1u);
  EXPECT_EQ(f.handoffs[0].requested_at, Ms("2024-01-02 11:00"));
  EXPECT_EQ(f.handoffs[0].due_at, Ms("2024-01-05 10:00"));
  EXPECT_EQ(f.handoffs[0].acked_at, Ms("2024-01-02 12:00"));
  EXPECT_EQ(f.handoffs[0].completed_at, Ms("2024-01-03 12:00"));
}

// Input the engine would reject (unknown ids, repeats, bad dates, absurd instants) is skipped.
TEST(KpiFactsTest, OddInputNeverCrashes) {
  v1::OrderEvent empty;
  v1::OrderEvent far = Event("2024-01-01 00:00", R"(feedback_received { rating: 9 })");
  far.mutable_occurred_at()->set_seconds(INT64_MAX);
  far.mutable_occurred_at()->set_nanos(-5);
  OrderFacts f = Fold({
      empty,
      Event("2024-01-02 09:00", R"(issue_resolved { issue_id: "nope" })"),
      Event("2024-01-02 09:00",
            R"(shipment_delivered { shipment_id: "nope" damaged_quantity: 3 })"),
      Event("2024-01-02 09:00", R"(handoff_completed { handoff_id: "nope" })"),
      Event("2024-01-02 09:00", kPlaced),
      Event("2024-01-02 10:00", R"(order_placed { customer_id: "other" })"),
      Event("2024-01-03 09:00", R"(order_confirmed { promised_date: "2024-02-30" })"),
      Event("2024-01-04 09:00", R"(order_confirmed { promised_date: "2024-01-20" })"),
      Event("2024-01-05 09:00", R"(issue_raised { issue_id: "I1" })"),
      Event("2024-01-05 10:00", R"(issue_raised { issue_id: "I1" category: QUALITY })"),
      far,
  });
  EXPECT_EQ(f.customer_id, "C1") << "a second order_placed is ignored";
  EXPECT_EQ(f.confirmed_at, Ms("2024-01-03 09:00")) << "the first confirmation counts";
  EXPECT_FALSE(f.commit_date.has_value()) << "2024-02-30 is no date";
  EXPECT_FALSE(f.damaged);
  ASSERT_EQ(f.issues.size(), 1u);
  EXPECT_EQ(f.issues[0].category, v1::IssueCategory::ISSUE_CATEGORY_UNSPECIFIED);
  ASSERT_EQ(f.feedbacks.size(), 1u);
  EXPECT_EQ(f.feedbacks[0].at, int64_t{253402300799} * 1000) << "clamped to year 9999";
}

// ---- Encoding ---------------------------------------------------------------------------------

OrderFacts FullFacts() {
  OrderFacts f;
  f.placed = true;
  f.cancelled = true;
  f.customer_id = "C1";
  f.merchandiser_id = "M-ü";
  f.supplier_id = std::string("F\x01", 2);
  f.placed_at = Ms("2024-01-02 09:00") + 123;
  f.confirmed_at = Ms("2024-01-01 09:00");  // before placed_at: negative offsets encode too
  f.commit_date = D("1969-07-20");
  f.completed_at = Ms("2024-03-02 09:00");
  f.lines = {{"L1", 10, 4}, {"L2", 5, 0}};
  f.shipments = {{"S1", {{"L1", 3}, {"L2", 5}}}, {"S2", {}}};
  f.entry_error = true;
  f.document_corrected = true;
  f.damaged = true;
  f.first_status_update = Ms("2024-01-04 09:00");
  f.feedbacks = {{Ms("2024-01-05 09:00"), 5}, {Ms("2024-01-06 09:00"), -3}};
  IssueFacts issue;
  issue.issue_id = "I1";
  issue.category = v1::IssueCategory::CUSTOMER_COMPLAINT;
  issue.severity = v1::IssueSeverity::CRITICAL;
  issue.complaint_reason = v1::ComplaintReason::SERVICE;
  issue.raised_at = Ms("2024-01-03 09:00");
  issue.resolved_at = {Ms("2024-01-04 09:00"), Ms("2024-01-06 09:00")};
  issue.reopened_at = {Ms("2024-01-05 09:00")};
  issue.resolved = true;
  issue.first_contact = true;
  f.issues = {issue, IssueFacts{}};
  f.handoffs = {
      {"H1", Ms("2024-01-02 10:00"), Ms("2024-01-03 10:00"), std::nullopt, Ms("2024-01-03 11:00")},
      {"H2", 0, std::nullopt, Ms("2024-01-02 10:00"), std::nullopt}};
  f.inspections = {{Ms("2024-01-07 09:00"), v1::InspectionStage::FINAL,
                    v1::InspectionResult::FAILED, 50, 5, "F2"},
                   {}};
  return f;
}

// Every field survives SerializeFacts → ParseFacts.
TEST(KpiFactsTest, SerializeRoundTrip) {
  for (const OrderFacts& f : {OrderFacts{}, FullFacts()}) {
    Result<OrderFacts> back = ParseFacts(SerializeFacts(f));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, f);
  }
  OrderFacts folded =
      Fold({Event("2024-01-02 09:00", kPlaced),
            Event("2024-01-03 09:00", R"(order_confirmed { promised_date: "2024-01-20" })")});
  Result<OrderFacts> back = ParseFacts(SerializeFacts(folded));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, folded);
}

// A truncated, extended or foreign encoding is a corrupt store: Fatal, never a crash.
TEST(KpiFactsTest, ParseRejectsCorruptBytes) {
  std::string bytes = SerializeFacts(FullFacts());
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<OrderFacts> r = ParseFacts(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes";
    EXPECT_EQ(r.status().code(), Status::Code::kFatal);
  }
  EXPECT_FALSE(ParseFacts(bytes + "x").ok());
  std::string other_version = bytes;
  other_version[0] = 9;
  EXPECT_FALSE(ParseFacts(other_version).ok());
  // Flipping any byte must not crash (it may still parse as different facts).
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0xff);
    (void)ParseFacts(flipped);
  }
}

// The encoding of a typical open order stays small.
TEST(KpiFactsTest, EncodingIsCompact) {
  OrderFacts f =
      Fold({Event("2024-01-02 09:00", kPlaced),
            Event("2024-01-03 09:00", R"(order_confirmed { promised_date: "2024-01-20" })")});
  EXPECT_LE(SerializeFacts(f).size(), 48u);
}

}  // namespace
}  // namespace gendan

// The KPI formulas of DOMAIN.md §5 end to end: events → facts → contributions → cells → query,
// with hand-computed values for every key, and retract/re-emit checked against recomputation.
#include "projections/kpi.h"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace gendan {
namespace {

using nlohmann::json;

Date D(std::string_view text) { return ParseDate(text).value_or(Date{}); }

// Seconds since the epoch of "YYYY-MM-DD HH:MM" in UTC.
int64_t Secs(std::string_view when) {
  std::optional<Date> d = ParseDate(when.substr(0, 10));
  EXPECT_TRUE(d.has_value() && when.size() == 16) << when;
  int hh = std::stoi(std::string(when.substr(11, 2))), mm = std::stoi(std::string(when.substr(14)));
  return d.value_or(Date{}).time_since_epoch().count() * 86400 + hh * 3600 + mm * 60;
}

// "due_at { seconds: ... }" for a handoff_requested text.
std::string DueAt(std::string_view when) {
  return "due_at { seconds: " + std::to_string(Secs(when)) + " }";
}

// One order's recorded events, written as payload text at UTC instants.
//
//   History("C1").Place("2024-01-02 09:00").Confirm("2024-01-02 15:00", "2024-01-20")
//                .Complete("2024-01-12 09:00");
class History {
 public:
  explicit History(std::string customer = "C1", std::string merchandiser = "M1",
                   std::string supplier = "F1")
      : customer_(std::move(customer)),
        merchandiser_(std::move(merchandiser)),
        supplier_(std::move(supplier)),
        id_("O" + std::to_string(++orders_)) {}

  History& Add(std::string_view when, std::string_view payload) {
    v1::OrderEvent& e = events.emplace_back();
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(std::string(payload), &e)) << payload;
    e.set_order_id(id_);
    e.set_event_id(id_ + "-" + std::to_string(events.size()));
    e.set_version(int64_t(events.size()));
    e.mutable_occurred_at()->set_seconds(Secs(when));
    return *this;
  }
  // order_placed with one line L1 of 10.
  History& Place(std::string_view when) {
    return Add(when, "order_placed { customer_id: '" + customer_ + "' merchandiser_id: '" +
                         merchandiser_ + "' supplier_id: '" + supplier_ +
                         "' lines { line_id: 'L1' sku: 'K' quantity: 10 } }");
  }
  History& Confirm(std::string_view when, std::string_view promised) {
    return Add(when, "order_confirmed { promised_date: '" + std::string(promised) + "' }");
  }
  // Dispatches what is left of L1 and delivers it at `when`: the order's completion.
  History& Complete(std::string_view when, int damaged = 0) {
    std::string s = "S" + std::to_string(++shipments_);
    Add(when, "shipment_dispatched { shipment_id: '" + s +
                  "' lines { line_id: 'L1' quantity: " + std::to_string(10 - shipped_) + " } }");
    shipped_ = 10;
    return Add(when, "shipment_delivered { shipment_id: '" + s +
                         "' damaged_quantity: " + std::to_string(damaged) + " }");
  }
  History& Amend(std::string_view when, std::string_view reason, std::string_view new_date) {
    return Add(when, "order_amended { reason: " + std::string(reason) + " new_promised_date: '" +
                         std::string(new_date) + "' }");
  }
  History& Cancel(std::string_view when) {
    return Add(when, "order_cancelled { reason: 'x' cancelled_by: CUSTOMER }");
  }
  // A complete, on-time, perfect order: placed 01-02 09:00, committed to 01-20, done 01-12.
  History& Perfect() {
    return Place("2024-01-02 09:00")
        .Confirm("2024-01-02 15:00", "2024-01-20")
        .Complete("2024-01-12 09:00");
  }

  OrderFacts Facts() const {
    OrderFacts f;
    for (const v1::OrderEvent& e : events) ApplyEvent(f, e);
    return f;
  }

  std::vector<v1::OrderEvent> events;

 private:
  static inline int orders_ = 0;
  std::string customer_, merchandiser_, supplier_, id_;
  int shipments_ = 0;
  int64_t shipped_ = 0;
};

// The cells of the orders, folded event by event through ApplyEventDelta as the projector does.
MemoryCellSource Project(const std::vector<History>& orders, const KpiOptions& options = {}) {
  MemoryCellSource source;
  for (const History& h : orders) {
    OrderFacts facts;
    for (const v1::OrderEvent& e : h.events) {
      CellMap delta;
      ApplyEventDelta(facts, e, options, &delta);
      source.Apply(delta);
    }
  }
  return source;
}

// The kpis object of the whole range [from, to], no groups.
json Kpis(const CellSource& source, std::string_view from, std::string_view to) {
  return RunKpiQuery(source, {D(from), D(to), std::nullopt, GroupKind::kNone})["series"][0]["kpis"];
}
json Kpis(const std::vector<History>& orders, std::string_view from = "2024-01-01",
          std::string_view to = "2024-01-31", const KpiOptions& options = {}) {
  return Kpis(Project(orders, options), from, to);
}

// "num/den" of a rate KPI.
std::string Rate(const json& kpis, std::string_view key) {
  const json& k = kpis[std::string(key)];
  return std::to_string(k["numerator"].get<int64_t>()) + "/" +
         std::to_string(k["denominator"].get<int64_t>());
}

// ---- Delivery KPIs ----------------------------------------------------------------------------

// OTIF and completion by commit date; on-time and perfect by completion date.
TEST(KpiTest, DeliveryRates) {
  std::vector<History> orders = {
      History().Perfect(),  // commit 01-20, completed 01-12: on time
      History()
          .Place("2024-01-03 09:00")
          .Confirm("2024-01-03 10:00", "2024-01-15")
          .Complete("2024-01-18 09:00"),                                              // late
      History().Place("2024-01-04 09:00").Confirm("2024-01-04 10:00", "2024-01-25"),  // open
      History().Place("2024-01-05 09:00").Complete("2024-01-20 09:00"),  // never confirmed
  };
  json jan = Kpis(orders);
  EXPECT_EQ(Rate(jan, "otif_rate"), "1/3");
  EXPECT_EQ(Rate(jan, "completion_rate"), "2/3");
  EXPECT_EQ(Rate(jan, "on_time_delivery_rate"), "1/2") << "no commit date: not counted";
  EXPECT_EQ(Rate(jan, "perfect_order_rate"), "1/3") << "no commit date: not perfect";
  EXPECT_DOUBLE_EQ(jan["otif_rate"]["value"].get<double>(), 1.0 / 3);

  json late_jan = Kpis(orders, "2024-01-16", "2024-01-31");
  EXPECT_EQ(Rate(late_jan, "otif_rate"), "1/2");  // commits 01-20 (hit), 01-25 (open)
  EXPECT_EQ(Rate(late_jan, "completion_rate"), "1/2");
  EXPECT_EQ(Rate(late_jan, "on_time_delivery_rate"), "0/1");  // completions 01-18, 01-20
  EXPECT_EQ(Rate(late_jan, "perfect_order_rate"), "0/2");
}

// A late delivery keeps the order an OTIF miss but counts for completion_rate.
TEST(KpiTest, LateDeliveryStaysOtifMiss) {
  History h;
  h.Place("2024-01-02 09:00").Confirm("2024-01-02 10:00", "2024-01-10");
  EXPECT_EQ(Rate(Kpis({h}), "otif_rate"), "0/1");
  EXPECT_EQ(Rate(Kpis({h}), "completion_rate"), "0/1");
  h.Complete("2024-02-03 09:00");
  EXPECT_EQ(Rate(Kpis({h}), "otif_rate"), "0/1");
  EXPECT_EQ(Rate(Kpis({h}), "completion_rate"), "1/1");
  EXPECT_EQ(Rate(Kpis({h}, "2024-02-01", "2024-02-29"), "on_time_delivery_rate"), "0/1");
}

// Perfect needs no correction, no damage and no bad complaint, even one raised later.
TEST(KpiTest, PerfectOrderAndLateComplaint) {
  History corrected = History().Perfect();
  corrected.Add("2024-01-03 09:00", "document_issued { document_id: 'D1' document_type: CONTRACT }")
      .Add("2024-01-04 09:00", "document_corrected { document_id: 'D1' reason: 'typo' }");
  History damaged;
  damaged.Place("2024-01-02 09:00")
      .Confirm("2024-01-02 15:00", "2024-01-20")
      .Complete("2024-01-12 09:00", /*damaged=*/1);
  History served = History().Perfect();
  served.Add("2024-01-14 09:00",
             "issue_raised { issue_id: 'I1' category: CUSTOMER_COMPLAINT "
             "severity: MINOR complaint_reason: SERVICE }");
  History later = History().Perfect();
  std::vector<History> orders = {History().Perfect(), corrected, damaged, served, later};
  EXPECT_EQ(Rate(Kpis(orders), "perfect_order_rate"), "3/5");

  // A QUALITY complaint in February revises January's perfect_order_rate.
  orders.back().Add("2024-02-03 09:00",
                    "issue_raised { issue_id: 'I1' category: "
                    "CUSTOMER_COMPLAINT severity: MAJOR complaint_reason: QUALITY }");
  EXPECT_EQ(Rate(Kpis(orders), "perfect_order_rate"), "2/5");
  EXPECT_EQ(Rate(Kpis(orders), "on_time_delivery_rate"), "5/5");
}

// Accuracy by placed date: ENTRY_ERROR amendments and document corrections spoil it.
TEST(KpiTest, OrderAccuracy) {
  std::vector<History> orders = {
      History().Place("2024-01-02 09:00"),
      History().Place("2024-01-02 09:00").Amend("2024-01-03 09:00", "ENTRY_ERROR", "2024-01-20"),
      History()
          .Place("2024-01-02 09:00")
          .Add("2024-01-03 09:00", "document_issued { document_id: 'D1' document_type: CONTRACT }")
          .Add("2024-01-04 09:00", "document_corrected { document_id: 'D1' reason: 'typo' }"),
      History()
          .Place("2024-01-02 09:00")
          .Amend("2024-01-03 09:00", "SUPPLY_CONSTRAINT", "2024-01-20"),
      History().Place("2024-02-02 09:00"),
  };
  EXPECT_EQ(Rate(Kpis(orders), "order_accuracy_rate"), "2/4");
}

// confirmation_hours and cycle_time_days: count, exact mean, nearest-rank p50/p90.
TEST(KpiTest, ConfirmationAndCycleTime) {
  std::vector<History> orders = {
      History()
          .Place("2024-01-02 09:00")
          .Confirm("2024-01-02 15:00", "2024-01-20")  // 6 h
          .Complete("2024-01-12 09:00"),              // 10 d
      History()
          .Place("2024-01-03 09:00")
          .Confirm("2024-01-04 09:00", "2024-01-20")                                  // 24 h
          .Complete("2024-01-05 21:00"),                                              // 2.5 d
      History().Place("2024-01-04 00:00").Confirm("2024-01-04 12:00", "2024-01-20"),  // 12 h
  };
  json jan = Kpis(orders);
  EXPECT_EQ(jan["confirmation_hours"],
            json({{"count", 3}, {"mean", 14.0}, {"p50", 12.0}, {"p90", 24.0}}));
  const json& cycle = jan["cycle_time_days"];
  EXPECT_EQ(cycle["count"], 2);
  EXPECT_DOUBLE_EQ(cycle["mean"].get<double>(), 6.25);
  EXPECT_NEAR(cycle["p50"].get<double>(), 2.5, 0.025);
  EXPECT_DOUBLE_EQ(cycle["p90"].get<double>(), 10.0);
}

// ---- Customer KPIs ----------------------------------------------------------------------------

// csat and rating count each feedback at its own date.
TEST(KpiTest, CsatAndRating) {
  History a = History().Place("2024-01-02 09:00");
  for (int rating : {5, 4, 2}) {
    a.Add("2024-01-10 09:00", "feedback_received { rating: " + std::to_string(rating) + " }");
  }
  History b = History().Place("2024-01-02 09:00");
  b.Add("2024-01-11 09:00", "feedback_received { rating: 3 }")
      .Add("2024-01-12 09:00", "feedback_received { rating: 5 }")
      .Add("2024-02-01 09:00", "feedback_received { rating: 1 }");
  json jan = Kpis({a, b});
  EXPECT_EQ(Rate(jan, "csat"), "3/5");
  EXPECT_EQ(jan["rating"], json({{"count", 5}, {"mean", 3.8}, {"p50", 4.0}, {"p90", 5.0}}));
}

// complaint_rate: CUSTOMER_COMPLAINT issues by raise date ÷ completions by completion date.
TEST(KpiTest, ComplaintRate) {
  const char* complaint =
      "issue_raised { issue_id: 'K1' category: CUSTOMER_COMPLAINT "
      "severity: MINOR complaint_reason: SERVICE }";
  History a = History().Perfect();  // completed 01-12
  a.Add("2024-01-14 09:00", complaint);
  History b = History().Place("2024-01-02 09:00").Complete("2024-01-15 09:00");
  b.Add("2024-01-10 09:00",
        "issue_raised { issue_id: 'X' category: LOGISTICS_DELAY severity: MINOR }");
  History c = History().Place("2024-01-02 09:00");
  c.Add("2024-01-10 09:00", complaint);  // never completed, still a complaint
  History d = History().Place("2024-01-02 09:00").Complete("2024-01-05 09:00");
  std::vector<History> orders = {a, b, c, d};
  EXPECT_EQ(Rate(Kpis(orders), "complaint_rate"), "2/3");
  EXPECT_EQ(Rate(Kpis(orders, "2024-01-13", "2024-01-31"), "complaint_rate"), "1/1");
  EXPECT_EQ(Rate(Kpis(orders, "2024-01-01", "2024-01-11"), "complaint_rate"), "1/1");
}

// proactive_update_rate: a STATUS_UPDATE contact strictly before completion.
TEST(KpiTest, ProactiveUpdate) {
  auto contact = [](std::string_view purpose) {
    return "customer_contacted { channel: EMAIL purpose: " + std::string(purpose) + " }";
  };
  History a = History().Place("2024-01-02 09:00");
  a.Add("2024-01-05 09:00", contact("STATUS_UPDATE")).Complete("2024-01-12 09:00");
  History b = History().Place("2024-01-02 09:00");
  b.Add("2024-01-05 09:00", contact("INQUIRY_RESPONSE")).Complete("2024-01-12 09:00");
  History c = History().Place("2024-01-02 09:00").Complete("2024-01-12 09:00");
  c.Add("2024-01-13 09:00", contact("STATUS_UPDATE"));
  History d = History().Place("2024-01-02 09:00");
  d.Add("2024-01-12 09:00", contact("STATUS_UPDATE")).Complete("2024-01-12 09:00");  // same instant
  History e = History().Place("2024-01-02 09:00");
  e.Add("2024-01-05 09:00", contact("STATUS_UPDATE"));  // not completed
  EXPECT_EQ(Rate(Kpis({a, b, c, d, e}), "proactive_update_rate"), "1/4");
}

// ---- Issue KPIs -------------------------------------------------------------------------------

std::string Raise(std::string_view id, std::string_view severity,
                  std::string_view category = "QUALITY") {
  std::string text = "issue_raised { issue_id: '" + std::string(id) +
                     "' category: " + std::string(category) + " severity: " + std::string(severity);
  if (category == "CUSTOMER_COMPLAINT") text += " complaint_reason: QUALITY";
  return text + " }";
}
std::string Resolve(std::string_view id, bool first_contact = false) {
  return "issue_resolved { issue_id: '" + std::string(id) +
         "' first_contact: " + (first_contact ? "true" : "false") + " }";
}
std::string Reopen(std::string_view id) {
  return "issue_reopened { issue_id: '" + std::string(id) + "' }";
}

// Resolution time and SLA count issues resolved now, at their last resolution; reopen rate
// counts every reopen over every resolve.
TEST(KpiTest, IssueResolutionSlaAndReopen) {
  History h = History().Place("2024-01-01 00:00");
  h.Add("2024-01-02 00:00", Raise("I1", "MAJOR"))
      .Add("2024-01-02 00:00", Raise("I2", "CRITICAL"))
      .Add("2024-01-02 00:00", Raise("I3", "MINOR"))
      .Add("2024-01-02 00:00", Raise("I4", "MINOR"))
      .Add("2024-01-03 12:00", Resolve("I1"))  // 36 h ≤ 72: within SLA
      .Add("2024-01-03 06:00", Resolve("I2"))  // 30 h > 24: breach
      .Add("2024-01-04 00:00", Resolve("I3"))  // reopened below: not counted
      .Add("2024-01-05 00:00", Reopen("I3"))
      .Add("2024-01-03 00:00", Resolve("I4"))
      .Add("2024-01-04 00:00", Reopen("I4"))
      .Add("2024-01-10 00:00", Resolve("I4"));  // 192 h > 168: breach, counted on 01-10
  json jan = Kpis({h});
  EXPECT_EQ(jan["issue_resolution_hours"],
            json({{"count", 3}, {"mean", 86.0}, {"p50", 36.0}, {"p90", 192.0}}));
  EXPECT_EQ(Rate(jan, "issue_sla_rate"), "1/3");
  EXPECT_EQ(Rate(jan, "issue_reopen_rate"), "2/5");

  json later = Kpis({h}, "2024-01-04", "2024-01-31");
  EXPECT_EQ(later["issue_resolution_hours"]["count"], 1);
  EXPECT_EQ(Rate(later, "issue_sla_rate"), "0/1");
  EXPECT_EQ(Rate(later, "issue_reopen_rate"), "2/2");
}

// SLAs are configurable per severity; exactly at the SLA is within it.
TEST(KpiTest, IssueSlaOptions) {
  History h = History().Place("2024-01-01 00:00");
  h.Add("2024-01-02 00:00", Raise("I1", "CRITICAL")).Add("2024-01-03 00:00", Resolve("I1"));
  EXPECT_EQ(Rate(Kpis({h}), "issue_sla_rate"), "1/1");
  KpiOptions strict;
  strict.sla_critical = std::chrono::hours(12);
  EXPECT_EQ(Rate(Kpis({h}, "2024-01-01", "2024-01-31", strict), "issue_sla_rate"), "0/1");
}

// FCR: resolved complaints; first_contact on the last resolution and never reopened.
TEST(KpiTest, FirstContactResolution) {
  History h = History().Place("2024-01-01 00:00");
  h.Add("2024-01-02 00:00", Raise("K1", "MINOR", "CUSTOMER_COMPLAINT"))
      .Add("2024-01-02 00:00", Raise("K2", "MINOR", "CUSTOMER_COMPLAINT"))
      .Add("2024-01-02 00:00", Raise("K3", "MINOR", "CUSTOMER_COMPLAINT"))
      .Add("2024-01-02 00:00", Raise("K4", "MINOR", "CUSTOMER_COMPLAINT"))
      .Add("2024-01-02 00:00", Raise("Q1", "MINOR"))
      .Add("2024-01-03 00:00", Resolve("K1", true))   // hit
      .Add("2024-01-03 00:00", Resolve("K2", false))  // miss
      .Add("2024-01-03 00:00", Resolve("K3", true))
      .Add("2024-01-04 00:00", Reopen("K3"))
      .Add("2024-01-05 00:00", Resolve("K3", true))  // miss: reopened once
      .Add("2024-01-03 00:00", Resolve("K4", true))
      .Add("2024-01-04 00:00", Reopen("K4"))          // open now: not counted
      .Add("2024-01-03 00:00", Resolve("Q1", true));  // not a complaint
  json jan = Kpis({h});
  EXPECT_EQ(Rate(jan, "first_contact_resolution_rate"), "1/3");
  EXPECT_EQ(jan["issue_resolution_hours"]["count"], 4);
}

// ---- Handoffs and inspections -----------------------------------------------------------------

// Ack hours by ack date; on-time by due date, completed no later than due_at.
TEST(KpiTest, Handoffs) {
  auto request = [](std::string_view id, std::string_view due) {
    return "handoff_requested { handoff_id: '" + std::string(id) +
           "' from_department: SALES to_department: QUALITY " + DueAt(due) + " }";
  };
  auto step = [](std::string_view what, std::string_view id) {
    return "handoff_" + std::string(what) + " { handoff_id: '" + std::string(id) + "' }";
  };
  History h = History().Place("2024-01-01 00:00");
  h.Add("2024-01-02 09:00", request("H1", "2024-01-03 09:00"))
      .Add("2024-01-02 11:00", step("acknowledged", "H1"))  // 2 h
      .Add("2024-01-03 09:00", step("completed", "H1"))     // at due_at: on time
      .Add("2024-01-02 09:00", request("H2", "2024-01-04 09:00"))
      .Add("2024-01-03 09:00", step("acknowledged", "H2"))         // 24 h
      .Add("2024-01-04 10:00", step("completed", "H2"))            // late
      .Add("2024-01-02 09:00", request("H3", "2024-01-20 12:00"))  // never done
      .Add("2024-01-02 09:00", request("H4", "2024-02-01 12:00"))
      .Add("2024-01-02 10:00", step("completed", "H4"));  // February's, without an ack
  json jan = Kpis({h});
  EXPECT_EQ(jan["handoff_ack_hours"],
            json({{"count", 2}, {"mean", 13.0}, {"p50", 2.0}, {"p90", 24.0}}));
  EXPECT_EQ(Rate(jan, "handoff_on_time_rate"), "1/3");
  EXPECT_EQ(Rate(Kpis({h}, "2024-01-04", "2024-01-31"), "handoff_on_time_rate"), "0/2");
  EXPECT_EQ(Rate(Kpis({h}, "2024-02-01", "2024-02-29"), "handoff_on_time_rate"), "1/1");
}

std::string Inspect(std::string_view stage, std::string_view result, int inspected, int defective,
                    std::string_view supplier = "") {
  return "inspection_recorded { inspection_id: 'X' stage: " + std::string(stage) +
         " result: " + std::string(result) + " inspected_quantity: " + std::to_string(inspected) +
         " defective_quantity: " + std::to_string(defective) + " supplier_id: '" +
         std::string(supplier) + "' }";
}

// Pass rate over FINAL inspections, first pass yield per order, defect ppm over all stages;
// grouped by the inspection's supplier.
TEST(KpiTest, Inspections) {
  History a("C1", "M1", "F1");
  a.Place("2024-01-02 09:00")
      .Add("2024-01-05 09:00", Inspect("INCOMING", "PASSED", 100, 2))
      .Add("2024-01-08 09:00", Inspect("FINAL", "FAILED", 50, 5))
      .Add("2024-01-09 09:00", Inspect("FINAL", "PASSED", 50, 0));
  History b("C2", "M1", "F1");
  b.Place("2024-01-02 09:00").Add("2024-01-10 09:00", Inspect("FINAL", "PASSED", 200, 1, "F2"));
  MemoryCellSource source = Project({a, b});
  json jan = Kpis(source, "2024-01-01", "2024-01-31");
  EXPECT_EQ(Rate(jan, "inspection_pass_rate"), "2/3");
  EXPECT_EQ(Rate(jan, "first_pass_yield"), "1/2");
  EXPECT_EQ(jan["defect_ppm"], json({{"value", 20000.0}, {"numerator", 8}, {"denominator", 400}}));

  json by_supplier =
      RunKpiQuery(source, {D("2024-01-01"), D("2024-01-31"), std::nullopt, GroupKind::kSupplier});
  ASSERT_EQ(by_supplier["series"].size(), 2u);
  const json& f1 = by_supplier["series"][0];
  const json& f2 = by_supplier["series"][1];
  EXPECT_EQ(f1["group"], "F1");
  EXPECT_EQ(Rate(f1["kpis"], "inspection_pass_rate"), "1/2");
  EXPECT_EQ(Rate(f1["kpis"], "first_pass_yield"), "0/1");
  EXPECT_EQ(Rate(f1["kpis"], "defect_ppm"), "7/200");
  EXPECT_EQ(Rate(f1["kpis"], "order_accuracy_rate"), "2/2") << "order KPIs: the order's supplier";
  EXPECT_EQ(f2["group"], "F2");
  EXPECT_EQ(Rate(f2["kpis"], "inspection_pass_rate"), "1/1");
  EXPECT_EQ(Rate(f2["kpis"], "first_pass_yield"), "1/1");
  EXPECT_DOUBLE_EQ(f2["kpis"]["defect_ppm"]["value"].get<double>(), 5000.0);
  EXPECT_EQ(Rate(f2["kpis"], "order_accuracy_rate"), "0/0");
}

// The first FINAL inspection is the earliest by occurred_at, even when recorded later.
TEST(KpiTest, FirstPassYieldUsesBusinessTime) {
  History h = History().Place("2024-01-02 09:00");
  h.Add("2024-01-09 09:00", Inspect("FINAL", "PASSED", 10, 0));
  EXPECT_EQ(Rate(Kpis({h}), "first_pass_yield"), "1/1");
  h.Add("2024-01-08 09:00", Inspect("FINAL", "FAILED", 10, 3));
  EXPECT_EQ(Rate(Kpis({h}), "first_pass_yield"), "0/1");
  EXPECT_EQ(Rate(Kpis({h}, "2024-01-09", "2024-01-31"), "first_pass_yield"), "0/0");
}

// ---- Lifecycle rules --------------------------------------------------------------------------

// A cancelled order counts nowhere, and its cancellation retracts what it had counted.
TEST(KpiTest, CancelledOrdersAreExcluded) {
  History kept = History().Perfect();
  History cancelled = History().Place("2024-01-02 09:00").Confirm("2024-01-02 10:00", "2024-01-20");
  cancelled.Add("2024-01-03 09:00", "feedback_received { rating: 1 }")
      .Add("2024-01-03 09:00", Raise("I1", "MINOR", "CUSTOMER_COMPLAINT"))
      .Add("2024-01-04 09:00", Inspect("INCOMING", "FAILED", 10, 10));
  EXPECT_NE(DescribeCells(Project({kept, cancelled}).cells()),
            DescribeCells(Project({kept}).cells()));
  cancelled.Cancel("2024-01-05 09:00");
  EXPECT_EQ(DescribeCells(Project({kept, cancelled}).cells()),
            DescribeCells(Project({kept}).cells()));
  EXPECT_TRUE(Contributions(cancelled.Facts(), {}).empty());
}

// Facts without order_placed contribute nothing.
TEST(KpiTest, UnplacedOrderContributesNothing) {
  History h;
  h.Add("2024-01-03 09:00", "feedback_received { rating: 5 }");
  EXPECT_TRUE(Contributions(h.Facts(), {}).empty());
}

// CUSTOMER_REQUEST and ENTRY_ERROR move the commit period; SUPPLY_CONSTRAINT and OTHER do not;
// an amendment before confirmation sets none.
TEST(KpiTest, CommitDateMovesPeriods) {
  auto commit_counts = [](const History& h) {
    return Rate(Kpis({h}), "otif_rate") + " " +
           Rate(Kpis({h}, "2024-02-01", "2024-02-29"), "otif_rate");
  };
  auto confirmed = [] {
    return History().Place("2024-01-02 09:00").Confirm("2024-01-02 10:00", "2024-01-20");
  };
  EXPECT_EQ(commit_counts(confirmed()), "0/1 0/0");
  EXPECT_EQ(commit_counts(confirmed().Amend("2024-01-05 09:00", "CUSTOMER_REQUEST", "2024-02-10")),
            "0/0 0/1");
  EXPECT_EQ(commit_counts(confirmed().Amend("2024-01-05 09:00", "ENTRY_ERROR", "2024-02-10")),
            "0/0 0/1");
  EXPECT_EQ(commit_counts(confirmed().Amend("2024-01-05 09:00", "SUPPLY_CONSTRAINT", "2024-02-10")),
            "0/1 0/0");
  EXPECT_EQ(commit_counts(confirmed().Amend("2024-01-05 09:00", "OTHER", "2024-02-10")), "0/1 0/0");

  History early = History().Place("2024-01-02 09:00");
  early.Amend("2024-01-03 09:00", "CUSTOMER_REQUEST", "2024-01-25");
  EXPECT_EQ(commit_counts(early), "0/0 0/0");
  early.Confirm("2024-01-05 09:00", "2024-02-05");
  EXPECT_EQ(commit_counts(early), "0/0 0/1");

  // Moving the commitment later turns a late delivery into an on-time one.
  History moved = confirmed().Complete("2024-01-25 09:00");
  EXPECT_EQ(Rate(Kpis({moved}), "on_time_delivery_rate"), "0/1");
  moved.Amend("2024-01-26 09:00", "CUSTOMER_REQUEST", "2024-01-28");
  EXPECT_EQ(Rate(Kpis({moved}), "on_time_delivery_rate"), "1/1");
  EXPECT_EQ(Rate(Kpis({moved}), "otif_rate"), "1/1");
}

// Dates are business dates: at +08:00, 16:00 UTC is the next day's midnight.
TEST(KpiTest, BusinessTimeZoneBoundaries) {
  KpiOptions plus8;
  plus8.offset = UtcOffset::FromMinutes(8 * 60);
  History placed_late = History().Place("2024-01-31 16:30");  // 2024-02-01 00:30 local
  EXPECT_EQ(Rate(Kpis({placed_late}, "2024-01-01", "2024-01-31", plus8), "order_accuracy_rate"),
            "0/0");
  EXPECT_EQ(Rate(Kpis({placed_late}, "2024-02-01", "2024-02-29", plus8), "order_accuracy_rate"),
            "1/1");
  EXPECT_EQ(Rate(Kpis({placed_late}, "2024-01-01", "2024-01-31"), "order_accuracy_rate"), "1/1");

  History just_in = History().Place("2024-02-01 09:00").Confirm("2024-02-01 10:00", "2024-02-29");
  just_in.Complete("2024-02-29 15:59");  // 23:59 local
  History just_late = History().Place("2024-02-01 09:00").Confirm("2024-02-01 10:00", "2024-02-29");
  just_late.Complete("2024-02-29 16:00");  // 2024-03-01 00:00 local
  EXPECT_EQ(Rate(Kpis({just_in, just_late}, "2024-02-01", "2024-02-29", plus8), "otif_rate"),
            "1/2");
  EXPECT_EQ(Rate(Kpis({just_in, just_late}, "2024-02-01", "2024-02-29"), "otif_rate"), "2/2");
  EXPECT_EQ(
      Rate(Kpis({just_in, just_late}, "2024-03-01", "2024-03-31", plus8), "on_time_delivery_rate"),
      "0/1");
}

// Order KPIs group by the order's merchandiser, customer and supplier.
TEST(KpiTest, GroupByOrderParties) {
  MemoryCellSource source =
      Project({History("C1", "M1", "F1").Perfect(), History("C2", "M1", "F2").Perfect(),
               History("C2", "M2", "F2").Place("2024-01-03 09:00")});
  auto groups = [&](GroupKind kind) {
    std::string out;
    json r = RunKpiQuery(source, {D("2024-01-01"), D("2024-01-31"), std::nullopt, kind});
    for (const json& e : r["series"]) {
      out += e["group"].get<std::string>() + "=" + Rate(e["kpis"], "order_accuracy_rate") + "," +
             Rate(e["kpis"], "otif_rate") + " ";
    }
    return out;
  };
  EXPECT_EQ(groups(GroupKind::kMerchandiser), "M1=2/2,2/2 M2=1/1,0/0 ");
  EXPECT_EQ(groups(GroupKind::kCustomer), "C1=1/1,1/1 C2=2/2,1/1 ");
  EXPECT_EQ(groups(GroupKind::kSupplier), "F1=1/1,1/1 F2=2/2,1/1 ");
}

// ---- Retract and re-emit ----------------------------------------------------------------------

// A random but plausible history for one order, with some events reported late (occurred_at
// before earlier-recorded events).
History RandomHistory(std::mt19937_64& rng) {
  static const std::vector<std::string> parties = {"A", "B", "C"};
  History h("C" + parties[rng() % 3], "M" + parties[rng() % 3], "F" + parties[rng() % 3]);
  int64_t t = Secs("2024-01-01 00:00") + int64_t(rng() % 40) * 86400;
  auto when = [&] {
    t += int64_t(rng() % 40) * 3600 + 60;
    int64_t at = rng() % 8 == 0 ? t - int64_t(rng() % 72) * 3600 : t;  // a late report
    auto date = FormatDate(Date(std::chrono::days(at / 86400)));
    char buf[16];
    std::snprintf(buf, sizeof buf, " %02d:%02d", int(at % 86400 / 3600), int(at % 3600 / 60));
    return date + buf;
  };
  auto date = [&] { return FormatDate(D("2024-01-10") + std::chrono::days(rng() % 60)); };
  static const std::vector<std::string> reasons = {"CUSTOMER_REQUEST", "ENTRY_ERROR",
                                                   "SUPPLY_CONSTRAINT", "OTHER"};
  static const std::vector<std::string> severities = {"CRITICAL", "MAJOR", "MINOR"};
  static const std::vector<std::string> categories = {"QUALITY", "CUSTOMER_COMPLAINT",
                                                      "LOGISTICS_DELAY"};
  h.Place(when());
  bool shipped = false;
  int issues = 0, handoffs = 0;
  for (int step = 0, steps = int(rng() % 25); step < steps; ++step) {
    switch (rng() % 14) {
      case 0: h.Confirm(when(), date()); break;
      case 1: h.Amend(when(), reasons[rng() % 4], date()); break;
      case 2:
        if (!shipped) h.Complete(when(), rng() % 4 == 0 ? 1 : 0);
        shipped = true;
        break;
      case 3: h.Add(when(), "document_corrected { document_id: 'D' }"); break;
      case 4:
        h.Add(when(), "customer_contacted { channel: EMAIL purpose: " +
                          std::string(rng() % 2 ? "STATUS_UPDATE" : "OTHER") + " }");
        break;
      case 5:
        h.Add(when(), "feedback_received { rating: " + std::to_string(1 + rng() % 5) + " }");
        break;
      case 6:
        h.Add(when(),
              Raise("I" + std::to_string(issues++), severities[rng() % 3], categories[rng() % 3]));
        break;
      case 7: h.Add(when(), Resolve("I" + std::to_string(rng() % 3), rng() % 2)); break;
      case 8: h.Add(when(), Reopen("I" + std::to_string(rng() % 3))); break;
      case 9:
        h.Add(when(), "handoff_requested { handoff_id: 'H" + std::to_string(handoffs++) + "' " +
                          DueAt(when()) + " }");
        break;
      case 10:
        h.Add(when(), std::string(rng() % 2 ? "handoff_acknowledged" : "handoff_completed") +
                          " { handoff_id: 'H" + std::to_string(rng() % 2) + "' }");
        break;
      case 11:
        h.Add(when(), Inspect(rng() % 2 ? "FINAL" : "INLINE", rng() % 3 ? "PASSED" : "FAILED", 100,
                              int(rng() % 5), rng() % 3 ? "" : "FZ"));
        break;
      case 12:
        if (rng() % 5 == 0 && !shipped) h.Cancel(when());
        break;
      default: h.Add(when(), "order_held { reason: 'x' }"); break;
    }
  }
  return h;
}

// Applying events one by one (retract old contributions, add new) yields exactly the cells
// computed from the final facts, with no empty cells left behind; Delta agrees at every step.
TEST(KpiTest, RetractAndReemitLeavesNoResidue) {
  std::mt19937_64 rng(2024);
  KpiOptions options;
  options.offset = UtcOffset::FromMinutes(8 * 60);
  std::vector<History> orders;
  for (int i = 0; i < 300; ++i) orders.push_back(RandomHistory(rng));

  // Incremental, with the orders' events interleaved as a partition would mix them.
  MemoryCellSource incremental;
  std::vector<OrderFacts> facts(orders.size());
  std::vector<size_t> next(orders.size(), 0);
  size_t remaining = 0;
  for (const History& h : orders) remaining += h.events.size();
  for (; remaining > 0; --remaining) {
    size_t o = rng() % orders.size();
    while (next[o] == orders[o].events.size()) o = (o + 1) % orders.size();
    const OrderFacts before = facts[o];
    CellMap delta;
    ApplyEventDelta(facts[o], orders[o].events[next[o]++], options, &delta);
    ASSERT_EQ(DescribeCells(delta), DescribeCells(Delta(before, facts[o], options)));
    for (const auto& [key, cell] : delta) ASSERT_FALSE(cell.Empty()) << Describe(key);
    incremental.Apply(delta);
  }

  // From scratch: every order's final contributions, added once.
  CellMap scratch;
  for (size_t o = 0; o < orders.size(); ++o) {
    ASSERT_EQ(facts[o], orders[o].Facts());
    AddContributions(Contributions(facts[o], options), facts[o], +1, &scratch);
  }
  AddMonthRollups(&scratch);  // the source keeps month rollups beside the day cells
  EXPECT_FALSE(scratch.empty());
  EXPECT_GT(scratch.size(), 1000u) << "the histories exercise many cells";
  EXPECT_EQ(DescribeCells(incremental.cells()), DescribeCells(scratch));
  EXPECT_EQ(incremental.cells(), scratch);
  for (const auto& [key, cell] : incremental.cells()) EXPECT_FALSE(cell.Empty()) << Describe(key);

  // Cancelling every order retracts everything, to the last cell.
  for (size_t o = 0; o < orders.size(); ++o) {
    v1::OrderEvent cancel;
    cancel.mutable_order_cancelled()->set_reason("x");
    CellMap delta;
    ApplyEventDelta(facts[o], cancel, options, &delta);
    incremental.Apply(delta);
  }
  EXPECT_TRUE(incremental.cells().empty()) << DescribeCells(incremental.cells());
}

// The day cells of a source, without its month rollups: the query's plain path.
class DayCellsOnly : public CellSource {
 public:
  explicit DayCellsOnly(const CellSource& source) : source_(source) {}
  void Scan(GroupKind kind, Date from, Date to,
            const std::function<void(const CellKey&, const Cell&)>& fn) const override {
    source_.Scan(kind, from, to, fn);
  }

 private:
  const CellSource& source_;
};

// Month rollups are the sums of their days: every query answers the same from them (whole
// months) as from day cells alone, for ranges that start and end anywhere in a month.
TEST(KpiTest, MonthRollupsAnswerLikeDayCells) {
  std::mt19937_64 rng(77);
  std::vector<History> orders;
  for (int i = 0; i < 200; ++i) orders.push_back(RandomHistory(rng));
  MemoryCellSource source = Project(orders);
  DayCellsOnly days(source);
  size_t rollup_cells = 0;
  for (const auto& [key, cell] : source.cells()) rollup_cells += key.month;
  ASSERT_GT(rollup_cells, 50u);
  const Date base = *ParseDate("2023-11-01");
  std::vector<std::optional<Bucket>> buckets = {std::nullopt, Bucket::kMonth, Bucket::kWeek,
                                                Bucket::kDay};
  int compared = 0;
  for (int i = 0; i < 120; ++i) {
    KpiQuery q;
    q.from = base + std::chrono::days(static_cast<int>(rng() % 200));
    q.to = q.from + std::chrono::days(static_cast<int>(rng() % 500));
    q.bucket = buckets[rng() % buckets.size()];
    q.group_by = kAllGroupKinds[rng() % kAllGroupKinds.size()];
    if (i == 0) {  // whole months exactly
      q.from = *ParseDate("2024-01-01");
      q.to = *ParseDate("2024-12-31");
    }
    EXPECT_EQ(RunKpiQuery(source, q).dump(), RunKpiQuery(days, q).dump())
        << FormatDate(q.from) << ".." << FormatDate(q.to);
    ++compared;
  }
  EXPECT_EQ(compared, 120);
}

// Delta equals the naive sum: after's contributions added, before's retracted.
TEST(KpiTest, DeltaMatchesNaiveDifference) {
  std::mt19937_64 rng(99);
  for (int i = 0; i < 100; ++i) {
    History h = RandomHistory(rng);
    OrderFacts before, after;
    size_t cut = rng() % (h.events.size() + 1);
    for (size_t e = 0; e < h.events.size(); ++e) {
      if (e < cut) ApplyEvent(before, h.events[e]);
      ApplyEvent(after, h.events[e]);
    }
    CellMap naive;
    AddContributions(Contributions(after, {}), after, +1, &naive);
    AddContributions(Contributions(before, {}), before, -1, &naive);
    EXPECT_EQ(DescribeCells(Delta(before, after, {})), DescribeCells(naive));
  }
}

}  // namespace
}  // namespace gendan

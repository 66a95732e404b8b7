#include "simulator/simulator.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/decide.h"
#include "engine/describe.h"

namespace gendan::sim {
namespace {

using v1::InboundEvent;
using v1::RejectionReason;

std::vector<SimEvent> Book(const SimOptions& options) {
  Simulator sim(options);
  std::vector<SimEvent> out;
  SimEvent e;
  while (sim.Next(&e)) out.push_back(e);
  return out;
}

SimOptions Small(uint64_t seed) {
  SimOptions o;
  o.seed = seed;
  o.orders = 400;
  o.business_days = 80;
  return o;
}

// What the engine core makes of a book, event by event, in log order.
struct Verdicts {
  int64_t accepted = 0, rejected = 0, duplicates = 0;
  std::vector<std::string> failures;  // the first few mismatches, readable
};

Verdicts RunThroughEngine(const std::vector<SimEvent>& book) {
  DecideOptions options;
  options.now = std::chrono::system_clock::time_point(std::chrono::seconds(4102444800));  // 2100
  std::unordered_map<std::string, OrderState> states;
  Verdicts v;
  for (const SimEvent& e : book) {
    OrderState& state = states[e.event.order_id()];
    Decision d = Decide(state, e.event, options);
    std::string got;
    if (auto* a = std::get_if<Accepted>(&d)) {
      ++v.accepted;
      if (a->event.version() != state.version.value() + 1) got = "wrong version";
      Evolve(state, a->event);
      if (!e.valid()) got = "accepted";
    } else if (auto* r = std::get_if<Rejected>(&d)) {
      ++v.rejected;
      if (e.valid()) {
        got = "rejected " + RejectionReason::Value_Name(r->reason) + ": " + r->message;
      } else if (r->reason != e.expected) {
        got = "rejected " + RejectionReason::Value_Name(r->reason) + " instead of " +
              RejectionReason::Value_Name(e.expected) + ": " + r->message;
      }
    } else {
      ++v.duplicates;
      got = "duplicate";
    }
    if (!got.empty() && v.failures.size() < 5) {
      v.failures.push_back(e.event.ShortDebugString() + " -> " + got);
    }
  }
  return v;
}

// Invariant: the same options give the same book, byte for byte; another seed another book.
TEST(SimulatorTest, SameSeedSameBook) {
  std::vector<SimEvent> a = Book(Small(7)), b = Book(Small(7)), c = Book(Small(8));
  ASSERT_EQ(a.size(), b.size());
  ASSERT_GT(a.size(), 1000u);
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].event.SerializeAsString(), b[i].event.SerializeAsString()) << "event " << i;
    ASSERT_EQ(a[i].expected, b[i].expected);
  }
  size_t same = 0;
  for (size_t i = 0; i < std::min(a.size(), c.size()); ++i)
    same += a[i].event.SerializeAsString() == c[i].event.SerializeAsString();
  EXPECT_LT(same, a.size() / 10);
}

// Invariant: every fact the simulator calls valid is accepted by Decide, in the order emitted.
TEST(SimulatorTest, EngineAcceptsEveryValidFact) {
  for (uint64_t seed : {1, 2, 3}) {
    std::vector<SimEvent> book = Book(Small(seed));
    Verdicts v = RunThroughEngine(book);
    EXPECT_EQ(v.rejected, 0) << "seed " << seed;
    EXPECT_EQ(v.duplicates, 0);
    EXPECT_EQ(v.accepted, static_cast<int64_t>(book.size()));
    for (const std::string& f : v.failures) ADD_FAILURE() << "seed " << seed << ": " << f;
  }
}

// Invariant: with --invalid-rate, each invalid fact is rejected with the reason it names, and
// the valid facts around it are all still accepted.
TEST(SimulatorTest, EngineRejectsEachInvalidFactWithItsReason) {
  SimOptions o = Small(11);
  o.invalid_rate = 0.05;
  Simulator sim(o);
  std::vector<SimEvent> book;
  for (SimEvent e; sim.Next(&e);) book.push_back(e);
  Verdicts v = RunThroughEngine(book);
  for (const std::string& f : v.failures) ADD_FAILURE() << f;
  const SimStats& s = sim.stats();
  EXPECT_GT(s.invalid, 200);
  EXPECT_EQ(v.rejected, s.invalid);
  EXPECT_EQ(v.accepted, s.events);
  // Every rule the invalid facts break shows up in a book this size.
  for (auto reason : {RejectionReason::INVALID_EVENT, RejectionReason::VERSION_CONFLICT,
                      RejectionReason::UNKNOWN_ORDER, RejectionReason::DUPLICATE_ORDER,
                      RejectionReason::ORDER_TERMINAL, RejectionReason::INVALID_TRANSITION,
                      RejectionReason::ORDER_ON_HOLD, RejectionReason::UNKNOWN_REFERENCE,
                      RejectionReason::REFERENCE_STATE, RejectionReason::DUPLICATE_REFERENCE,
                      RejectionReason::QUANTITY_EXCEEDED}) {
    EXPECT_GT(s.by_reason[reason], 0) << RejectionReason::Value_Name(reason);
  }
}

// Invariant: facts come in occurred_at order, each order's in log order, inside the span's
// business days and working hours (UTC here).
TEST(SimulatorTest, FactsAreInTimeOrderInsideTheSpan) {
  SimOptions o = Small(3);
  Simulator sim(o);
  int64_t last = 0;
  for (SimEvent e; sim.Next(&e);) {
    int64_t t = e.event.occurred_at().seconds();
    ASSERT_GE(t, last);
    last = t;
    ASSERT_LT(t, sim.EndSeconds());
    int64_t minute = (t % 86400) / 60;
    ASSERT_GE(minute, 8 * 60) << e.event.ShortDebugString();
    ASSERT_LE(minute, 18 * 60 + 5) << e.event.ShortDebugString();
    int64_t weekday = ((t / 86400) % 7 + 3) % 7;  // 0 = Monday
    ASSERT_LT(weekday, 5) << e.event.ShortDebugString();
  }
  EXPECT_EQ(sim.FirstDate(), "2025-01-06");
  EXPECT_DOUBLE_EQ(sim.Progress(), 1.0);
}

// Invariant: the book has every kind of fact and trouble the issue lists, and skewed parties.
TEST(SimulatorTest, BookCoversTheVocabularyWithSkewedParties) {
  SimOptions o = Small(5);
  o.orders = 3000;
  o.business_days = 120;
  o.finish = true;
  Simulator sim(o);
  std::map<std::string, int> customers, merchandisers;
  std::set<std::string> amend_reasons, categories, severities, complaint_reasons, results;
  for (SimEvent e; sim.Next(&e);) {
    const InboundEvent& in = e.event;
    if (in.has_order_placed()) {
      ++customers[in.order_placed().customer_id()];
      ++merchandisers[in.order_placed().merchandiser_id()];
    }
    if (in.has_order_amended())
      amend_reasons.insert(v1::AmendmentReason::Value_Name(in.order_amended().reason()));
    if (in.has_issue_raised()) {
      categories.insert(v1::IssueCategory::Value_Name(in.issue_raised().category()));
      severities.insert(v1::IssueSeverity::Value_Name(in.issue_raised().severity()));
      if (in.issue_raised().complaint_reason() != 0)
        complaint_reasons.insert(
            v1::ComplaintReason::Value_Name(in.issue_raised().complaint_reason()));
    }
    if (in.has_inspection_recorded()) {
      const auto& p = in.inspection_recorded();
      results.insert(v1::InspectionStage::Value_Name(p.stage()) + "/" +
                     v1::InspectionResult::Value_Name(p.result()));
    }
  }
  const SimStats& s = sim.stats();
  for (int c = InboundEvent::kOrderPlaced; c <= InboundEvent::kHandoffCompleted; ++c) {
    if (InboundEvent::descriptor()->FindFieldByNumber(c) == nullptr) continue;
    EXPECT_GT(s.by_payload[static_cast<size_t>(c)], 0)
        << InboundEvent::descriptor()->FindFieldByNumber(c)->name();
  }
  EXPECT_EQ(amend_reasons.size(), 4u);
  EXPECT_EQ(categories.size(), 7u);
  EXPECT_EQ(severities.size(), 3u);
  EXPECT_EQ(complaint_reasons.size(), 6u);
  EXPECT_EQ(results.size(), 6u);  // INCOMING, INLINE and FINAL, each passed and failed
  EXPECT_GT(s.orders_cancelled, 0);
  EXPECT_GT(s.orders_closed, s.orders_placed / 2);
  // Zipf: the busiest customer carries far more than an even share (3000 / 200 = 15).
  int top = 0;
  for (const auto& [id, n] : customers) top = std::max(top, n);
  EXPECT_GT(top, 10 * 15);
  EXPECT_GT(merchandisers.size(), 5u);
}

// Invariant: a business time zone moves the working hours and the dates with it.
TEST(SimulatorTest, WorkingHoursFollowTheUtcOffset) {
  SimOptions o = Small(9);
  o.orders = 50;
  o.utc_offset_minutes = 8 * 60;
  Simulator sim(o);
  for (SimEvent e; sim.Next(&e);) {
    int64_t local = e.event.occurred_at().seconds() + 8 * 3600;
    int64_t minute = (local % 86400) / 60;
    ASSERT_GE(minute, 8 * 60);
    ASSERT_LE(minute, 18 * 60 + 5);
  }
}

// Invariant: an end date spans the business days up to it, weekends skipped both ways.
TEST(SimulatorTest, EndDateCountsBusinessDaysBack) {
  SimOptions o;
  o.end_date = "2026-11-29";  // a Sunday: the span ends on Friday 2026-11-27
  o.business_days = 6;
  Simulator sim(o);
  EXPECT_EQ(sim.LastDate(), "2026-11-27");
  EXPECT_EQ(sim.FirstDate(), "2026-11-20");
}

TEST(SimulatorTest, CheckOptionsNamesTheBadOption) {
  SimOptions o;
  EXPECT_TRUE(CheckOptions(o).ok());
  o.start_date = "2025-02-30";
  EXPECT_NE(CheckOptions(o).message().find("start date"), std::string::npos);
  o = SimOptions();
  o.rates.cancel = 1.5;
  EXPECT_NE(CheckOptions(o).message().find("rate"), std::string::npos);
  o = SimOptions();
  o.order_prefix = "bad prefix";
  EXPECT_FALSE(CheckOptions(o).ok());
}

}  // namespace
}  // namespace gendan::sim

// Decide over generated histories: thousands of valid orders must be accepted whole, and a
// single mutation of one must be refused at the mutated event with the expected code.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <optional>
#include <set>

#include "engine/decide.h"
#include "engine/describe.h"
#include "tests/engine/history_generator.h"
#include "tests/engine/test_events.h"

namespace gendan::test {
namespace {

using R = v1::RejectionReason;
using History = std::vector<v1::InboundEvent>;
using E = v1::InboundEvent;

constexpr int kHistories = 2000;
constexpr int kMutatedHistories = 500;  // ~7k mutants; keeps sanitizer builds fast

std::vector<History> Generate(int n, uint64_t seed) {
  HistoryGenerator gen(seed);
  std::vector<History> all;
  all.reserve(n);
  for (int i = 0; i < n; ++i) all.push_back(gen.Next("ORD-" + std::to_string(i)));
  return all;
}

const std::vector<History>& Histories() {
  static const std::vector<History> all = Generate(kHistories, 20240101);
  return all;
}

// Every generated history is accepted whole, with versions 1..N, and keeps the line
// invariants delivered <= shipped <= ordered.
TEST(DecideTest, AcceptsGeneratedHistories) {
  DecideOptions options = TestOptions();
  size_t events = 0, closed = 0, cancelled = 0, complaints_after_close = 0;
  std::set<int> payloads;
  for (const History& history : Histories()) {
    OrderState state;
    for (size_t i = 0; i < history.size(); ++i) {
      Decision d = Decide(state, history[i], options);
      const auto* a = std::get_if<Accepted>(&d);
      ASSERT_TRUE(a != nullptr && a->event.version() == int64_t(i + 1))
          << "event " << i << ": " << Describe(d) << "\n  history: " << Describe(history)
          << "\n  state: " << Describe(state);
      complaints_after_close += state.stage == v1::Stage::CLOSED && history[i].has_issue_raised();
      payloads.insert(history[i].payload_case());
      Evolve(state, a->event);
    }
    for (const auto& [id, line] : state.lines) {
      ASSERT_TRUE(0 <= line.delivered && line.delivered <= line.shipped &&
                  line.shipped <= line.ordered)
          << id << " of " << Describe(state);
    }
    events += history.size();
    closed += state.stage == v1::Stage::CLOSED;
    cancelled += state.stage == v1::Stage::CANCELLED;
  }
  // The generator must really exercise the lifecycle, not produce trivia.
  EXPECT_GT(events, 25u * kHistories);
  EXPECT_EQ(payloads.size(), size_t(E::descriptor()->FindOneofByName("payload")->field_count()))
      << "some payload never appears in a generated history";
  EXPECT_GT(closed, kHistories / 2u);
  EXPECT_GT(cancelled, kHistories / 20u);
  EXPECT_GT(complaints_after_close, kHistories / 20u);
}

// A mutated history and where it must fail.
struct Mutation {
  History history;
  size_t at;           // the first event that must not be accepted
  int expected;        // its RejectionReason, or -1 for Duplicate
  bool rest_accepted;  // the events after `at` are still accepted (the mutant changed nothing)
};
using Mutator = std::function<std::optional<Mutation>(const History&, HistoryGenerator::Rng&)>;

// Indexes of the events with the given payload.
std::vector<size_t> Find(const History& h, E::PayloadCase payload) {
  std::vector<size_t> at;
  for (size_t i = 0; i < h.size(); ++i) {
    if (h[i].payload_case() == payload) at.push_back(i);
  }
  return at;
}

size_t Any(const std::vector<size_t>& v, HistoryGenerator::Rng& rng) {
  return v[size_t(rng.Between(0, int64_t(v.size()) - 1))];
}

// `e` inserted before position `at`, as a new event (fresh id, no expected_version).
Mutation Insert(const History& h, size_t at, E e, int expected, bool rest_accepted = true) {
  e.set_event_id("mutant-" + std::to_string(at));
  e.clear_expected_version();
  e.set_order_id(h[0].order_id());
  if (!e.has_occurred_at()) *e.mutable_occurred_at() = h[at - 1].occurred_at();
  History m = h;
  m.insert(m.begin() + std::ptrdiff_t(at), std::move(e));
  return {std::move(m), at, expected, rest_accepted};
}

// What repeating an event (under a new id) right after itself must give; nullopt when the
// event may legitimately repeat.
std::optional<int> RepeatCode(E::PayloadCase payload) {
  switch (payload) {
    case E::kOrderPlaced: return R::DUPLICATE_ORDER;
    case E::kOrderConfirmed:
    case E::kProductionStarted:
    case E::kProductionCompleted:
    case E::kOrderHeld:
    case E::kOrderReleased: return R::INVALID_TRANSITION;
    case E::kOrderCancelled:
    case E::kOrderClosed: return R::ORDER_TERMINAL;
    case E::kDocumentIssued:
    case E::kIssueRaised:
    case E::kHandoffRequested:
    case E::kInspectionRecorded:
    case E::kShipmentDispatched: return R::DUPLICATE_REFERENCE;
    case E::kIssueResolved:
    case E::kIssueReopened:
    case E::kShipmentDelivered:
    case E::kHandoffAcknowledged:
    case E::kHandoffCompleted: return R::REFERENCE_STATE;
    default: return std::nullopt;  // amendments, corrections, plans, contacts, feedback
  }
}

const std::vector<std::pair<std::string, Mutator>>& Mutators() {
  static const std::vector<std::pair<std::string, Mutator>> all = {
      {"drop order_placed",
       [](const History& h, auto&) -> std::optional<Mutation> {
         if (h.size() < 2) return std::nullopt;
         History m(h.begin() + 1, h.end());
         m[0].clear_expected_version();
         return Mutation{std::move(m), 0, R::UNKNOWN_ORDER, false};
       }},
      {"repeat an event under a new id",
       [](const History& h, auto& rng) -> std::optional<Mutation> {
         size_t i = size_t(rng.Between(0, int64_t(h.size()) - 1));
         std::optional<int> code = RepeatCode(h[i].payload_case());
         if (!code) return std::nullopt;
         return Insert(h, i + 1, h[i], *code);
       }},
      {"redeliver an earlier event",
       [](const History& h, auto& rng) -> std::optional<Mutation> {
         size_t at = size_t(rng.Between(1, int64_t(h.size())));
         History m = h;
         m.insert(m.begin() + std::ptrdiff_t(at), h[size_t(rng.Between(0, int64_t(at) - 1))]);
         return Mutation{std::move(m), at, -1, true};
       }},
      {"ship more than ordered",
       [](const History& h, auto& rng) -> std::optional<Mutation> {
         std::vector<size_t> at = Find(h, E::kShipmentDispatched);
         if (at.empty()) return std::nullopt;
         size_t i = Any(at, rng);
         History m = h;
         auto* line = m[i].mutable_shipment_dispatched()->mutable_lines(0);
         line->set_quantity(line->quantity() + 1'000'000);
         return Mutation{std::move(m), i, R::QUANTITY_EXCEEDED, false};
       }},
      {"ship an unknown line",
       [](const History& h, auto& rng) -> std::optional<Mutation> {
         std::vector<size_t> at = Find(h, E::kShipmentDispatched);
         if (at.empty()) return std::nullopt;
         size_t i = Any(at, rng);
         History m = h;
         auto* line = m[i].mutable_shipment_dispatched()->add_lines();
         line->set_line_id("NOPE");
         line->set_quantity(1);
         return Mutation{std::move(m), i, R::UNKNOWN_REFERENCE, false};
       }},
      {"resolve an unknown issue",
       [](const History& h, auto& rng) -> std::optional<Mutation> {
         // Anywhere the order is open or closed; a cancelled order refuses everything.
         std::vector<size_t> cancel = Find(h, E::kOrderCancelled);
         size_t last = cancel.empty() ? h.size() : cancel[0];
         E e;
         e.mutable_issue_resolved()->set_issue_id("NOPE");
         return Insert(h, size_t(rng.Between(1, int64_t(last))), e, R::UNKNOWN_REFERENCE);
       }},
      {"expect the next version",
       [](const History& h, auto& rng) -> std::optional<Mutation> {
         size_t at = size_t(rng.Between(1, int64_t(h.size())));
         Mutation m = Insert(h, at, h[at - 1], R::VERSION_CONFLICT);
         m.history[at].set_expected_version(int64_t(at) + 1);
         return m;
       }},
      {"occur in the future",
       [](const History& h, auto& rng) -> std::optional<Mutation> {
         size_t at = size_t(rng.Between(1, int64_t(h.size())));
         E e = h[at - 1];
         auto now = std::chrono::duration_cast<std::chrono::seconds>(
             HistoryGenerator::Now().time_since_epoch());
         e.mutable_occurred_at()->set_seconds(now.count() + 301);
         return Insert(h, at, e, R::FUTURE_EVENT);
       }},
      {"lose occurred_at",
       [](const History& h, auto& rng) -> std::optional<Mutation> {
         size_t at = size_t(rng.Between(1, int64_t(h.size())));
         Mutation m = Insert(h, at, h[at - 1], R::INVALID_EVENT);
         m.history[at].clear_occurred_at();
         return m;
       }},
      {"act after cancelling",
       [](const History& h, auto&) -> std::optional<Mutation> {
         if (Find(h, E::kOrderCancelled).empty()) return std::nullopt;
         E e;
         e.mutable_customer_contacted()->set_channel(v1::ContactChannel::PHONE);
         e.mutable_customer_contacted()->set_purpose(v1::ContactPurpose::STATUS_UPDATE);
         return Insert(h, h.size(), e, R::ORDER_TERMINAL);
       }},
      {"hold after closing",
       [](const History& h, auto&) -> std::optional<Mutation> {
         std::vector<size_t> at = Find(h, E::kOrderClosed);
         if (at.empty()) return std::nullopt;
         E e;
         e.mutable_order_held()->set_reason("too late");
         return Insert(h, at[0] + 1, e, R::ORDER_TERMINAL);
       }},
      {"hold just before a dispatch",
       [](const History& h, auto& rng) -> std::optional<Mutation> {
         std::vector<size_t> at = Find(h, E::kShipmentDispatched);
         if (at.empty()) return std::nullopt;
         size_t i = Any(at, rng);
         E e;
         e.mutable_order_held()->set_reason("quality doubt");
         Mutation m = Insert(h, i, e, R::ORDER_ON_HOLD, false);
         m.at = i + 1;  // the hold is accepted; the dispatch after it is not
         m.history[m.at].clear_expected_version();
         return m;
       }},
      {"raise an issue just before closing",
       [](const History& h, auto&) -> std::optional<Mutation> {
         std::vector<size_t> at = Find(h, E::kOrderClosed);
         if (at.empty()) return std::nullopt;
         E e;
         auto* p = e.mutable_issue_raised();
         p->set_issue_id("LATE");
         p->set_category(v1::IssueCategory::DOCUMENTATION);
         p->set_severity(v1::IssueSeverity::MINOR);
         p->set_owner_department(v1::Department::FINANCE);
         Mutation m = Insert(h, at[0], e, R::REFERENCE_STATE, false);
         m.at = at[0] + 1;
         m.history[m.at].clear_expected_version();
         return m;
       }},
      {"cancel after the first dispatch",
       [](const History& h, auto&) -> std::optional<Mutation> {
         std::vector<size_t> at = Find(h, E::kShipmentDispatched);
         if (at.empty()) return std::nullopt;
         E e;
         e.mutable_order_cancelled()->set_cancelled_by(v1::CancelledBy::CUSTOMER);
         return Insert(h, at[0] + 1, e, R::INVALID_TRANSITION);
       }},
      {"amend after the first dispatch",
       [](const History& h, auto&) -> std::optional<Mutation> {
         std::vector<size_t> at = Find(h, E::kShipmentDispatched);
         if (at.empty()) return std::nullopt;
         E e;
         e.mutable_order_amended()->set_reason(v1::AmendmentReason::CUSTOMER_REQUEST);
         return Insert(h, at[0] + 1, e, R::INVALID_TRANSITION);
       }},
      {"deliver a shipment twice",
       [](const History& h, auto& rng) -> std::optional<Mutation> {
         std::vector<size_t> at = Find(h, E::kShipmentDelivered);
         if (at.empty()) return std::nullopt;
         size_t i = Any(at, rng);
         // Anywhere later, as long as the order is not closed by then.
         std::vector<size_t> closed = Find(h, E::kOrderClosed);
         size_t last = closed.empty() ? h.size() : closed[0];
         return Insert(h, size_t(rng.Between(int64_t(i) + 1, int64_t(last))), h[i],
                       R::REFERENCE_STATE);
       }},
  };
  return all;
}

// A single mutation of a valid history is refused at the mutated event with the expected code;
// when the mutant was only refused, the rest of the history still goes through.
TEST(DecideTest, RefusesMutatedHistories) {
  DecideOptions options = TestOptions();
  HistoryGenerator::Rng rng(99);
  std::map<std::string, int> applied;
  for (int h = 0; h < kMutatedHistories; ++h) {
    const History& original = Histories()[size_t(h)];
    for (const auto& [name, mutate] : Mutators()) {
      std::optional<Mutation> m = mutate(original, rng);
      if (!m) continue;
      ++applied[name];
      OrderState state;
      std::vector<Decision> decisions = Replay(state, m->history, options);
      auto context = [&, &name = name] {
        return name + " at " + std::to_string(m->at) + "\n  history: " + Describe(m->history);
      };
      for (size_t i = 0; i < decisions.size(); ++i) {
        if (i == m->at) {
          ASSERT_EQ(ReasonOf(decisions[i]), m->expected)
              << Describe(decisions[i]) << "\n  " << context();
        } else if (i < m->at || m->rest_accepted) {
          ASSERT_TRUE(std::holds_alternative<Accepted>(decisions[i]))
              << "event " << i << ": " << Describe(decisions[i]) << "\n  " << context();
        }
      }
    }
  }
  for (const auto& [name, mutate] : Mutators()) {
    EXPECT_GT(applied[name], kMutatedHistories / 20) << name << " was hardly ever applied";
  }
}

}  // namespace
}  // namespace gendan::test

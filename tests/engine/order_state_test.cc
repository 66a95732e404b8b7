// OrderState's binary encoding: what the engine service keeps in its state store.
#include "engine/order_state.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "engine/describe.h"
#include "tests/engine/history_generator.h"
#include "tests/engine/test_events.h"

namespace gendan::test {
namespace {

// A state that does not exist yet round-trips too (it is what a missing row means).
TEST(OrderStateTest, EmptyRoundTrips) {
  OrderState empty;
  Result<OrderState> back = OrderState::Parse(empty.Serialize());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, empty);
  EXPECT_FALSE(back->exists());
}

// Parse(Serialize(s)) == s after every event of many generated histories.
TEST(OrderStateTest, RoundTripsAlongGeneratedHistories) {
  HistoryGenerator gen(7);
  DecideOptions options = TestOptions();
  for (int h = 0; h < 100; ++h) {
    std::vector<v1::InboundEvent> history = gen.Next("ORD-" + std::to_string(h));
    OrderState state;
    for (const v1::InboundEvent& e : history) {
      Decision d = Decide(state, e, options);
      ASSERT_TRUE(std::holds_alternative<Accepted>(d)) << Describe(d) << "\n" << Describe(history);
      Evolve(state, std::get<Accepted>(d).event);
      Result<OrderState> back = OrderState::Parse(state.Serialize());
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      ASSERT_EQ(*back, state) << Describe(state) << "\nvs " << Describe(*back);
    }
  }
}

// Every field survives, including the ones no generated history sets.
TEST(OrderStateTest, RoundTripsEveryField) {
  OrderState s;
  s.version = Version(1234567890123);
  s.stage = v1::Stage::SHIPPING;
  s.on_hold = true;
  s.customer_id = "C";
  s.merchandiser_id = "M";
  s.supplier_id = std::string("F\0x", 3);  // bytes, not C strings
  s.commit_date = "2024-02-29";
  s.lines["L1"] = {10, 7, 3};
  s.shipments["S1"] = {{{"L1", 3}}, true};
  s.shipments["S2"] = {{{"L1", 4}, {"L2", 0}}, false};
  s.documents = {"D1", "D2"};
  s.inspections = {"Q1"};
  s.issues["I1"] = {v1::IssueCategory::CUSTOMER_COMPLAINT, IssueStatus::kResolved};
  s.handoffs["H1"] = HandoffStatus::kCompleted;
  s.event_ids = {"e1", "e2", std::string(128, 'e')};
  Result<OrderState> back = OrderState::Parse(s.Serialize());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
}

// Truncated, extended or garbled bytes are a corrupt store (Fatal), never a crash or a
// silently different state.
TEST(OrderStateTest, CorruptBytesAreFatal) {
  OrderState s = MustAccept(Delivered());
  std::string bytes = s.Serialize();
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<OrderState> r = OrderState::Parse(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(r.ok()) << "a prefix of " << n << " bytes parsed";
    EXPECT_EQ(r.status().code(), Status::Code::kFatal);
  }
  EXPECT_FALSE(OrderState::Parse(bytes + "x").ok());
  std::string wrong_format = bytes;
  wrong_format[0] = 9;
  EXPECT_FALSE(OrderState::Parse(wrong_format).ok());
  // Flipping any single byte never crashes; it either fails or yields some other valid state.
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0xff);
    (void)OrderState::Parse(flipped).ok();
  }
}

// EventIdSet against std::set as the model: random ids of every length class (empty, short,
// long enough for a two-byte length), inserted in random order with repeats; contains, insert's
// answer, size, iteration and == agree with the model throughout, including across growth.
TEST(EventIdSetTest, BehavesLikeASet) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 50; ++round) {
    EventIdSet ids;
    std::set<std::string> model;
    const int n = static_cast<int>(rng() % 400);
    for (int i = 0; i < n; ++i) {
      std::string id;
      switch (rng() % 4) {
        case 0: id = std::to_string(rng() % 50); break;  // repeats
        case 1: id = "evt-" + std::to_string(rng()); break;
        case 2: id = std::string(128 + rng() % 200, static_cast<char>('a' + rng() % 26)); break;
        default: id = ""; break;
      }
      ASSERT_EQ(ids.insert(id), model.insert(id).second) << id;
      ASSERT_TRUE(ids.contains(id));
      ASSERT_EQ(ids.size(), model.size());
    }
    for (const std::string& id : model) ASSERT_TRUE(ids.contains(id)) << id;
    EXPECT_FALSE(ids.contains("absent-id"));
    std::set<std::string> seen;
    for (std::string_view id : ids) EXPECT_TRUE(seen.insert(std::string(id)).second) << id;
    EXPECT_EQ(seen, model);
    EventIdSet reversed;
    for (auto it = model.rbegin(); it != model.rend(); ++it) reversed.insert(*it);
    EXPECT_EQ(ids, reversed) << "== compares as sets";
    if (!model.empty()) {
      reversed.insert("one-more");
      EXPECT_FALSE(ids == reversed);
    }
  }
}

}  // namespace
}  // namespace gendan::test

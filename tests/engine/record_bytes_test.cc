// The engine service's fast path: Judge + the inbound bytes with AppendRecordFields +
// EvolveInbound must be indistinguishable from Decide + SerializeAsString + Evolve.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "engine/decide.h"
#include "engine/describe.h"
#include "tests/engine/history_generator.h"
#include "tests/engine/test_events.h"

namespace gendan::test {
namespace {

using google::protobuf::util::MessageDifferencer;

// recorded_at instants that exercise the Timestamp encoding: whole seconds (nanos left out),
// sub-second, and a large seconds value.
std::vector<std::chrono::system_clock::time_point> Instants(DecideOptions base) {
  using namespace std::chrono;
  return {base.now, time_point_cast<seconds>(base.now), base.now + nanoseconds(1),
          base.now + microseconds(999'999), base.now + hours(24 * 365 * 50)};
}

// Every event of generated histories, some fed twice (Duplicate) and some moved out of order
// (rejections): the verdicts agree, and each accepted event's bytes parse to Decide's event.
TEST(RecordBytesTest, FastPathEqualsDecide) {
  HistoryGenerator gen(99);
  int accepted = 0, rejected = 0, duplicates = 0;
  for (int h = 0; h < 300; ++h) {
    std::vector<v1::InboundEvent> history = gen.Next("ORD-" + std::to_string(h));
    if (h % 3 == 1 && history.size() > 3) std::swap(history[1], history[3]);  // out of order
    if (h % 5 == 2) history.push_back(history.front());                       // redelivery
    DecideOptions options = TestOptions();
    options.now = Instants(TestOptions())[static_cast<size_t>(h) % 5];
    OrderState slow, fast;
    for (const v1::InboundEvent& in : history) {
      Decision decision = Decide(slow, in, options);
      Verdict verdict = Judge(fast, in, options);
      ASSERT_EQ(decision.index(), verdict.index()) << Describe(in) << " in " << Describe(slow);
      if (auto* a = std::get_if<Accepted>(&decision)) {
        ++accepted;
        ASSERT_TRUE(RecordsAsBytes(in));
        std::string bytes = in.SerializeAsString();
        AppendRecordFields(&bytes, std::get<Accept>(verdict).version, options.now);
        v1::OrderEvent parsed;
        ASSERT_TRUE(parsed.ParseFromString(bytes));
        EXPECT_TRUE(MessageDifferencer::Equals(parsed, a->event))
            << "fast: " << parsed.ShortDebugString() << "\nslow: " << a->event.ShortDebugString();
        EXPECT_TRUE(
            MessageDifferencer::Equals(parsed, BuildEvent(fast, in, options)));  // the fallback
        Evolve(slow, a->event);
        EvolveInbound(fast, in, std::get<Accept>(verdict).version);
        ASSERT_EQ(fast, slow) << Describe(fast) << "\n vs " << Describe(slow);
      } else if (std::holds_alternative<Rejected>(decision)) {
        ++rejected;
        EXPECT_EQ(std::get<Rejected>(decision).reason, std::get<Rejected>(verdict).reason);
      } else {
        ++duplicates;
      }
    }
  }
  EXPECT_GT(accepted, 1000);
  EXPECT_GT(rejected, 10);
  EXPECT_GT(duplicates, 10);
}

// A top-level field InboundEvent does not know would pass into the event (or could pose as
// version / recorded_at): such a record takes the slow path.
TEST(RecordBytesTest, UnknownTopLevelFieldsTakeTheSlowPath) {
  HistoryGenerator gen(5);
  v1::InboundEvent in = gen.Next("ORD-1").front();
  EXPECT_TRUE(RecordsAsBytes(in));
  std::string bytes = in.SerializeAsString();
  bytes += std::string("\xa0\x06\x07", 3);  // field 100 (OrderEvent.version) = 7
  v1::InboundEvent with_unknown;
  ASSERT_TRUE(with_unknown.ParseFromString(bytes));
  EXPECT_FALSE(RecordsAsBytes(with_unknown));
}

}  // namespace
}  // namespace gendan::test

// ParseRecord: record bytes and key to an InboundEvent or a refusal (MALFORMED and the record
// limits), and PrintableText, which keeps every message valid UTF-8.
#include "engine/intake.h"

#include <gtest/gtest.h>

#include "tests/engine/test_events.h"

namespace gendan::test {
namespace {

using R = v1::RejectionReason;

std::string Bytes(const v1::InboundEvent& e) { return e.SerializeAsString(); }

// A protobuf string holding `text` parses back only when `text` is valid UTF-8.
bool SurvivesProtobuf(const std::string& text) {
  v1::Rejection r;
  r.set_message(text);
  v1::Rejection back;
  return back.ParseFromString(r.SerializeAsString()) && back.message() == text;
}

// A good record with its own key parses and is ready for Decide.
TEST(IntakeTest, GoodRecordParses) {
  v1::InboundEvent e = Event(kDoc), got;
  EXPECT_EQ(ParseRecord(Bytes(e), kOrderId, TestOptions(), &got), std::nullopt);
  EXPECT_EQ(got.event_id(), e.event_id());
  EXPECT_EQ(ParseRecord(Bytes(e), std::nullopt, TestOptions(), &got), std::nullopt);
}

// Bytes that are not an InboundEvent are MALFORMED and carry the raw bytes.
TEST(IntakeTest, NotProtobufIsMalformed) {
  std::string good = Bytes(Event(kDoc));
  for (const std::string& bad :
       {std::string("\xff\xff\xff\xff"), std::string("{\"event_id\":\"x\"}"),
        good.substr(0, good.size() - 3), std::string("\x0a\x05\x61\xff\xfe\x62\x63", 7)}) {
    v1::InboundEvent got;
    auto refused = ParseRecord(bad, std::nullopt, TestOptions(), &got);
    ASSERT_TRUE(refused.has_value()) << PrintableText(bad);
    EXPECT_EQ(refused->rejected.reason, R::MALFORMED);
    EXPECT_FALSE(refused->parsed);
  }
}

// A record above max_record_bytes is INVALID_EVENT without being parsed.
TEST(IntakeTest, HugeRecordIsRefusedUnparsed) {
  DecideOptions o = TestOptions();
  o.max_record_bytes = 10;
  v1::InboundEvent got;
  auto refused = ParseRecord(Bytes(Event(kDoc)), kOrderId, o, &got);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->rejected.reason, R::INVALID_EVENT);
  EXPECT_FALSE(refused->parsed);
  EXPECT_EQ(got.event_id(), "");
}

// A key other than order_id is INVALID_EVENT; an invalid-UTF-8 key is quoted escaped, so the
// rejection still serializes and parses (it once copied the key verbatim).
TEST(IntakeTest, StrayKeyIsInvalidAndQuotedSafely) {
  v1::InboundEvent got;
  const std::string key("ORD-\xff\xfe\x01", 7);
  auto refused = ParseRecord(Bytes(Event(kDoc)), key, TestOptions(), &got);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->rejected.reason, R::INVALID_EVENT);
  EXPECT_TRUE(refused->parsed);
  EXPECT_NE(refused->rejected.message.find("ORD-\\xff\\xfe\\x01"), std::string::npos)
      << refused->rejected.message;
  EXPECT_TRUE(SurvivesProtobuf(refused->rejected.message));
}

// PrintableText keeps UTF-8, escapes the rest and cuts at a character boundary.
TEST(IntakeTest, PrintableText) {
  EXPECT_EQ(PrintableText("ORD-1"), "ORD-1");
  EXPECT_EQ(PrintableText("a\nb"), "a\\x0ab");
  EXPECT_EQ(PrintableText("\xc3\x28"), "\\xc3(");               // a lead byte without continuation
  EXPECT_EQ(PrintableText("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(PrintableText("\xe8\xb7\x9f\xe5\x8d\x95"), "\xe8\xb7\x9f\xe5\x8d\x95");  // 跟单
  EXPECT_EQ(PrintableText("\xe8\xb7\x9f\xe5\x8d\x95", 4), "\xe8\xb7\x9f...");
  EXPECT_EQ(PrintableText(std::string(100, 'x'), 64), std::string(64, 'x') + "...");
}

// A rejection that quotes an over-long order_id of multi-byte characters is still valid UTF-8
// (the quote once cut a character in half, and the Rejection no longer parsed downstream).
TEST(IntakeTest, QuotedLongValueStaysUtf8) {
  std::string id;
  for (int i = 0; i < 30; ++i) id += "\xe8\xb7\x9f";  // 90 bytes of 跟
  v1::InboundEvent e = Event(kDoc);
  e.set_order_id(id);
  OrderState none;
  Decision d = Decide(none, e, TestOptions());
  const auto* r = std::get_if<Rejected>(&d);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->reason, R::INVALID_EVENT);
  EXPECT_TRUE(SurvivesProtobuf(r->message)) << r->message;
}

}  // namespace
}  // namespace gendan::test

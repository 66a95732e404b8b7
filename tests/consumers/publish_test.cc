#include "consumers/publish.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/consumers/broker_fixture.h"

namespace gendan {
namespace {

using gendan::testing::BrokerTest;

const char* kPlaced =
    R"({"event_id":"e-1","order_id":"ORD-1","occurred_at":"2026-03-01T08:00:00.250Z","source":"erp",)"
    R"("actor":"alice","expected_version":"0","order_placed":{"customer_id":"C-1","merchandiser_id":"M-1",)"
    R"("supplier_id":"F-1","requested_date":"2026-04-01","incoterm":"FOB","lines":[)"
    R"({"line_id":"L1","sku":"SKU-1","quantity":"120"},{"line_id":"L2","sku":"SKU-2","quantity":"5"}]}})";
const char* kHandoff =
    R"({"eventId":"e-2","orderId":"ORD-2","occurredAt":"2026-03-02T00:00:00Z","source":"crm","actor":"bob",)"
    R"("handoffRequested":{"handoffId":"H-1","fromDepartment":"MERCHANDISING","toDepartment":"QUALITY",)"
    R"("subject":"re-inspect","dueAt":"2026-03-04T12:00:00Z"}})";

// Good lines parse in both JSON spellings; bad ones say why.
TEST(PublishTest, ParseInboundJsonAcceptsBothSpellingsAndExplainsErrors) {
  ASSERT_TRUE(ParseInboundJson(kPlaced).ok());
  ASSERT_TRUE(ParseInboundJson(kHandoff).ok());
  EXPECT_EQ(ParseInboundJson(kHandoff)->handoff_requested().due_at().seconds(), 1772625600);
  EXPECT_NE(ParseInboundJson("{").status().message().find("not an InboundEvent"),
            std::string::npos);
  EXPECT_EQ(ParseInboundJson(R"({"order_id":"O"})").status().message(), "event_id is missing");
  EXPECT_EQ(ParseInboundJson(R"({"event_id":"e"})").status().message(), "order_id is missing");
  EXPECT_FALSE(ParseInboundJson(R"({"event_id":"e","order_id":"O","no_such_field":1})").ok());
}

class PublishIT : public BrokerTest {};

// Every field of every good line survives the broker; bad lines are reported, not sent.
TEST_F(PublishIT, GoodLinesRoundTripBadLinesAreReported) {
  std::stringstream in;
  in << kPlaced << "\n"
     << "not json\n"
     << "\n"
     << kHandoff << "\n"
     << R"({"order_id":"X"})"
     << "\n";
  auto report = PublishJsonLines(config(), in);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->sent, 2);
  ASSERT_EQ(report->bad_lines.size(), 2u);
  EXPECT_EQ(report->bad_lines[0].line_no, 2);
  EXPECT_EQ(report->bad_lines[1].line_no, 5);

  auto records = ReadAll(config().Topic("inbound"), 2);
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) {
    gendan::v1::InboundEvent got;
    ASSERT_TRUE(got.ParseFromString(r.value));
    EXPECT_EQ(r.key, got.order_id());
    auto want = ParseInboundJson(got.order_id() == "ORD-1" ? kPlaced : kHandoff);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(got, *want))
        << got.DebugString() << "\nvs\n"
        << want->DebugString();
  }
}

// The binary reports each bad line with its number and exits 1, and still sends the good ones.
TEST_F(PublishIT, CommandLineReportsBadLinesAndExitsNonZero) {
  std::string file = ::testing::TempDir() + "publish_cli.jsonl";
  std::ofstream(file) << kPlaced << "\n{broken\n" << kHandoff << "\n";
  std::string cmd = std::string(GENDAN_BINARY_DIR) + "/gendan publish --bootstrap " +
                    config().kafka.bootstrap + " --topic-prefix " + config().kafka.topic_prefix +
                    " " + file + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buf[512];
  while (fgets(buf, sizeof buf, pipe) != nullptr) output += buf;
  int status = pclose(pipe);
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_NE(output.find(file + ":2: not sent"), std::string::npos) << output;
  EXPECT_NE(output.find("sent 2 events"), std::string::npos) << output;
  EXPECT_EQ(ReadAll(config().Topic("inbound"), 2).size(), 2u);
}

}  // namespace
}  // namespace gendan

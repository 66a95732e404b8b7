// Publishing upstream facts: JSON Lines of InboundEvent → gendan.inbound, keyed by order_id.
//
//   auto report = PublishJsonLines(config, std::cin, "stdin");
//   // report->sent good lines are in Kafka; report->bad_lines says what was wrong with the rest.
//
// A bad line (not protobuf JSON of InboundEvent, or without event_id/order_id) is reported with
// its line number and not sent; the good lines are still sent. Delivery uses librdkafka's
// idempotent producer, so a retried send never writes a record twice.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "consumers/config.h"
#include "engine/status.h"
#include "gendan/v1/events.pb.h"

namespace gendan {

struct BadLine {
  int64_t line_no = 0;
  std::string reason;
};

struct PublishReport {
  int64_t sent = 0;
  std::vector<BadLine> bad_lines;
};

// Parses one line of protobuf JSON (lowerCamel or snake_case field names) into an InboundEvent.
// Pure; InvalidArgument with a readable reason on any problem.
Result<gendan::v1::InboundEvent> ParseInboundJson(std::string_view line);

// How far publishing got: events handed to Kafka and bytes of input read.
struct PublishProgress {
  int64_t events = 0;
  int64_t bytes = 0;
};

// Sends every good line of `in` to config.Topic("inbound") and waits for all deliveries.
// The Status is an error only when Kafka failed (nothing or not everything was delivered).
// `progress`, when set, is called every few thousand lines and once at the end.
Result<PublishReport> PublishJsonLines(
    const Config& config, std::istream& in,
    const std::function<void(const PublishProgress&)>& progress = {});

}  // namespace gendan

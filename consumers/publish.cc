#include "consumers/publish.h"

#include <google/protobuf/util/json_util.h>
#include <spdlog/spdlog.h>

#include "consumers/kafka_client.h"

namespace gendan {
namespace {

// Counts delivery outcomes; librdkafka calls it from poll()/flush() on this thread.
class DeliveryCounter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      ++delivered;
    } else {
      ++failed;
      if (first_error.empty()) first_error = message.errstr();
    }
  }
  int64_t delivered = 0;
  int64_t failed = 0;
  std::string first_error;
};

}  // namespace

Result<gendan::v1::InboundEvent> ParseInboundJson(std::string_view line) {
  gendan::v1::InboundEvent event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelt field is a mistake, not noise
  auto st = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(line.data(), line.size()), &event, options);
  if (!st.ok()) {
    return Status::InvalidArgument("not an InboundEvent in protobuf JSON: " +
                                   std::string(st.message()));
  }
  if (event.event_id().empty()) return Status::InvalidArgument("event_id is missing");
  if (event.order_id().empty()) return Status::InvalidArgument("order_id is missing");
  return event;
}

Result<PublishReport> PublishJsonLines(
    const Config& config, std::istream& in,
    const std::function<void(const PublishProgress&)>& progress) {
  DeliveryCounter counter;
  auto producer = MakeProducer(config,
                               {{"enable.idempotence", "true"},
                                {"acks", "all"},
                                {"linger.ms", "5"},
                                {"compression.type", "lz4"}},
                               &counter);
  if (!producer.ok()) return producer.status();
  const std::string topic = config.Topic("inbound");
  PublishReport report;
  int64_t line_no = 0;
  int64_t produced = 0;
  int64_t bytes_read = 0;
  std::string bytes;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    bytes_read += static_cast<int64_t>(line.size()) + 1;
    if (progress && line_no % 4096 == 0) progress({produced, bytes_read});
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;  // blank lines are fine
    auto event = ParseInboundJson(line);
    if (!event.ok()) {
      report.bad_lines.push_back({line_no, event.status().message()});
      continue;
    }
    event->SerializeToString(&bytes);
    if (auto e = ProduceWaiting(**producer, topic, RdKafka::Topic::PARTITION_UA, event->order_id(),
                                bytes);
        e != RdKafka::ERR_NO_ERROR) {
      return Status::IoError("producing to " + topic + ": " + RdKafka::err2str(e));
    }
    ++produced;
    (*producer)->poll(0);
  }
  // Wait for every delivery; flush() returns early only on timeout.
  while ((*producer)->outq_len() > 0 && counter.delivered + counter.failed < produced) {
    (*producer)->flush(1000);
  }
  if (progress) progress({produced, bytes_read});
  report.sent = counter.delivered;
  if (counter.failed > 0) {
    return Status::IoError(std::to_string(counter.failed) + " of " + std::to_string(produced) +
                           " events were not delivered to " + topic + ": " + counter.first_error);
  }
  return report;
}

}  // namespace gendan

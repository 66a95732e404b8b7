#include "consumers/alert_publisher.h"

#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "consumers/kafka_client.h"
#include "consumers/store_retry.h"
#include "projections/projector.h"

namespace gendan {
namespace {

constexpr int kTimeoutMs = 30'000;
constexpr size_t kMaxRecordsPerTransaction = 5'000;

int32_t PartitionOfOutboxKey(const std::string& key) {  // "q/" + partition:4 BE + sequence:8 BE
  uint32_t p = 0;
  for (size_t i = 2; i < 6; ++i) p = (p << 8) | static_cast<unsigned char>(key[i]);
  return static_cast<int32_t>(p);
}

Status TxnStatus(RdKafka::Error* error, const char* what) {
  if (error == nullptr) return Status::Ok();
  std::unique_ptr<RdKafka::Error> owned(error);
  std::string msg = std::string(what) + ": " + error->str();
  if (error->is_fatal()) return Status::Fatal(msg);
  return Status::TryAgain(msg);
}

}  // namespace

AlertPublisher::AlertPublisher(const Config& config, ReadModelStore* store,
                               ProjectorMetrics* metrics)
    : config_(config), store_(store), metrics_(metrics), topic_(config.Topic("alerts")) {}

AlertPublisher::~AlertPublisher() = default;

void AlertPublisher::dr_cb(RdKafka::Message& message) {
  if (message.err() != RdKafka::ERR_NO_ERROR) {
    if (delivery_error_.empty()) delivery_error_ = message.errstr();
    return;
  }
  int64_t& last = last_offset_[message.partition()];
  last = std::max(last, message.offset());
}

Status AlertPublisher::Start() {
  const std::string txn_id = config_.projector.group_id + "-" + config_.instance_id + "-alerts";
  auto producer = MakeProducer(config_, {{"transactional.id", txn_id}, {"linger.ms", "5"}}, this);
  if (!producer.ok()) return producer.status();
  producer_ = std::move(*producer);
  Status same = RequireSamePartitions(*producer_, config_.Topic("events"), topic_,
                                      "the alerts of events partition p go to alerts partition p");
  if (!same.ok()) return same;
  Status s = TxnStatus(producer_->init_transactions(kTimeoutMs), "init_transactions");
  if (!s.ok()) return s;
  return Recover();
}

Result<std::unique_ptr<RdKafka::KafkaConsumer>> AlertPublisher::Reader(const std::string& purpose) {
  return MakeConsumer(config_, {{"group.id", config_.projector.group_id + "-alerts-" + purpose},
                                {"enable.auto.commit", "false"},
                                {"enable.partition.eof", "true"},
                                {"isolation.level", "read_committed"}});
}

Status AlertPublisher::ReadAlerts(RdKafka::KafkaConsumer& reader, int32_t partition, int64_t from,
                                  const std::function<void(const v1::Alert&)>& fn) {
  std::unique_ptr<RdKafka::TopicPartition> tp(
      RdKafka::TopicPartition::create(topic_, partition, from));
  reader.assign({tp.get()});
  for (bool eof = false; !eof;) {
    std::unique_ptr<RdKafka::Message> m(reader.consume(kTimeoutMs));
    if (m->err() == RdKafka::ERR__PARTITION_EOF) eof = true;
    if (m->err() == RdKafka::ERR__TIMED_OUT)
      return Status::TryAgain("reading " + topic_ + " timed out");
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    v1::Alert a;
    if (a.ParseFromArray(m->payload(), static_cast<int>(m->len()))) fn(a);
  }
  return Status::Ok();
}

Result<std::optional<AlertPublisher::Published>> AlertPublisher::LastPublished(int32_t partition,
                                                                               bool with_keys) {
  auto marks = QueryWatermarks(*producer_, topic_, partition, kTimeoutMs);
  if (!marks.ok()) return marks.status();
  const auto [low, high] = *marks;
  if (high <= low) return std::optional<Published>();
  auto reader = Reader("adopt");
  if (!reader.ok()) return reader.status();
  // Sequences only grow within a partition, so its last records carry the highest; a window
  // covers the transaction markers and aborted records that may trail them.
  constexpr int64_t kWindow = 256;
  Published found;
  found.end_offset = high;
  Status s = ReadAlerts(**reader, partition, with_keys ? low : std::max(low, high - kWindow),
                        [&](const v1::Alert& a) {
                          found.last_sequence = std::max(found.last_sequence, a.sequence());
                          if (with_keys) found.keys.insert(ProjectionBatch::PublishedKey(a));
                        });
  if (!s.ok()) {
    (*reader)->close();
    return s;
  }
  (*reader)->close();
  return std::optional<Published>(std::move(found));
}

// Drops outbox records that an earlier run published but could not yet delete.
Status AlertPublisher::Recover() {
  auto outbox = store_->Outbox(1);
  if (!outbox.ok() || outbox->empty()) return outbox.status();
  auto reader = Reader("recovery");
  if (!reader.ok()) return reader.status();
  auto n = PartitionCount(**reader, topic_, kTimeoutMs);
  if (!n.ok()) return n.status();
  std::map<int32_t, int64_t> seen;  // partition → highest sequence on the topic past qo/
  rocksdb::WriteBatch wb;
  for (int32_t p = 0; p < *n; ++p) {
    auto marks = QueryWatermarks(**reader, topic_, p, kTimeoutMs);
    if (!marks.ok()) return marks.status();
    const auto [low, high] = *marks;
    auto from = store_->PublishedOffset(p);
    if (!from.ok()) return from.status();
    int64_t start = from->value_or(low);
    if (start >= high) continue;
    Status s = ReadAlerts(**reader, p, start,
                          [&](const v1::Alert& a) { seen[p] = std::max(seen[p], a.sequence()); });
    if (!s.ok()) return s;
    wb.Put(ReadModelStore::PublishedOffsetKey(p), ReadModelStore::OffsetValue(high));
  }
  (*reader)->close();
  // An earlier run published at most one drain's worth without deleting it, so one window of
  // the outbox covers it.
  auto window = store_->Outbox(kMaxRecordsPerTransaction);
  if (!window.ok()) return window.status();
  size_t dropped = 0;
  for (const auto& [key, alert] : *window) {
    auto it = seen.find(PartitionOfOutboxKey(key));
    if (it != seen.end() && alert.sequence() <= it->second) {
      wb.Delete(key);
      ++dropped;
    }
  }
  if (dropped > 0) spdlog::info("alerts: {} outbox records were already on {}", dropped, topic_);
  return WriteOutbox(wb);
}

Status AlertPublisher::Drain(Records added) {
  if (outbox_empty_) {
    // The outbox holds exactly what the write added: publish it without reading it back (the
    // read also steps over every earlier drain's deleted keys), in bounded transactions.
    std::sort(added.begin(), added.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < added.size(); i += kMaxRecordsPerTransaction) {
      const size_t end = std::min(added.size(), i + kMaxRecordsPerTransaction);
      bool published = false;
      Status s = PublishRecords(Records(std::make_move_iterator(added.begin() + i),
                                        std::make_move_iterator(added.begin() + end)),
                                &published);
      if (!s.ok() || !published) return s;  // deferred: the next drain reads the outbox again
    }
    return Status::Ok();
  }
  for (bool more = true; more;) {
    auto outbox = store_->Outbox(kMaxRecordsPerTransaction);
    if (!outbox.ok()) return outbox.status();
    more = outbox->size() == kMaxRecordsPerTransaction;
    outbox_empty_ = !more;
    bool published = false;
    Status s = PublishRecords(*outbox, &published);
    if (!s.ok()) return s;
    if (!published) return Status::Ok();  // deferred: the next drain reads the outbox again
  }
  return Status::Ok();
}

// Publishes `records` (outbox keys and alerts, in key order) in one transaction, then deletes
// them from the outbox. A failure that may pass leaves them there: *published stays false.
Status AlertPublisher::PublishRecords(const Records& records, bool* published) {
  if (records.empty()) {
    *published = true;
    return Status::Ok();
  }
  last_offset_.clear();
  delivery_error_.clear();
  Status s = TxnStatus(producer_->begin_transaction(), "begin_transaction");
  for (size_t i = 0; s.ok() && i < records.size(); ++i) {
    const auto& [key, alert] = records[i];
    std::string value = alert.SerializeAsString();
    RdKafka::ErrorCode e =
        ProduceWaiting(*producer_, topic_, PartitionOfOutboxKey(key), alert.order_id(), value);
    if (e != RdKafka::ERR_NO_ERROR)
      s = Status::TryAgain("producing to " + topic_ + ": " + RdKafka::err2str(e));
  }
  if (s.ok()) s = TxnStatus(producer_->commit_transaction(kTimeoutMs), "commit_transaction");
  if (!s.ok()) {
    outbox_empty_ = false;
    if (!s.retryable()) return s;
    (void)TxnStatus(producer_->abort_transaction(kTimeoutMs), "abort_transaction");
    spdlog::warn("alerts: publishing deferred: {}", s.message());
    return Status::Ok();  // the outbox keeps them; the next drain retries
  }
  producer_->poll(0);
  rocksdb::WriteBatch wb;
  for (const auto& [key, alert] : records) wb.Delete(key);
  for (const auto& [p, last] : last_offset_) {
    wb.Put(ReadModelStore::PublishedOffsetKey(p), ReadModelStore::OffsetValue(last + 1));
  }
  metrics_->alerts_published.fetch_add(static_cast<int64_t>(records.size()),
                                       std::memory_order_relaxed);
  s = WriteOutbox(wb);
  if (!s.ok()) {
    outbox_empty_ = false;
    return s;
  }
  *published = true;
  return Status::Ok();
}

// Outbox deletions and publishing positions: absolute values, so a refused write is retried as is.
Status AlertPublisher::WriteOutbox(rocksdb::WriteBatch& wb) {
  return WriteWithRetry(
      config_.store, &metrics_->store_health, nullptr, "alerts: outbox of " + store_->generation(),
      [&] { return store_->Write(&wb); }, [&] { return store_->Resume(); });
}

}  // namespace gendan

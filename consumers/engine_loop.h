// EngineService::Loop, one consume-decide-produce pipeline of `gendan engine`, shared by
// consumers/engine_service.cc (the loop, transactions, decisions) and
// consumers/engine_rebalance.cc (assignments, revocations, catching new partitions up).
// Private to those two files: the public interface is consumers/engine_service.h.
#pragma once

#include <absl/container/node_hash_map.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "consumers/config.h"
#include "consumers/engine_service.h"
#include "consumers/order_store.h"
#include "engine/order_state.h"
#include "engine/status.h"
#include "gendan/v1/events.pb.h"

namespace gendan {
namespace engine_detail {

using Clock = std::chrono::steady_clock;
constexpr int kKafkaTimeoutMs = 30'000;
// A rejection of a record that did not parse keeps this many of its leading bytes (the whole
// record stays at its inbound topic/partition/offset). Bigger records are refused unparsed
// (DecideOptions::max_record_bytes).
constexpr size_t kRejectionRawCap = 64 * 1024;
// How often the loop reads its RocksDB figures for /metrics.
constexpr auto kStatsInterval = std::chrono::seconds(5);
constexpr auto kPollMarkInterval = std::chrono::milliseconds(20);
// Records decided while the transaction before theirs commits wait in memory up to this many
// (or kMaxHeldBytes); beyond that the loop waits for the commit.
constexpr size_t kMaxHeldRecords = 500'000;
constexpr size_t kMaxHeldBytes = 64 << 20;

inline int64_t UnixMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Turns a librdkafka transactional error into a Status, consuming the error object.
inline Status TxnStatus(RdKafka::Error* error, const char* what) {
  if (error == nullptr) return Status::Ok();
  std::unique_ptr<RdKafka::Error> owned(error);
  std::string msg = std::string(what) + ": " + error->str();
  if (error->is_fatal()) return Status::Fatal(msg);
  if (error->txn_requires_abort()) return Status::TryAgain(msg + " (transaction aborted)");
  if (error->is_retriable()) return Status::TryAgain(msg);
  return Status::IoError(msg);
}

// An inbound record as the loop decides it, borrowed from librdkafka's message: the loop polls
// the C consumer itself, since the C++ wrapper allocates a Message object (and a key string)
// per record.
struct InboundRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string_view> key;  // nullopt when the record has none
  std::string_view value;
};

struct MessageFree {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using PolledMessage = std::unique_ptr<rd_kafka_message_t, MessageFree>;

inline std::string PartitionList(const std::set<int32_t>& partitions) {
  std::string out = "[";
  for (int32_t p : partitions) out += (out.size() > 1 ? "," : "") + std::to_string(p);
  return out + "]";
}

inline std::set<int32_t> PartitionsOf(const std::vector<RdKafka::TopicPartition*>& partitions) {
  std::set<int32_t> out;
  for (const RdKafka::TopicPartition* tp : partitions) out.insert(tp->partition());
  return out;
}

// An (incremental_)(un)assign failure: librdkafka's view of the assignment and ours now differ,
// so the pipeline stops (a restart rejoins with a clean slate).
inline Status AssignStatus(RdKafka::Error* error, const char* what) {
  if (error == nullptr) return Status::Ok();
  std::unique_ptr<RdKafka::Error> owned(error);
  return Status::Fatal(std::string(what) + ": " + error->str());
}

inline Status AssignStatus(RdKafka::ErrorCode e, const char* what) {
  if (e == RdKafka::ERR_NO_ERROR) return Status::Ok();
  return Status::Fatal(std::string(what) + ": " + RdKafka::err2str(e));
}

}  // namespace engine_detail

// One pipeline of the engine: owns its clients and its open transaction, and shares the store
// with the process's other pipelines (engine.threads). Each pipeline is a member of the
// consumer group in its own right, so the group gives each its own inbound partitions and,
// with them, its own orders: pipelines never decide the same order.
class EngineService::Loop : public RdKafka::RebalanceCb, public RdKafka::DeliveryReportCb {
 public:
  Loop(const Config& config, EngineMetrics* metrics, OrderStore* store, int pipeline)
      : config_(config),
        metrics_(metrics),
        inbound_(config.Topic("inbound")),
        events_(config.Topic("events")),
        rejections_(config.Topic("rejections")),
        store_(store),
        pipeline_(pipeline) {}
  // A commit still in flight (only if Run left by an exception) uses the producer and the
  // transaction fields: it ends before they go.
  ~Loop() override { committing_.reset(); }

  Status Start();
  Status Run(const std::atomic<bool>& stop);

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override;
  void dr_cb(RdKafka::Message& message) override;

 private:
  void Assign(RdKafka::KafkaConsumer* consumer, std::vector<RdKafka::TopicPartition*>& partitions,
              bool cooperative);
  void Revoke(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
              std::vector<RdKafka::TopicPartition*>& partitions, bool cooperative);
  const char* FinishTransactionOnRevoke(bool lost);
  void Fail(const Status& s) {
    if (!s.ok() && callback_status_.ok()) callback_status_ = s;
  }
  // `now` is the loop's clock reading for this record.
  Status Process(const engine_detail::InboundRecord& record, engine_detail::Clock::time_point now);
  // Starts committing the open transaction (after the commit before it finished).
  Status Commit();
  // Commit, then waits until everything decided is committed in Kafka and in the store.
  Status Flush();
  // The transaction being committed (Committing), sent off to the committer thread: its
  // states serialized for the store and cached as committed, its offsets and positions.
  Status StartCommit();
  // On the committer thread: the Kafka commit, then the store write.
  struct Committing;
  Status RunCommit(Committing& c);
  // When the commit in flight has finished (or always, with `wait`): its outcome, then the
  // Kafka transaction of the records decided meanwhile begins and they are produced.
  Status FinishCommit(bool wait);
  Status JoinCommit();             // waits for the commit in flight and books it
  Status BeginKafkaTransaction();  // and produces the held records
  void ClearTransaction();
  Status Abort(const Status& cause);
  Status Rewind();
  Status Rewind(const std::set<int32_t>& partitions);  // each to its committed offset
  // A newly assigned partition whose order states are being brought up to the end of its
  // gendan.events partition. Its inbound partition stays paused meanwhile; the loop steps the
  // catch-up between records, so the partitions it already owns keep flowing.
  struct CatchUp {
    std::unique_ptr<RdKafka::KafkaConsumer> reader;  // gendan.events, read_committed
    OrderStore::Batch batch;                         // folded states not yet written
    int64_t start = 0;                               // the store's position when it began
    bool waiting = false;                            // an open transaction was logged
    engine_detail::Clock::time_point deadline;
  };
  Status StartCatchUp(int32_t partition);
  Status StepCatchUps();
  // Folds up to a step's worth of events; *done once the partition's end is reached.
  Status StepCatchUp(int32_t partition, CatchUp& c, bool* done);
  Status WriteCatchUp(int32_t partition, CatchUp& c);
  Status FinishCatchUp(int32_t partition, CatchUp& c);
  Status FoldEvent(const RdKafka::Message& m, OrderStore::Batch* batch);
  Result<OrderState*> StateFor(const std::string& order_id);
  // Forgets the cached committed states (not the open transaction's): they are read again
  // from the store.
  void DropCommitted();
  Status ProduceRejection(const engine_detail::InboundRecord& record,
                          const v1::InboundEvent* parsed, v1::RejectionReason::Value reason,
                          const std::string& text);
  // Through a handle made in Start; the handle also tags the record for dr_cb.
  // While a commit is in flight the record is held (its Kafka transaction cannot begin yet).
  // `timestamp_ms`: the record's timestamp, the time it was decided (0: when produced).
  Status Produce(RdKafka::Topic& topic, int32_t partition, std::string_view key,
                 std::string_view value, int64_t timestamp_ms);
  Status ProduceNow(RdKafka::Topic& topic, int32_t partition, std::string_view key,
                    std::string_view value, int64_t timestamp_ms);
  Status EnsureTransaction();
  void UpdateLag();
  void SampleStore();

  Config config_;
  EngineMetrics* metrics_;
  const std::string inbound_, events_, rejections_;
  OrderStore* store_;  // shared by the pipelines; RocksDB is thread-safe
  const int pipeline_;
  int64_t reported_lag_ = 0;  // this pipeline's share of metrics_->consumer_lag
  v1::InboundEvent record_;   // the record being decided (kept for its buffers)
  std::string event_bytes_;   // the event being produced (kept for its buffer)
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::unique_ptr<RdKafka::Topic> events_topic_, rejections_topic_;  // of producer_
  std::set<int32_t> assigned_;              // partitions being decided (caught up, not paused)
  std::map<int32_t, CatchUp> catching_up_;  // assigned, paused, catching up
  std::map<int32_t, PartitionPosition> positions_;  // committed, per partition
  // Per partition being decided: the group's committed offset when it was last put there
  // (Rewind). Every record below it was decided in a committed transaction, by this instance
  // or the partition's previous owner, and is never decided again, wherever librdkafka's
  // fetcher happens to start (FinishCatchUp).
  struct Floor {
    int64_t offset = 0;
    bool warned = false;  // a record below it was logged
  };
  std::map<int32_t, Floor> floor_;
  // The order states the loop knows: committed ones (the cache) and, flagged in_txn, the open
  // transaction's (listed in txn_states_ too). One table, so a record's state costs one lookup,
  // and a state stays where it is from transaction to transaction (no node moves between
  // tables). Node-based: txn_states_ points at its elements across rehashes.
  struct CachedState {
    OrderState state;
    bool in_txn = false;
  };
  using States = absl::node_hash_map<std::string, CachedState>;
  States states_;
  std::vector<States::value_type*> txn_states_;  // the open transaction's, first use first
  Status callback_status_;                       // first failure inside a callback
  const std::atomic<bool>* stop_ = nullptr;      // Run's stop flag
  engine_detail::Clock::time_point next_stats_{};
  engine_detail::Clock::time_point next_poll_mark_{};  // when the liveness gauge is next updated

  // The transaction being committed, on the committer thread, while the loop decides the next
  // one. Every transaction's Kafka commit and store write run there in turn, and the next
  // commit starts only after the one before it finished both (FinishCommit): the store is never
  // more than one transaction behind Kafka, and never ahead of it. Until it finished, the loop
  // touches no Kafka transaction state (produced_, delivered_, last_event_offset_,
  // delivery_error_: dr_cb runs on the committer thread then) and holds the records it decides.
  struct Committing {
    std::vector<RdKafka::TopicPartition*> offsets;  // owned
    std::unique_ptr<RdKafka::ConsumerGroupMetadata> group;
    std::map<int32_t, PartitionPosition> positions;  // events_next set after the commit
    OrderStore::Writes* writes = nullptr;            // the changed states, serialized (writes_)
    int64_t records = 0;
    bool kafka_committed = false;  // the Kafka commit succeeded (the store write may not have)
    std::atomic<bool> finished{false};
    std::future<Status> done;
    ~Committing() {
      if (done.valid()) done.wait();  // the thread uses the offsets (and the loop's fields)
      RdKafka::TopicPartition::destroy(offsets);
    }
  };
  // Every commit's serialized states, refilled by StartCommit (the commit before has finished
  // by then): the batch keeps its buffer, which grows once instead of from empty every commit.
  OrderStore::Writes writes_;
  std::unique_ptr<Committing> committing_;
  // A record decided while a commit is in flight, its bytes in held_bytes_.
  struct Held {
    RdKafka::Topic* topic = nullptr;
    int32_t partition = 0;
    size_t key_at = 0, key_size = 0, value_at = 0, value_size = 0;
    int64_t timestamp_ms = 0;
  };
  std::vector<Held> held_;
  std::string held_bytes_;
  bool kafka_open_ = false;  // a Kafka transaction began and was neither committed nor aborted

  // The open transaction (its records are being decided).
  bool in_txn_ = false;
  engine_detail::Clock::time_point txn_deadline_;
  // Wall clock minus the steady clock at the transaction's start: a record's recorded_at is its
  // steady reading plus this, which saves a second clock read per record.
  std::chrono::nanoseconds wall_offset_{};
  std::map<int32_t, int64_t> next_inbound_;       // per partition: offset after the last record
  std::map<int32_t, int64_t> last_event_offset_;  // per events partition, from delivery reports
  int64_t txn_records_ = 0, produced_ = 0, delivered_ = 0;
  std::string delivery_error_;
};

}  // namespace gendan

#include "consumers/engine_service.h"

#include <google/protobuf/util/time_util.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include "consumers/engine_loop.h"
#include "consumers/kafka_client.h"
#include "consumers/order_store.h"
#include "consumers/store_retry.h"
#include "engine/decide.h"
#include "engine/describe.h"
#include "engine/intake.h"

namespace gendan {

using namespace engine_detail;  // NOLINT: the loop's own helpers (engine_loop.h)

namespace {

InboundRecord RecordOf(const rd_kafka_message_t& m) {
  InboundRecord r;
  r.partition = m.partition;
  r.offset = m.offset;
  if (m.key != nullptr) r.key = std::string_view(static_cast<const char*>(m.key), m.key_len);
  r.value = std::string_view(static_cast<const char*>(m.payload), m.len);
  return r;
}

}  // namespace

Status EngineService::Loop::Start() {
  // Pipeline 0 keeps the id of a single-pipeline engine, so changing engine.threads keeps it.
  std::string txn_id = config_.engine.group_id + "-" + config_.instance_id;
  if (pipeline_ > 0) txn_id += "-p" + std::to_string(pipeline_);
  auto producer = MakeProducer(config_,
                               {{"transactional.id", txn_id},
                                {"linger.ms", "5"},
                                {"compression.type", "lz4"},
                                {"message.max.bytes", "4194304"}},
                               this);
  if (!producer.ok()) return producer.status();
  producer_ = std::move(*producer);
  std::string err;
  events_topic_.reset(RdKafka::Topic::create(producer_.get(), events_, nullptr, err));
  rejections_topic_.reset(RdKafka::Topic::create(producer_.get(), rejections_, nullptr, err));
  if (!events_topic_ || !rejections_topic_) return Status::InvalidArgument("topic handle: " + err);
  Status same = RequireSamePartitions(*producer_, inbound_, events_,
                                      "events of inbound partition p go to events partition p");
  if (!same.ok()) return same;
  // Fences any earlier instance with the same transactional id and aborts its open transaction.
  Status s = TxnStatus(producer_->init_transactions(kKafkaTimeoutMs), "init_transactions");
  if (!s.ok()) return s;
  auto consumer = MakeConsumer(
      config_,
      WithDeepPrefetch({{"group.id", config_.engine.group_id},
                        // Static membership: a restarted instance takes its partitions
                        // back at once instead of waiting out its old session.
                        {"group.instance.id", txn_id},
                        {"enable.auto.commit", "false"},
                        {"auto.offset.reset", "earliest"},
                        {"isolation.level", "read_committed"},
                        // Cooperative incremental rebalancing: a rebalance moves only
                        // the partitions that change owner; the others keep flowing.
                        // A kafka.partition.assignment.strategy setting overrides it
                        // (range/roundrobin: the eager protocol, all stop and restart).
                        {"partition.assignment.strategy", "cooperative-sticky"}}),
      this);
  if (!consumer.ok()) return consumer.status();
  consumer_ = std::move(*consumer);
  if (auto e = consumer_->subscribe({inbound_}); e != RdKafka::ERR_NO_ERROR) {
    return Status::IoError("subscribing to " + inbound_ + ": " + RdKafka::err2str(e));
  }
  spdlog::info("engine: {} → {} / {} (transactional id {}, state in {})", inbound_, events_,
               rejections_, txn_id, config_.engine.state_dir);
  return Status::Ok();
}

Status EngineService::Loop::Run(const std::atomic<bool>& stop) {
  stop_ = &stop;
  Status status;
  // One clock read per record serves every check of the loop (the decision reads the wall
  // clock); the wait below uses the previous record's, a few microseconds old.
  Clock::time_point now = Clock::now();
  while (!stop.load() && status.ok() && callback_status_.ok()) {
    // While a commit is in flight, its end is looked for between records and every 2 ms.
    auto wait = std::chrono::milliseconds(committing_ ? 2 : catching_up_.empty() ? 100 : 5);
    if (in_txn_) {
      wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(txn_deadline_ - now),
                        std::chrono::milliseconds(0), wait);
    }
    if (!catching_up_.empty()) status = StepCatchUps();
    if (!status.ok()) break;
    // The C++ consume() is this call plus a Message object per record; rebalance_cb is served
    // here the same way. A record already queued is taken without a timeout: librdkafka reads
    // the clock twice more per call for one (the deadline and the time left), and the queue is
    // rarely empty while there is a backlog.
    PolledMessage message(rd_kafka_consumer_poll(consumer_->c_ptr(), 0));
    if (!message && callback_status_.ok() && wait.count() > 0) {
      message.reset(rd_kafka_consumer_poll(consumer_->c_ptr(), static_cast<int>(wait.count())));
    }
    // A rebalance callback served by this poll failed (e.g. its commit): decide and commit
    // nothing more, the transaction it left behind is aborted on the way out.
    if (!callback_status_.ok()) break;
    now = Clock::now();
    if (now >= next_poll_mark_) {  // the liveness gauge needs no finer grain
      metrics_->worker.liveness.Polled();
      next_poll_mark_ = now + kPollMarkInterval;
    }
    const rd_kafka_resp_err_t err = message ? message->err : RD_KAFKA_RESP_ERR__TIMED_OUT;
    switch (err) {
      case RD_KAFKA_RESP_ERR_NO_ERROR: status = Process(RecordOf(*message), now); break;
      case RD_KAFKA_RESP_ERR__TIMED_OUT:
      case RD_KAFKA_RESP_ERR__PARTITION_EOF: break;
      case RD_KAFKA_RESP_ERR__FATAL:
        status = Status::Fatal(std::string("consumer: ") + rd_kafka_message_errstr(message.get()));
        break;
      default: spdlog::warn("engine: consume: {}", rd_kafka_message_errstr(message.get())); break;
    }
    if (status.ok() && committing_ && committing_->finished.load(std::memory_order_acquire)) {
      status = FinishCommit(/*wait=*/false);
    }
    if (status.ok() && in_txn_ && now >= txn_deadline_) status = Commit();
    if (status.retryable()) status = Abort(status);
    // Idle, nothing commits: the lag gauges still follow the high watermarks (cached locally).
    if (err == RD_KAFKA_RESP_ERR__TIMED_OUT && !in_txn_ && !committing_) UpdateLag();
    if (now >= next_stats_) SampleStore();
  }
  if (status.ok()) status = callback_status_;
  if (status.ok()) status = Flush();
  if (status.retryable()) status = Abort(status);
  if (!status.ok()) {
    // Failed mid-batch (e.g. a store read): its offsets already count the failing record, so the
    // transaction must not commit on the way out, and is aborted rather than left to
    // transaction.timeout.ms (it would hold back read_committed readers until then). A producer
    // in a fatal state (fenced) cannot abort; the next instance's init_transactions aborts it.
    if (committing_) {
      Status joined = JoinCommit();
      if (!joined.ok()) {
        spdlog::error("engine: the commit in flight failed too: {}", joined.message());
        if (joined.code() == Status::Code::kFatal) status = joined;
      }
    }
    const bool producer_failed =
        rd_kafka_fatal_error(producer_->c_ptr(), nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR;
    if (kafka_open_ && !producer_failed) {
      (void)TxnStatus(producer_->abort_transaction(kKafkaTimeoutMs), "abort_transaction");
    }
    kafka_open_ = false;
    ClearTransaction();
  }
  consumer_->close();  // leaves the group; the revoke callback finds no open transaction
  if (status.ok()) status = callback_status_;
  return status;
}

// Opens a transaction for the record about to be decided. Its Kafka transaction begins now, or
// once the commit in flight has finished (its records are held until then).
Status EngineService::Loop::EnsureTransaction() {
  if (in_txn_) return Status::Ok();
  if (!committing_) {
    Status s = BeginKafkaTransaction();
    if (!s.ok()) return s;
  }
  in_txn_ = true;
  const auto steady = Clock::now();
  txn_deadline_ = steady + config_.engine.commit_interval;
  wall_offset_ = std::chrono::system_clock::now().time_since_epoch() - steady.time_since_epoch();
  txn_records_ = 0;
  return Status::Ok();
}

Status EngineService::Loop::BeginKafkaTransaction() {
  Status s = TxnStatus(producer_->begin_transaction(), "begin_transaction");
  if (!s.ok()) return s;
  kafka_open_ = true;
  produced_ = delivered_ = 0;
  delivery_error_.clear();
  last_event_offset_.clear();
  for (const Held& h : held_) {
    s = ProduceNow(*h.topic, h.partition,
                   std::string_view(held_bytes_).substr(h.key_at, h.key_size),
                   std::string_view(held_bytes_).substr(h.value_at, h.value_size), h.timestamp_ms);
    if (!s.ok()) return s;
  }
  held_.clear();
  held_bytes_.clear();
  return Status::Ok();
}

// The state an inbound record is decided against: this transaction's, else the committed one,
// which the transaction takes over in place (flagged in_txn). If the transaction aborts, its
// states leave the cache and the next access reads the committed state back from the store.
Result<OrderState*> EngineService::Loop::StateFor(const std::string& order_id) {
  auto it = states_.find(order_id);
  if (it == states_.end()) {
    auto stored = store_->Get(order_id);
    if (!stored.ok()) return stored.status();
    it = states_.try_emplace(order_id).first;
    if (stored->has_value()) it->second.state = std::move(**stored);
  }
  if (!it->second.in_txn) {
    it->second.in_txn = true;
    txn_states_.push_back(&*it);
  }
  return &it->second.state;
}

void EngineService::Loop::DropCommitted() {
  absl::erase_if(states_, [](const States::value_type& s) { return !s.second.in_txn; });
}

Status EngineService::Loop::Process(const InboundRecord& record, Clock::time_point now) {
  // Fetched before the pause took hold: decided once the states are caught up (the partition
  // is put back at its committed offset then).
  if (catching_up_.count(record.partition) != 0) return Status::Ok();
  // Below the committed offset: decided and committed already (FinishCatchUp), never again.
  if (auto f = floor_.find(record.partition);
      f != floor_.end() && record.offset < f->second.offset) {
    if (!f->second.warned) {
      f->second.warned = true;
      spdlog::warn(
          "engine: {} partition {} delivered offset {}, below its committed offset {}: the "
          "records up to that offset are decided already and are skipped",
          inbound_, record.partition, record.offset, f->second.offset);
    }
    return Status::Ok();
  }
  Status s = EnsureTransaction();
  if (!s.ok()) return s;
  const int32_t partition = record.partition;
  next_inbound_[partition] = record.offset + 1;
  ++txn_records_;
  metrics_->records.fetch_add(1, std::memory_order_relaxed);

  DecideOptions options;
  options.now = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(now.time_since_epoch() +
                                                                      wall_offset_));
  options.max_clock_skew = config_.engine.max_clock_skew;
  v1::InboundEvent& inbound = record_;  // reused: parsing into it keeps its string buffers
  if (auto refused = ParseRecord(record.value, record.key, options, &inbound)) {
    return ProduceRejection(record, refused->parsed ? &inbound : nullptr, refused->rejected.reason,
                            refused->rejected.message);
  }
  auto state = StateFor(inbound.order_id());
  if (!state.ok()) return state.status();
  Verdict verdict = Judge(**state, inbound, options);
  if (auto* accept = std::get_if<Accept>(&verdict)) {
    // The recorded event is the record's own bytes plus version and recorded_at (decide.h):
    // no OrderEvent is built, copied and serialized per record.
    if (RecordsAsBytes(inbound)) {
      event_bytes_.assign(record.value);
      AppendRecordFields(&event_bytes_, accept->version, options.now);
    } else {
      event_bytes_ = BuildEvent(**state, inbound, options).SerializeAsString();
    }
    EvolveInbound(**state, inbound, accept->version);
    metrics_->accepted.fetch_add(1, std::memory_order_relaxed);
    // The record's timestamp is its decision's time, which is at hand (librdkafka would read
    // the wall clock for it).
    const int64_t decided_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.now.time_since_epoch())
            .count();
    return Produce(*events_topic_, partition, inbound.order_id(), event_bytes_, decided_ms);
  }
  if (auto* rejected = std::get_if<Rejected>(&verdict)) {
    return ProduceRejection(record, &inbound, rejected->reason, rejected->message);
  }
  metrics_->duplicates.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

Status EngineService::Loop::ProduceRejection(const InboundRecord& record,
                                             const v1::InboundEvent* parsed,
                                             v1::RejectionReason::Value reason,
                                             const std::string& text) {
  v1::Rejection rejection;
  if (parsed != nullptr) {
    *rejection.mutable_inbound() = *parsed;
  } else {
    rejection.set_raw(record.value.data(), std::min(record.value.size(), kRejectionRawCap));
  }
  rejection.set_reason(reason);
  rejection.set_message(text);
  *rejection.mutable_rejected_at() =
      google::protobuf::util::TimeUtil::MillisecondsToTimestamp(UnixMillisNow());
  rejection.set_topic(inbound_);  // the loop's consumer reads nothing else
  rejection.set_partition(record.partition);
  rejection.set_offset(record.offset);
  metrics_->rejected[reason].fetch_add(1, std::memory_order_relaxed);
  const std::string_view key = parsed != nullptr ? std::string_view(parsed->order_id())
                                                 : record.key.value_or(std::string_view());
  return Produce(*rejections_topic_, RdKafka::Topic::PARTITION_UA, key,
                 rejection.SerializeAsString(), /*timestamp_ms=*/0);
}

Status EngineService::Loop::Produce(RdKafka::Topic& topic, int32_t partition, std::string_view key,
                                    std::string_view value, int64_t timestamp_ms) {
  if (committing_ && (held_.size() >= kMaxHeldRecords || held_bytes_.size() >= kMaxHeldBytes)) {
    Status s = FinishCommit(/*wait=*/true);
    if (!s.ok()) return s;
  }
  if (committing_) {
    Held& h = held_.emplace_back();
    h.topic = &topic;
    h.partition = partition;
    h.timestamp_ms = timestamp_ms;
    h.key_at = held_bytes_.size();
    h.key_size = key.size();
    held_bytes_.append(key);
    h.value_at = held_bytes_.size();
    h.value_size = value.size();
    held_bytes_.append(value);
    return Status::Ok();
  }
  return ProduceNow(topic, partition, key, value, timestamp_ms);
}

Status EngineService::Loop::ProduceNow(RdKafka::Topic& topic, int32_t partition,
                                       std::string_view key, std::string_view value,
                                       int64_t timestamp_ms) {
  RdKafka::ErrorCode e =
      ProduceWaiting(*producer_, topic, partition, key, value, &topic, timestamp_ms);
  if (e == RdKafka::ERR_NO_ERROR) {
    ++produced_;
    return Status::Ok();
  }
  std::string why = "producing to " + topic.name() + ": " + RdKafka::err2str(e);
  return e == RdKafka::ERR__FATAL ? Status::Fatal(why) : Status::TryAgain(why);
}

void EngineService::Loop::dr_cb(RdKafka::Message& message) {
  if (message.err() != RdKafka::ERR_NO_ERROR) {
    if (delivery_error_.empty()) delivery_error_ = message.errstr();
    return;
  }
  ++delivered_;
  if (message.msg_opaque() == events_topic_.get()) {  // tagged by Produce
    int64_t& last = last_event_offset_[message.partition()];
    last = std::max(last, message.offset());
  }
}

Status EngineService::Loop::Commit() {
  Status s = FinishCommit(/*wait=*/true);  // one commit at a time, in order
  if (!s.ok() || !in_txn_) return s;
  return StartCommit();
}

Status EngineService::Loop::Flush() {
  Status s = Commit();
  if (s.ok()) s = FinishCommit(/*wait=*/true);
  return s;
}

// The transaction's states leave it here, serialized for the store, and go to the cache as
// committed: the records decided while the commit runs build on them. Should the commit fail,
// Abort drops the cache, and every state is read again from the store, which has every commit
// before this one (the commit before it finished, store write included, before this started).
Status EngineService::Loop::StartCommit() {
  if (!kafka_open_ || !held_.empty()) {
    // Offsets past records never produced would commit their loss.
    return Status::Fatal("engine: a commit of a transaction that did not begin in Kafka");
  }
  auto c = std::make_unique<Committing>();
  for (const auto& [partition, next] : next_inbound_) {
    c->offsets.push_back(RdKafka::TopicPartition::create(inbound_, partition, next));
    PartitionPosition pos = positions_[partition];
    pos.inbound_next = next;
    c->positions[partition] = pos;
  }
  c->group.reset(consumer_->groupMetadata());
  c->records = txn_records_;
  writes_.Clear();
  c->writes = &writes_;
  // Beyond the configured size the cache starts over (refilled from RocksDB as orders recur):
  // memory is bounded by engine.state_cache_orders, not by the number of orders ever seen. No
  // write is in flight here, so the store has every state the cache drops.
  if (states_.size() > config_.engine.state_cache_orders) DropCommitted();
  // Orders that never came to exist (every fact refused, e.g. UNKNOWN_ORDER) are neither stored
  // nor cached: a stream of bogus ids must not grow the store.
  for (States::value_type* s : txn_states_) {
    if (!s->second.state.exists()) {
      states_.erase(s->first);
      continue;
    }
    c->writes->Put(s->first, s->second.state);
    s->second.in_txn = false;
  }
  txn_states_.clear();
  next_inbound_.clear();
  in_txn_ = false;
  Committing* raw = c.get();
  committing_ = std::move(c);
  raw->done = std::async(std::launch::async, [this, raw] {
    pthread_setname_np(pthread_self(), "gendan-commit");  // for perf and top
    Status s = RunCommit(*raw);
    raw->finished.store(true, std::memory_order_release);
    return s;
  });
  return Status::Ok();
}

// Kafka has the batch; then the store follows, states and positions in one WriteBatch. The
// loop produces nothing meanwhile, so every delivery report served here is this transaction's.
Status EngineService::Loop::RunCommit(Committing& c) {
  Status s =
      TxnStatus(producer_->send_offsets_to_transaction(c.offsets, c.group.get(), kKafkaTimeoutMs),
                "send_offsets_to_transaction");
  if (s.ok()) s = TxnStatus(producer_->commit_transaction(kKafkaTimeoutMs), "commit_transaction");
  if (!s.ok()) return s;
  c.kafka_committed = true;
  producer_->poll(0);
  if (!delivery_error_.empty() || delivered_ != produced_) {
    return Status::Fatal("transaction committed but " + std::to_string(produced_ - delivered_) +
                         " records were not acknowledged: " + delivery_error_);
  }
  for (auto& [partition, pos] : c.positions) {
    if (auto it = last_event_offset_.find(partition); it != last_event_offset_.end()) {
      pos.events_next = it->second + 1;
    }
    c.writes->Put(partition, pos);
  }
  // The batch waits here, whole, until the store takes it: the next commit waits for it.
  s = WriteWithRetry(
      config_.store, &metrics_->store_health, stop_,
      "engine: order store " + config_.engine.state_dir, [&] { return store_->Write(*c.writes); },
      [&] { return store_->Resume(); });
  if (!s.ok()) {
    return Status::Fatal(s.message() +
                         " (Kafka committed the batch, with its offsets, before the store " +
                         "write; a restart catches the store up from " + events_ + ")");
  }
  return Status::Ok();
}

Status EngineService::Loop::FinishCommit(bool wait) {
  if (!committing_) return Status::Ok();
  if (!wait && !committing_->finished.load(std::memory_order_acquire)) return Status::Ok();
  Status s = JoinCommit();
  // The records decided meanwhile: their transaction begins, and they are produced.
  if (s.ok() && in_txn_) s = BeginKafkaTransaction();
  return s;
}

Status EngineService::Loop::JoinCommit() {
  std::unique_ptr<Committing> c = std::move(committing_);
  Status s = c->done.get();
  if (!s.ok()) {
    // The records decided meanwhile built on the failed transaction's states: they are never
    // produced, and the cache that holds those states goes (for every caller: the loop, a
    // revoke, an abort, the way out).
    ClearTransaction();
    states_.clear();
    // Committed in Kafka, not in the store: nothing to abort, nothing to commit again.
    if (c->kafka_committed) kafka_open_ = false;
    return s;
  }
  kafka_open_ = false;
  for (const auto& [partition, pos] : c->positions) positions_[partition] = pos;
  metrics_->transactions_committed.fetch_add(1, std::memory_order_relaxed);
  metrics_->batch_records_sum.fetch_add(c->records, std::memory_order_relaxed);
  metrics_->last_batch_records.store(c->records, std::memory_order_relaxed);
  metrics_->last_commit_unix_ms.store(UnixMillisNow(), std::memory_order_relaxed);
  metrics_->worker.liveness.Progressed();
  UpdateLag();
  return Status::Ok();
}

// Drops the open transaction's records and states (never while a commit is in flight).
void EngineService::Loop::ClearTransaction() {
  for (States::value_type* s : txn_states_) states_.erase(s->first);
  txn_states_.clear();
  next_inbound_.clear();
  held_.clear();
  held_bytes_.clear();
  in_txn_ = false;
}

// Aborts everything not committed: the open transaction and, when its commit failed, the one
// before it. The cache goes too (it holds the states of the transaction that was committing),
// and every state is read again from the store, which has every commit that succeeded.
Status EngineService::Loop::Abort(const Status& cause) {
  spdlog::warn("engine: aborting transaction of {} records: {}", txn_records_, cause.message());
  if (committing_) {
    Status joined = JoinCommit();
    if (joined.code() == Status::Code::kFatal) return joined;
  }
  Status s;
  if (kafka_open_)
    s = TxnStatus(producer_->abort_transaction(kKafkaTimeoutMs), "abort_transaction");
  kafka_open_ = false;
  metrics_->transactions_aborted.fetch_add(1, std::memory_order_relaxed);
  ClearTransaction();
  states_.clear();
  if (!s.ok()) return Status::Fatal(s.message());
  return Rewind();
}

// Puts every assigned partition back at its committed offset, so the aborted records are
// decided again from the committed states. A partition whose committed offset cannot be read
// (a transaction's offsets still settling, a rebalance under way) is asked again: taking its
// missing offset for "never committed" would decide the whole partition again.
Status EngineService::Loop::Rewind() { return Rewind(assigned_); }

Status EngineService::Loop::Rewind(const std::set<int32_t>& partitions) {
  if (partitions.empty()) return Status::Ok();
  std::vector<RdKafka::TopicPartition*> parts;
  for (int32_t p : partitions) parts.push_back(RdKafka::TopicPartition::create(inbound_, p));
  std::string why;
  for (int attempt = 0; attempt < 40; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    why.clear();
    RdKafka::ErrorCode e = consumer_->committed(parts, kKafkaTimeoutMs);
    if (e != RdKafka::ERR_NO_ERROR) why = RdKafka::err2str(e);
    for (const RdKafka::TopicPartition* tp : parts) {
      if (why.empty() && tp->err() != RdKafka::ERR_NO_ERROR) {
        why = "partition " + std::to_string(tp->partition()) + ": " + RdKafka::err2str(tp->err());
      }
    }
    if (why.empty()) break;
  }
  Status s;
  if (!why.empty()) s = Status::Fatal("reading committed offsets: " + why);
  for (RdKafka::TopicPartition* tp : parts) {
    if (!s.ok()) break;
    if (tp->offset() < 0) tp->set_offset(RdKafka::Topic::OFFSET_BEGINNING);  // never committed
    floor_[tp->partition()] = Floor{std::max<int64_t>(tp->offset(), 0)};
    if (auto se = consumer_->seek(*tp, kKafkaTimeoutMs); se != RdKafka::ERR_NO_ERROR) {
      s = Status::Fatal("rewinding partition " + std::to_string(tp->partition()) + ": " +
                        RdKafka::err2str(se));
    }
  }
  RdKafka::TopicPartition::destroy(parts);
  return s;
}

void EngineService::Loop::UpdateLag() {
  int64_t lag = 0;
  std::set<int32_t> owned = assigned_;  // and the ones still catching up: their records wait
  for (const auto& [p, c] : catching_up_) owned.insert(p);
  for (int32_t p : owned) {
    int64_t low = 0, high = 0;
    if (consumer_->get_watermark_offsets(inbound_, p, &low, &high) != RdKafka::ERR_NO_ERROR) {
      continue;
    }
    auto it = positions_.find(p);
    int64_t next = it == positions_.end() ? low : it->second.inbound_next;
    metrics_->worker.lag.Set(p, std::max<int64_t>(0, high - next));
    lag += std::max<int64_t>(0, high - next);
  }
  // The gauge is the sum over the pipelines: each adds the change of its own share.
  metrics_->consumer_lag.fetch_add(lag - reported_lag_, std::memory_order_relaxed);
  reported_lag_ = lag;
}

void EngineService::Loop::SampleStore() {
  next_stats_ = Clock::now() + kStatsInterval;
  metrics_->worker.store.Set(store_->Stats());
}

EngineService::EngineService(Config config, EngineMetrics* metrics)
    : config_(std::move(config)), metrics_(metrics) {}

EngineService::~EngineService() = default;

Status EngineService::Run(const std::atomic<bool>& stop) {
  auto store = OrderStore::Open(config_.engine.state_dir);
  if (!store.ok()) return store.status();
  const int n = config_.engine.threads;
  if (n == 1) {
    Loop loop(config_, metrics_, store->get(), 0);
    Status s = loop.Start();
    if (!s.ok()) return s;
    return loop.Run(stop);
  }
  // Several pipelines: the first to fail stops the others, and Run reports that failure, so the
  // process exits as a whole and restarts with every pipeline (a half-running engine would
  // leave its failed pipeline's partitions unassigned while the group thinks they are served).
  std::atomic<bool> halt = false;
  std::vector<Status> results(static_cast<size_t>(n));
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      Loop loop(config_, metrics_, store->get(), i);
      Status s = loop.Start();
      if (s.ok()) s = loop.Run(halt);
      results[static_cast<size_t>(i)] = s;
      if (!s.ok()) halt = true;
    });
  }
  std::thread watch([&] {
    while (!halt.load()) {
      if (stop.load()) halt = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  for (auto& t : threads) t.join();
  halt = true;
  watch.join();
  for (const Status& s : results) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace gendan

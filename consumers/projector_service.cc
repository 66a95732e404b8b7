#include "consumers/projector_service.h"

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "consumers/alert_publisher.h"
#include "consumers/batch_writer.h"
#include "consumers/kafka_client.h"
#include "consumers/store_retry.h"
#include "projections/projector.h"

namespace gendan {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxBatchEvents = 20'000;  // bounds memory when catching up on a backlog
constexpr auto kStatsInterval = std::chrono::seconds(5);  // RocksDB figures for /metrics
// How often the ownership record's heartbeat is refreshed (serve treats a record older than a
// few of these as a dead instance's).
constexpr auto kHeartbeatInterval = std::chrono::seconds(1);
// Orders of a lost partition removed per commit: bounds the batch while the loop keeps serving
// its own partitions in between.
constexpr size_t kUnloadChunk = 2'000;
// How long a lost partition stays before it is unloaded: a rebalance often takes more than one
// round, and a partition that comes back within it needs no replay.
constexpr auto kUnloadDelay = std::chrono::seconds(10);
constexpr int kKafkaTimeoutMs = 30'000;

int64_t UnixMillisNow() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<ProjectionOptions> ProjectionOptionsFrom(const Config& config) {
  auto offset = UtcOffset::Parse(config.projector.utc_offset);
  if (!offset.ok()) return offset.status();
  ProjectionOptions options;
  options.kpi.offset = *offset;
  options.kpi.sla_critical = std::chrono::hours(config.projector.sla_critical_hours);
  options.kpi.sla_major = std::chrono::hours(config.projector.sla_major_hours);
  options.kpi.sla_minor = std::chrono::hours(config.projector.sla_minor_hours);
  options.risk.offset = *offset;
  options.risk.buffer_days = config.risk.buffer_days;
  options.risk.sla_critical = options.kpi.sla_critical;
  options.risk.sla_major = options.kpi.sla_major;
  options.risk.sla_minor = options.kpi.sla_minor;
  options.cache_orders = config.projector.cache_orders;
  options.cache_cells = config.projector.cache_cells;
  if (!config.risk.now.empty()) {
    google::protobuf::Timestamp fixed;
    if (!google::protobuf::util::TimeUtil::FromString(config.risk.now, &fixed)) {
      return Status::InvalidArgument("risk.now must be an RFC 3339 instant, got '" +
                                     config.risk.now + "'");
    }
    auto at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(
            google::protobuf::util::TimeUtil::TimestampToNanoseconds(fixed))));
    options.now = [at] { return at; };
  } else if (config.risk.now_offset_s != 0) {
    auto shift = std::chrono::seconds(config.risk.now_offset_s);
    options.now = [shift] { return std::chrono::system_clock::now() + shift; };
  }
  return options;
}

class ProjectorService::Loop : public RdKafka::RebalanceCb {
 public:
  Loop(const Config& config, ReadModelStore* store, ProjectorMetrics* metrics,
       const ProjectionOptions& options)
      : config_(config),
        store_(store),
        metrics_(metrics),
        events_(config.Topic("events")),
        batch_(*store, options),
        publisher_(config, store, metrics),
        writer_("gendan-proj-w", [this](rocksdb::WriteBatch& wb, ProjectionBatch::Staged& staged) {
          return WriteStaged(wb, staged);
        }) {}

  Status Start();
  Status Run(const std::atomic<bool>& stop);
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override;

 private:
  Status Apply(const RdKafka::Message& m);
  // Stages the batch and writes it on the writer thread (after the one before it landed).
  Status CommitAsync();
  // CommitAsync, then waits until it landed: for rebalances, ticks, unloads and the way out.
  Status Commit();
  // Waits for the batch in flight, if any, and accounts for it.
  Status Flush();
  // On the writer thread: the read models' write, then what it changed is published.
  Status WriteStaged(rocksdb::WriteBatch& wb, ProjectionBatch::Staged& staged);
  void Publish(const std::vector<std::pair<std::string, std::string>>& statuses);
  void UpdateLag();
  Status FollowSwap();
  Status TickAlerts();
  void SampleStore();
  void Assign(RdKafka::KafkaConsumer* consumer, std::vector<RdKafka::TopicPartition*>& partitions,
              bool cooperative);
  void Revoke(RdKafka::KafkaConsumer* consumer, std::vector<RdKafka::TopicPartition*>& partitions,
              bool cooperative);
  Status StartPartition(RdKafka::TopicPartition* tp, const std::map<int32_t, int64_t>& offsets);
  Status AdoptAlertsIfNeeded(int32_t partition, bool held, int64_t replay_until);
  using Published = AlertPublisher::Published;
  Status FindUnloading();
  Status UnloadStep();
  void CheckLoading();
  void Loaded(int32_t partition, int64_t offset);
  void WriteOwnership();

  Config config_;
  ReadModelStore* store_;
  ProjectorMetrics* metrics_;
  const std::string events_;
  ProjectionBatch batch_;
  AlertPublisher publisher_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::unique_ptr<RdKafka::Producer> status_producer_;
  std::set<int32_t> assigned_;
  // Several instances (docs/scaling.md): partitions held in the store but assigned to another
  // instance now, removed chunk by chunk; assigned partitions still replaying, with the end
  // offset they replay to.
  std::map<int32_t, Clock::time_point> unloading_;  // partition → when it was found lost
  std::map<int32_t, int64_t> loading_;
  int32_t partition_count_ = 0;
  int64_t assigned_unix_ms_ = 0;
  Clock::time_point next_heartbeat_{};
  Clock::time_point batch_deadline_ = Clock::time_point::max();
  Clock::time_point next_swap_check_{};
  Clock::time_point next_tick_{};
  Clock::time_point next_stats_{};
  Status callback_status_;
  const std::atomic<bool>* stop_ = nullptr;  // Run's stop flag
  Status store_failed_;  // set once a read-model write was given up: nothing more is written
  // Publishing what the last written batch changed (gendan.status, the alert outbox): set by
  // the writer thread, read once Flush waited for it.
  Status published_;
  // Writes each batch while this thread applies the next. Declared last: destroyed (joined)
  // before everything its thread uses.
  BatchWriter writer_;
};

Status ProjectorService::Loop::Start() {
  auto producer = MakeProducer(
      config_, {{"enable.idempotence", "true"}, {"linger.ms", "20"}, {"compression.type", "lz4"}});
  if (!producer.ok()) return producer.status();
  status_producer_ = std::move(*producer);
  auto consumer =
      MakeConsumer(config_,
                   {{"group.id", config_.projector.group_id},
                    // Static membership: a restart takes its partitions back at once.
                    {"group.instance.id", config_.projector.group_id + "-" + config_.instance_id},
                    // Cooperative: a rebalance moves only the partitions that change owner, the
                    // others keep flowing (a moved partition costs its new owner a replay).
                    {"partition.assignment.strategy", "cooperative-sticky"},
                    {"enable.auto.commit", "false"},
                    {"enable.auto.offset.store", "false"},
                    // The end of a partition, past its last transaction marker: a replay that
                    // reached it is over even when no event follows the marker (CheckLoading).
                    {"enable.partition.eof", "true"},
                    {"auto.offset.reset", "earliest"},
                    {"isolation.level", "read_committed"}},
                   this);
  if (!consumer.ok()) return consumer.status();
  consumer_ = std::move(*consumer);
  if (auto e = consumer_->subscribe({events_}); e != RdKafka::ERR_NO_ERROR) {
    return Status::IoError("subscribing to " + events_ + ": " + RdKafka::err2str(e));
  }
  auto count = PartitionCount(*consumer_, events_, kKafkaTimeoutMs);
  if (!count.ok()) return count.status();
  partition_count_ = *count;
  Status s = publisher_.Start();
  if (!s.ok()) return s;
  spdlog::info("projector: {} → read models in {} (instance {})", events_,
               config_.projector.state_dir, config_.instance_id);
  return Status::Ok();
}

Status ProjectorService::Loop::Run(const std::atomic<bool>& stop) {
  stop_ = &stop;
  Status s;
  while (!stop.load() && s.ok() && callback_status_.ok()) {
    auto wait = std::chrono::milliseconds(100);
    if (batch_.events() > 0) {
      wait = std::clamp(
          std::chrono::duration_cast<std::chrono::milliseconds>(batch_deadline_ - Clock::now()),
          std::chrono::milliseconds(0), wait);
    }
    std::unique_ptr<RdKafka::Message> m(consumer_->consume(static_cast<int>(wait.count())));
    metrics_->worker.liveness.Polled();
    switch (m->err()) {
      case RdKafka::ERR_NO_ERROR: s = Apply(*m); break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF: Loaded(m->partition(), m->offset()); break;
      case RdKafka::ERR__FATAL: s = Status::Fatal("consumer: " + m->errstr()); break;
      default: spdlog::warn("projector: consume: {}", m->errstr()); break;
    }
    if (s.ok() && (Clock::now() >= batch_deadline_ || batch_.events() >= kMaxBatchEvents))
      s = CommitAsync();
    status_producer_->poll(0);
    if (s.ok() && writer_.busy() && (m->err() == RdKafka::ERR__TIMED_OUT || writer_.finished()))
      s = Flush();  // landed (or idle): account for it now, not at the next commit
    if (m->err() == RdKafka::ERR__TIMED_OUT) UpdateLag();
    if (s.ok() && Clock::now() >= next_swap_check_) s = FollowSwap();
    if (s.ok() && Clock::now() >= next_tick_) s = TickAlerts();
    if (s.ok() && batch_.events() == 0 && !unloading_.empty()) s = UnloadStep();
    if (Clock::now() >= next_stats_) SampleStore();
    if (Clock::now() >= next_heartbeat_) WriteOwnership();
  }
  if (s.ok()) s = callback_status_;
  if (s.ok()) s = Commit();
  if (Status flushed = Flush(); s.ok()) s = flushed;  // nothing left in flight
  consumer_->close();
  status_producer_->flush(10'000);
  // Serving nothing now: the other instances' serves see the partitions as unclaimed at once.
  assigned_.clear();
  loading_.clear();
  WriteOwnership();
  return s.ok() ? callback_status_ : s;
}

Status ProjectorService::Loop::Apply(const RdKafka::Message& m) {
  v1::OrderEvent event;
  if (!event.ParseFromArray(m.payload(), static_cast<int>(m.len()))) {
    // gendan.events is written only by the engine: a bad record means a foreign writer.
    return Status::Fatal(events_ + " partition " + std::to_string(m.partition()) + " offset " +
                         std::to_string(m.offset()) + " is not a gendan.v1.OrderEvent");
  }
  if (batch_.events() == 0) batch_deadline_ = Clock::now() + config_.projector.commit_interval;
  return batch_.Apply(event, m.partition(), m.offset(),
                      {static_cast<const char*>(m.payload()), m.len()});
}

Status ProjectorService::Loop::CommitAsync() {
  if (!store_failed_.ok()) return store_failed_;  // e.g. the revoke on the way out
  batch_deadline_ = Clock::time_point::max();
  auto staged = batch_.Stage();
  if (!staged.ok()) {
    store_failed_ = staged.status();
    return store_failed_;
  }
  // Writes land in order: the batch before this one first.
  Status s = Flush();
  if (!s.ok()) return s;
  return writer_.Submit(std::move(*staged));
}

// The batch waits here, whole, until the store takes it.
Status ProjectorService::Loop::WriteStaged(rocksdb::WriteBatch& wb,
                                           ProjectionBatch::Staged& staged) {
  Status s = WriteWithRetry(
      config_.store, &metrics_->store_health, stop_,
      "projector: read models " + store_->generation(), [&] { return store_->Write(&wb); },
      [&] { return store_->Resume(); });
  if (!s.ok()) return s;
  metrics_->events.fetch_add(static_cast<int64_t>(staged.events), std::memory_order_relaxed);
  metrics_->batches.fetch_add(1, std::memory_order_relaxed);
  for (const auto& [key, a] : staged.alerts) {
    (a.state() == v1::Alert::RAISED ? metrics_->alerts_raised : metrics_->alerts_cleared)
        .fetch_add(1, std::memory_order_relaxed);
  }
  metrics_->last_commit_unix_ms.store(UnixMillisNow(), std::memory_order_relaxed);
  if (staged.events > 0 || !staged.alerts.empty()) metrics_->worker.liveness.Progressed();
  Publish(staged.statuses);
  published_ = publisher_.Drain(std::move(staged.alerts));
  return Status::Ok();
}

Status ProjectorService::Loop::Flush() {
  if (!writer_.busy()) return store_failed_;
  Status s = writer_.Wait();
  if (!s.ok()) {
    // Neither this batch nor the one staged after it is written: the read models keep their
    // last written offsets, and nothing more is written.
    batch_.Dropped();
    store_failed_ = s.code() == Status::Code::kFatal
                        ? Status::Fatal(s.message() +
                                        " (the read models keep their last committed offsets; a "
                                        "restart resumes from them)")
                        : s;
    return store_failed_;
  }
  if (!published_.ok()) return published_;
  UpdateLag();
  if (!loading_.empty()) CheckLoading();
  return Status::Ok();
}

Status ProjectorService::Loop::Commit() {
  Status s = CommitAsync();
  if (s.ok()) s = Flush();
  return s;
}

// The latest status per changed order, at least once: the topic is compacted by order_id, so a
// repeat after a crash only rewrites the same latest value.
void ProjectorService::Loop::Publish(
    const std::vector<std::pair<std::string, std::string>>& statuses) {
  const std::string topic = config_.Topic("status");
  for (const auto& [order_id, value] : statuses) {
    auto e =
        ProduceWaiting(*status_producer_, topic, RdKafka::Topic::PARTITION_UA, order_id, value);
    if (e != RdKafka::ERR_NO_ERROR)
      spdlog::warn("projector: publishing status: {}", RdKafka::err2str(e));
  }
  metrics_->statuses_published.fetch_add(static_cast<int64_t>(statuses.size()),
                                         std::memory_order_relaxed);
}

// The risk monitor's clock: orders whose alert schedule has come are re-evaluated and committed.
Status ProjectorService::Loop::TickAlerts() {
  // The schedule is read from the store: not while a write is in flight (the tick comes once it
  // landed, rather than stopping the loop to wait for it).
  if (writer_.busy()) return Status::Ok();
  next_tick_ = Clock::now() + config_.risk.tick_interval;
  auto touched = batch_.Tick();
  if (!touched.ok()) return touched.status();
  return *touched > 0 ? CommitAsync() : Status::Ok();
}

// After `gendan rebuild` swapped in a new generation: finish the batch on the old one, open the
// new one, and resume each partition from the new generation's own offsets.
Status ProjectorService::Loop::FollowSwap() {
  next_swap_check_ = Clock::now() + std::chrono::seconds(1);
  if (!store_->Swapped()) return Status::Ok();
  Status s = Commit();
  if (s.ok()) s = store_->Reopen();
  batch_.ForgetCaches();
  if (!s.ok()) return s;
  auto offsets = store_->Offsets();
  if (!offsets.ok()) return offsets.status();
  // Seek, not assign: with cooperative rebalancing the assignment belongs to the group protocol.
  for (int32_t p : assigned_) {
    auto it = offsets->find(p);
    std::unique_ptr<RdKafka::TopicPartition> tp(RdKafka::TopicPartition::create(
        events_, p, it != offsets->end() ? it->second : RdKafka::Topic::OFFSET_BEGINNING));
    if (auto e = consumer_->seek(*tp, kKafkaTimeoutMs); e != RdKafka::ERR_NO_ERROR) {
      return Status::Fatal("repositioning partition " + std::to_string(p) +
                           " after the swap: " + RdKafka::err2str(e));
    }
  }
  // A rebuild holds every partition: the ones another instance owns leave again.
  s = FindUnloading();
  if (!s.ok()) return s;
  spdlog::info("projector: now on rebuilt read models {}", store_->generation());
  return Status::Ok();
}

void ProjectorService::Loop::UpdateLag() {
  auto offsets = store_->Offsets();
  if (!offsets.ok()) return;
  int64_t lag = 0;
  for (int32_t p : assigned_) {
    int64_t low = 0, high = 0;
    if (consumer_->get_watermark_offsets(events_, p, &low, &high) != RdKafka::ERR_NO_ERROR)
      continue;
    auto it = offsets->find(p);
    int64_t behind = std::max<int64_t>(0, high - (it == offsets->end() ? low : it->second));
    metrics_->worker.lag.Set(p, behind);
    lag += behind;
  }
  metrics_->lag.store(lag, std::memory_order_relaxed);
}

void ProjectorService::Loop::SampleStore() {
  next_stats_ = Clock::now() + kStatsInterval;
  metrics_->worker.store.Set(store_->Stats());
  metrics_->cached_orders.store(static_cast<int64_t>(batch_.cached_orders()),
                                std::memory_order_relaxed);
  metrics_->cached_cells.store(static_cast<int64_t>(batch_.cached_cells()),
                               std::memory_order_relaxed);
}

void ProjectorService::Loop::rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                                          std::vector<RdKafka::TopicPartition*>& partitions) {
  const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    Assign(consumer, partitions, cooperative);
  } else {
    Revoke(consumer, partitions, cooperative);
  }
  WriteOwnership();
}

void ProjectorService::Loop::Assign(RdKafka::KafkaConsumer* consumer,
                                    std::vector<RdKafka::TopicPartition*>& partitions,
                                    bool cooperative) {
  Status s = Flush();  // the offsets are read from the store, and alerts from the publisher
  auto offsets = store_->Offsets();
  if (s.ok()) s = offsets.status();
  for (RdKafka::TopicPartition* tp : partitions) {
    if (s.ok()) s = StartPartition(tp, *offsets);
  }
  if (!s.ok() && callback_status_.ok()) callback_status_ = s;
  if (cooperative) {
    if (std::unique_ptr<RdKafka::Error> e(consumer->incremental_assign(partitions)); e) {
      if (callback_status_.ok()) callback_status_ = Status::Fatal("assign: " + e->str());
    }
  } else {
    consumer->assign(partitions);
  }
  assigned_unix_ms_ = UnixMillisNow();
  metrics_->assigned.store(true);
  // Only now is the assignment known: held partitions not in it belong to another instance.
  s = FindUnloading();
  if (!s.ok() && callback_status_.ok()) callback_status_ = s;
  spdlog::info("projector: assigned {} partitions of {} (now {}; {} loading, {} to unload)",
               partitions.size(), events_, assigned_.size(), loading_.size(), unloading_.size());
}

// Resumes `tp` from the read models' own offset; a partition the store does not hold is
// replayed from the beginning and, if another instance published its alerts, adopted.
Status ProjectorService::Loop::StartPartition(RdKafka::TopicPartition* tp,
                                              const std::map<int32_t, int64_t>& offsets) {
  const int32_t p = tp->partition();
  auto it = offsets.find(p);
  const int64_t next = it != offsets.end() ? it->second : 0;
  tp->set_offset(it != offsets.end() ? next : RdKafka::Topic::OFFSET_BEGINNING);
  assigned_.insert(p);
  unloading_.erase(p);  // back before it was gone: what is left of it replays in place
  batch_.Reinstate(p);
  auto marks = QueryWatermarks(*consumer_, events_, p, kKafkaTimeoutMs);
  if (!marks.ok()) return marks.status();
  const auto [low, high] = *marks;
  if (std::max(next, low) < high) loading_[p] = high;
  return AdoptAlertsIfNeeded(p, it != offsets.end(), high);
}

// Whoever published a partition's alerts last numbers them on. When that was another instance
// — the store does not hold the partition, or gendan.alerts carries sequences this store never
// gave out (the partition came back after someone else owned it) — this instance adopts it:
// numbering goes on after the topic's, and replaying the partition publishes no record the
// topic already has.
Status ProjectorService::Loop::AdoptAlertsIfNeeded(int32_t p, bool held, int64_t replay_until) {
  auto tail = publisher_.LastPublished(p, /*with_keys=*/false);
  if (!tail.ok()) return tail.status();
  if (!tail->has_value()) return Status::Ok();  // nothing published: nothing to take over
  auto ours = store_->NextSequence(p);
  if (!ours.ok()) return ours.status();
  // An adoption whose replay a crash interrupted goes on: the records published meanwhile (by
  // anyone) are on the topic and held back by their keys.
  auto interrupted = store_->ReplayUntil(p);
  if (!interrupted.ok()) return interrupted.status();
  if (held && !interrupted->has_value() && (*tail)->last_sequence < *ours) {
    return Status::Ok();  // we published last
  }
  if (interrupted->has_value()) loading_.emplace(p, replay_until);  // CheckLoading ends it
  auto all = publisher_.LastPublished(p, /*with_keys=*/true);
  if (!all.ok()) return all.status();
  if (!all->has_value()) return Status::Ok();
  Published& published = **all;
  spdlog::info(
      "projector: adopting partition {}'s alerts: numbering on after sequence {}, {} "
      "published records not sent again while replaying to offset {}",
      p, published.last_sequence, published.keys.size(), replay_until);
  batch_.Adopt(p, std::max(published.last_sequence + 1, *ours), published.end_offset, replay_until,
               std::move(published.keys));
  return Status::Ok();
}

void ProjectorService::Loop::Revoke(RdKafka::KafkaConsumer* consumer,
                                    std::vector<RdKafka::TopicPartition*>& partitions,
                                    bool cooperative) {
  // Finish the open batch while the partitions are still ours.
  Status s = Commit();
  if (!s.ok() && callback_status_.ok()) callback_status_ = s;
  if (cooperative) {
    if (std::unique_ptr<RdKafka::Error> e(consumer->incremental_unassign(partitions)); e) {
      if (callback_status_.ok()) callback_status_ = Status::Fatal("unassign: " + e->str());
    }
    for (RdKafka::TopicPartition* tp : partitions) {
      assigned_.erase(tp->partition());
      loading_.erase(tp->partition());
    }
  } else {
    consumer->unassign();
    assigned_.clear();
    loading_.clear();
  }
  metrics_->worker.lag.Clear();  // UpdateLag sets the ones still assigned again
  UpdateLag();
  spdlog::info("projector: {} partitions of {} revoked{}", partitions.size(), events_,
               consumer->assignment_lost() ? " (lost)" : "");
}

// Partitions the store holds but the group gave to another instance: they leave the store
// (UnloadStep), so that this store's KPI cells are exactly those of the partitions it owns.
Status ProjectorService::Loop::FindUnloading() {
  auto held = store_->HeldPartitions();
  if (!held.ok()) return held.status();
  std::map<int32_t, Clock::time_point> unloading;
  for (int32_t p : *held) {
    if (assigned_.contains(p)) continue;
    auto it = unloading_.find(p);
    unloading[p] = it != unloading_.end() ? it->second : Clock::now();
  }
  unloading_ = std::move(unloading);
  return Status::Ok();
}

Status ProjectorService::Loop::UnloadStep() {
  if (stop_ != nullptr && stop_->load()) return Status::Ok();
  auto due = std::find_if(unloading_.begin(), unloading_.end(), [](const auto& entry) {
    return Clock::now() >= entry.second + kUnloadDelay;
  });
  if (due == unloading_.end()) return Status::Ok();
  const int32_t p = due->first;
  Status flushed = Flush();  // the partition's orders are read from the store
  if (!flushed.ok()) return flushed;
  auto n = batch_.Unload(p, kUnloadChunk);
  if (!n.ok()) return n.status();
  Status s = Commit();
  if (!s.ok()) return s;
  if (*n == 0) {
    unloading_.erase(p);
    spdlog::info("projector: partition {} unloaded (owned by another instance now)", p);
    WriteOwnership();
  }
  return Status::Ok();
}

// A loading partition is servable once its consumer passed the end it had when assigned.
void ProjectorService::Loop::CheckLoading() {
  std::vector<RdKafka::TopicPartition*> parts;
  for (const auto& [p, high] : loading_)
    parts.push_back(RdKafka::TopicPartition::create(events_, p));
  if (consumer_->position(parts) == RdKafka::ERR_NO_ERROR) {
    for (RdKafka::TopicPartition* tp : parts) Loaded(tp->partition(), tp->offset());
  }
  RdKafka::TopicPartition::destroy(parts);
}

// The consumer of `partition` got to `offset` (its position, or where it reached the end): a
// loading partition is loaded once that passes the end it had when assigned. The position alone
// stops short of a trailing transaction marker; the end-of-partition event does not.
void ProjectorService::Loop::Loaded(int32_t partition, int64_t offset) {
  auto it = loading_.find(partition);
  if (it == loading_.end() || offset < 0 || offset < it->second) return;
  batch_.EndReplay(partition);
  spdlog::info("projector: partition {} loaded (to offset {})", partition, it->second);
  loading_.erase(it);
  next_heartbeat_ = Clock::time_point{};  // tell the serves now
}

void ProjectorService::Loop::WriteOwnership() {
  next_heartbeat_ = Clock::now() + kHeartbeatInterval;
  Ownership o;
  o.instance = config_.instance_id;
  o.partitions.assign(assigned_.begin(), assigned_.end());
  for (const auto& [p, high] : loading_) o.loading.push_back(p);
  for (const auto& [p, since] : unloading_) o.unloading.push_back(p);
  o.partition_count = partition_count_;
  o.assigned_unix_ms = assigned_unix_ms_;
  o.heartbeat_unix_ms = UnixMillisNow();
  metrics_->partitions_owned.store(static_cast<int64_t>(o.partitions.size()));
  metrics_->partitions_loading.store(static_cast<int64_t>(o.loading.size()));
  metrics_->partitions_unloading.store(static_cast<int64_t>(o.unloading.size()));
  if (!store_failed_.ok()) return;
  Status s = store_->PutOwnership(o);
  if (!s.ok()) spdlog::warn("projector: writing the ownership record: {}", s.message());
}

ProjectorService::ProjectorService(Config config, ReadModelStore* store, ProjectorMetrics* metrics)
    : config_(std::move(config)), store_(store), metrics_(metrics) {}

ProjectorService::~ProjectorService() = default;

Status ProjectorService::Run(const std::atomic<bool>& stop) {
  auto options = ProjectionOptionsFrom(config_);
  if (!options.ok()) return options.status();
  Loop loop(config_, store_, metrics_, *options);
  Status s = loop.Start();
  if (!s.ok()) return s;
  return loop.Run(stop);
}

}  // namespace gendan

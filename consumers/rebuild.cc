#include "consumers/rebuild.h"

#include <absl/container/flat_hash_map.h>
#include <absl/hash/hash.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include "consumers/batch_writer.h"
#include "consumers/kafka_client.h"
#include "consumers/projector_service.h"
#include "projections/projector.h"

namespace gendan {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

// The end offset of every partition of `topic` now: what the rebuild reads up to.
Result<std::map<int32_t, int64_t>> EndOffsets(RdKafka::Handle& handle, const std::string& topic) {
  auto n = PartitionCount(handle, topic, 30'000);
  if (!n.ok()) return n.status();
  std::map<int32_t, int64_t> ends;
  for (int32_t p = 0; p < *n; ++p) {
    auto marks = QueryWatermarks(handle, topic, p, 30'000);
    if (!marks.ok()) return marks.status();
    ends[p] = marks->high;
  }
  return ends;
}

// Deletes generations older than the live one and the one before it.
void PruneGenerations(const std::string& dir, const std::string& live,
                      const std::string& previous) {
  fs::path base(dir);
  std::error_code ec;
  for (const auto& entry :
       fs::directory_iterator(base.parent_path().empty() ? "." : base.parent_path(), ec)) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with(base.filename().string() + ".gen-")) continue;
    std::string path = entry.path().lexically_normal().string();
    if (path == fs::path(live).lexically_normal().string() ||
        path == fs::path(previous).lexically_normal().string())
      continue;
    fs::remove_all(entry.path(), ec);
  }
}

// The rebuilt generation has no outbox (ProjectionBatch::WithoutPublishing: its history was
// published when it happened); it publishes from the end of gendan.alerts as it is now.
Status StartAlertsAtTheEnd(const Config& config, RdKafka::Handle& handle, ReadModelStore& store) {
  auto ends = EndOffsets(handle, config.Topic("alerts"));
  if (!ends.ok()) return ends.status();
  rocksdb::WriteBatch wb;
  for (const auto& [p, end] : *ends) {
    wb.Put(ReadModelStore::PublishedOffsetKey(p), ReadModelStore::OffsetValue(end));
  }
  return store.Write(&wb);
}

// Reads `partition` of `topic` from its beginning to `end` (exclusive: what it held when the
// rebuild started), handing every record to `apply`; `after` runs after every poll.
Status ReadPartition(RdKafka::KafkaConsumer& reader, const std::string& topic, int32_t partition,
                     int64_t end, const std::function<Status(const RdKafka::Message&)>& apply,
                     const std::function<Status()>& after) {
  std::vector<RdKafka::TopicPartition*> one{
      RdKafka::TopicPartition::create(topic, partition, RdKafka::Topic::OFFSET_BEGINNING)};
  const RdKafka::ErrorCode e = reader.assign(one);
  RdKafka::TopicPartition::destroy(one);
  if (e != RdKafka::ERR_NO_ERROR)
    return Status::TryAgain("assigning " + topic + ": " + RdKafka::err2str(e));
  bool done = false;
  Status s;
  while (s.ok() && !done) {
    std::unique_ptr<RdKafka::Message> m(reader.consume(500));
    if (m->err() == RdKafka::ERR_NO_ERROR) {
      if (m->partition() != partition) continue;  // the partition read before, assigned away
      if (m->offset() >= end) {                   // recorded after the start
        done = true;
        continue;
      }
      s = apply(*m);
      done = m->offset() + 1 >= end;
    } else if (m->err() == RdKafka::ERR__PARTITION_EOF) {
      // read_committed EOF: everything committed before the start has been read.
      done = m->partition() == partition && m->offset() >= end - 1;
    } else if (m->err() != RdKafka::ERR__TIMED_OUT) {
      s = Status::TryAgain("reading " + topic + ": " + m->errstr());
    }
    if (s.ok()) s = after();
  }
  return s;
}

// A batch's events as read, copied out of librdkafka's messages, to be applied order by order:
// each order's events one after another, in offset order, the orders as they first appear. Read
// as they come, consecutive events are of different orders, and a batch of a million events
// holds ~100 000 of them: applying one touched an order whose status, facts and alert memo had
// left the CPU's caches, and the monitor's rules and the status changes mostly waited for
// memory. Orders do not read each other's read models, KPI cells are sums, and alert numbers
// are counted per partition, so the store comes out the same, but for which number each raised
// alert got (the count is the same): the numbers order the outbox, which a rebuild does not
// write. A hash shared by two orders chains them together, still each in offset order.
class OrderGroupedEvents {
 public:
  void Add(const RdKafka::Message& m) {
    const std::string_view key =
        m.key_pointer() == nullptr
            ? std::string_view()
            : std::string_view(static_cast<const char*>(m.key_pointer()), m.key_len());
    const auto n = static_cast<uint32_t>(events_.size());
    events_.push_back({m.partition(), m.offset(), bytes_.size(), m.len(), kNone});
    bytes_.append(static_cast<const char*>(m.payload()), m.len());
    auto [it, fresh] = last_.try_emplace(absl::HashOf(key), n);
    if (fresh) {
      heads_.push_back(n);
    } else {
      events_[it->second].next = n;
      it->second = n;
    }
  }
  size_t size() const { return events_.size(); }
  // fn(partition, offset, bytes) for every event, order by order; stops at the first failure.
  // Then the batch is empty.
  Status Drain(const std::function<Status(int32_t, int64_t, std::string_view)>& fn) {
    Status s;
    for (uint32_t head : heads_) {
      for (uint32_t i = head; i != kNone && s.ok(); i = events_[i].next) {
        const Event& e = events_[i];
        s = fn(e.partition, e.offset, std::string_view(bytes_).substr(e.at, e.size));
      }
      if (!s.ok()) break;
    }
    events_.clear();
    bytes_.clear();
    last_.clear();
    heads_.clear();
    return s;
  }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Event {
    int32_t partition;
    int64_t offset;
    size_t at;  // in bytes_
    size_t size;
    uint32_t next;  // the order's next event, kNone for its last
  };
  std::vector<Event> events_;
  std::string bytes_;  // the events' bytes, one after another
  // Each chain's last event, by the hash of the order id (the record key), and its first.
  absl::flat_hash_map<uint64_t, uint32_t> last_;
  std::vector<uint32_t> heads_;  // as they came
};

}  // namespace

Result<RebuildReport> Rebuild(const Config& config,
                              const std::function<void(const RebuildProgress&)>& progress,
                              const RebuildOptions& options) {
  auto kpi = ProjectionOptionsFrom(config);
  if (!kpi.ok()) return kpi.status();
  const std::string topic = config.Topic("events");
  // A deep prefetch: with librdkafka's, the rebuild of the 100 000-order book spent a third of
  // its time waiting for records (docs/benchmarks.md, "Consumer prefetch").
  auto reader = MakeConsumer(
      config, WithDeepPrefetch({{"group.id", config.projector.group_id + "-rebuild"},
                                {"enable.auto.commit", "false"},
                                {"enable.partition.eof", "true"},
                                // Partition after partition: at each partition's end the broker
                                // held the fetch for the next one up to its default 500 ms,
                                // waiting for records that were not coming.
                                {"fetch.wait.max.ms", "10"},
                                {"isolation.level", "read_committed"}}));
  if (!reader.ok()) return reader.status();
  auto ends = EndOffsets(**reader, topic);
  if (!ends.ok()) return ends.status();

  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  const std::string generation = config.projector.state_dir + ".gen-" + std::to_string(millis);
  auto store = ReadModelStore::OpenGeneration(generation, StoreMemoryFrom(config),
                                              ReadModelStore::Compaction::kOnceAtPersist);
  if (!store.ok()) return store.status();

  RebuildProgress p;
  for (const auto& [partition, end] : *ends) p.total += end;

  ProjectionBatch batch(**store, *kpi);
  batch.WithoutPublishing();  // the history's alerts and statuses were published when it happened
  batch.StartsEmpty();        // a new generation: an order first seen is not looked for in it
  // The loop thread applies and stages, and is the busier one: the writer thread merges the
  // KPI cells (a fifth of the loop's work on the 100 000-order book) beside the next batch's
  // applying (docs/benchmarks.md).
  batch.DeferCells();
  // Each batch is written while the next is applied; unlogged: the generation is not live until
  // it is made durable (Persist) and swapped in.
  BatchWriter writer(
      "gendan-rb-write",
      [&](rocksdb::WriteBatch& wb, ProjectionBatch::Staged&) {
        return (*store)->WriteUnlogged(&wb);
      },
      [&](ProjectionBatch::Staged& staged) { return batch.StageCells(staged); });
  // Nothing reads the generation until it is complete: a batch may land in parts, which keeps
  // RocksDB's memtables at their configured size whatever rebuild_batch_events is.
  writer.WriteInChunks(options.write_chunk_bytes);
  double staging = 0, waiting = 0;  // seconds, for the log
  auto commit = [&]() -> Status {
    const auto t0 = Clock::now();
    auto staged = batch.Stage();
    const auto t1 = Clock::now();
    Status submitted = staged.ok() ? writer.Submit(std::move(*staged)) : staged.status();
    staging += std::chrono::duration<double>(t1 - t0).count();
    waiting += std::chrono::duration<double>(Clock::now() - t1).count();
    return submitted;
  };
  // One message object for every event: parsing into it again reuses its strings.
  v1::OrderEvent event;
  OrderGroupedEvents read;  // the batch, applied when full
  auto apply_batch = [&]() -> Status {
    return read.Drain([&](int32_t partition, int64_t offset, std::string_view bytes) {
      if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
        return Status::Fatal(topic + " offset " + std::to_string(offset) + " is not an OrderEvent");
      return batch.Apply(event, partition, offset, bytes);
    });
  };
  auto apply = [&](const RdKafka::Message& m) -> Status {
    read.Add(m);
    ++p.done;
    return Status::Ok();
  };
  auto start = Clock::now(), last_report = start;
  auto after = [&]() -> Status {
    if (Clock::now() - last_report > std::chrono::milliseconds(200)) {
      last_report = Clock::now();
      p.seconds = std::chrono::duration<double>(last_report - start).count();
      progress(p);
    }
    if (read.size() < config.projector.rebuild_batch_events) return Status::Ok();
    Status s = apply_batch();
    return s.ok() ? commit() : s;
  };
  // Partition after partition, not all at once: an order's events are all in one partition, so
  // the orders active at any one time are one partition's share, which the order cache
  // (projector.cache_orders) holds far more often; read together, the partitions' orders evicted
  // each other before they recurred (applying took twice as long on the 100 000-order book).
  // KPI cells are sums and alert numbers count per partition: the store comes out the same.
  Status s;
  for (const auto& [partition, end] : *ends) {
    if (end > 0) s = ReadPartition(**reader, topic, partition, end, apply, after);
    if (!s.ok()) break;
  }
  if (s.ok()) s = apply_batch();
  if (s.ok()) s = commit();
  if (Status written = writer.Wait(); s.ok()) s = written;
  spdlog::info(
      "rebuild: {} events in {:.1f} s, {:.1f} s of it staging batches, {:.1f} s waiting "
      "for their writes",
      p.done, std::chrono::duration<double>(Clock::now() - start).count(), staging, waiting);
  // The one compaction of the generation (ReadModelStore::Compaction::kOnceAtPersist): ~30 s
  // for the 1 000 000-order book, with no progress to show meanwhile.
  if (s.ok()) spdlog::info("rebuild: compacting the new read models");
  if (s.ok()) s = (*store)->Persist();
  if (s.ok()) s = StartAlertsAtTheEnd(config, **reader, **store);
  (*reader)->close();
  if (!s.ok()) return s;
  store->reset();  // close before the live projector opens it

  const std::string previous = fs::is_symlink(config.projector.state_dir)
                                   ? (fs::path(config.projector.state_dir).parent_path() /
                                      fs::read_symlink(config.projector.state_dir))
                                         .string()
                                   : "";
  s = ReadModelStore::SwapIn(config.projector.state_dir, generation);
  if (!s.ok()) return s;
  PruneGenerations(config.projector.state_dir, generation, previous);
  p.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  progress(p);
  return RebuildReport{p.done, p.seconds, generation};
}

}  // namespace gendan

// Assignments and revocations of an engine pipeline (EngineService::Loop, engine_loop.h):
// cooperative or eager, and the catch-up of a newly assigned partition from gendan.events.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "consumers/engine_loop.h"
#include "consumers/kafka_client.h"
#include "consumers/order_store.h"
#include "consumers/store_retry.h"
#include "engine/decide.h"

namespace gendan {

using namespace engine_detail;  // NOLINT: the loop's own helpers (engine_loop.h)

// EAGER (range, roundrobin): every rebalance revokes the whole assignment, then assigns the new
// one. COOPERATIVE (cooperative-sticky, the default): the callback names only the partitions
// that change owner, and the others keep being decided across the rebalance.
void EngineService::Loop::rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                                       std::vector<RdKafka::TopicPartition*>& partitions) {
  const bool cooperative = consumer->rebalance_protocol() == "COOPERATIVE";
  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    Assign(consumer, partitions, cooperative);
  } else {
    Revoke(consumer, err, partitions, cooperative);
  }
}

// Takes the new partitions paused and starts catching their states up from gendan.events; the
// loop resumes each once it is caught up (StepCatchUps). The callback itself does not wait: a
// previous owner's open transaction can take transaction.timeout.ms to settle, and the
// partitions this pipeline already owns keep flowing meanwhile. With the cooperative protocol
// the list may be empty (this member gains nothing this round); it is still handed to
// incremental_assign, which completes the round.
void EngineService::Loop::Assign(RdKafka::KafkaConsumer* consumer,
                                 std::vector<RdKafka::TopicPartition*>& partitions,
                                 bool cooperative) {
  const std::set<int32_t> added = PartitionsOf(partitions);
  Fail(cooperative ? AssignStatus(consumer->incremental_assign(partitions), "incremental_assign")
                   : AssignStatus(consumer->assign(partitions), "assign"));
  if (!added.empty()) Fail(AssignStatus(consumer->pause(partitions), "pause"));
  for (int32_t p : added) Fail(StartCatchUp(p));
  spdlog::info("engine: assigned {} partitions {} of {} ({}), catching them up; owns {}",
               added.size(), PartitionList(added), inbound_, cooperative ? "COOPERATIVE" : "EAGER",
               PartitionList(assigned_));
}

// Finishes the open transaction while the partitions are still ours, then lets them go. The
// transaction spans every partition this pipeline owns, so the kept partitions' records commit
// with it (they are not re-decided); that commit is the whole pause the kept partitions see.
void EngineService::Loop::Revoke(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                                 std::vector<RdKafka::TopicPartition*>& partitions,
                                 bool cooperative) {
  const auto started = Clock::now();
  // Lost (the group moved on without us: session timeout, fenced member) or a rebalance error:
  // another instance may be deciding these orders already, so nothing of ours may commit.
  const bool lost = err != RdKafka::ERR__REVOKE_PARTITIONS || consumer->assignment_lost();
  // A rebalance error calls for unassigning everything, whatever the protocol.
  const bool incremental = cooperative && err == RdKafka::ERR__REVOKE_PARTITIONS;
  std::set<int32_t> gone = incremental ? PartitionsOf(partitions) : assigned_;
  if (!incremental) {
    for (const auto& [p, c] : catching_up_) gone.insert(p);
  }
  for (int32_t p : gone) {
    if (auto c = catching_up_.find(p); c != catching_up_.end()) {
      c->second.reader->close();  // its folded states stay in the store only if written
      catching_up_.erase(c);
    }
  }
  // Out of assigned_ first: an abort rewinds only the partitions we keep, and the lag gauges
  // stop covering the ones we lose.
  for (int32_t p : gone) assigned_.erase(p);
  // An empty revocation (cooperative) takes nothing away: the transaction stays open.
  const char* outcome = gone.empty() && !lost ? "kept open" : FinishTransactionOnRevoke(lost);
  Fail(incremental
           ? AssignStatus(consumer->incremental_unassign(partitions), "incremental_unassign")
           : AssignStatus(consumer->unassign(), "unassign"));
  for (int32_t p : gone) {
    positions_.erase(p);
    floor_.erase(p);
    metrics_->worker.lag.Erase(p);
  }
  // Another instance may change the lost orders now; the rest re-read cheaply. (Finishing the
  // transaction above waited for the commit in flight: the store has every cached state.)
  if (!gone.empty() || lost) DropCommitted();
  UpdateLag();
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  spdlog::info(
      "engine: {} {} partitions {} of {} ({}), still owns {}; open transaction {} in {} ms",
      lost ? "lost" : "revoked", gone.size(), PartitionList(gone), inbound_,
      cooperative ? "COOPERATIVE" : "EAGER", PartitionList(assigned_), outcome, ms);
}

// Commits the open transaction and waits for it and the commit in flight (aborting on a
// retryable failure), or aborts what is not committed yet when the partitions were lost: its
// offsets would be refused (KIP-447) and its producer may be fenced. Returns what happened, for the
// log.
const char* EngineService::Loop::FinishTransactionOnRevoke(bool lost) {
  if (!in_txn_ && !committing_) return "none";
  if (lost) {
    Fail(Abort(Status::TryAgain("partitions lost in a rebalance")));
    return "aborted";
  }
  Status s = Flush();  // the commit in flight, then the open transaction, both landed
  if (s.retryable()) {
    Fail(Abort(s));
    return "aborted";
  }
  Fail(s);
  return s.ok() ? "committed" : "failed";
}

// Brings the store's states for `partition` up to the end of its gendan.events partition: after
// a crash between the Kafka commit and the store write, with a fresh or lost state dir, or when
// another instance owned the partition since this store last saw it.
Status EngineService::Loop::StartCatchUp(int32_t partition) {
  auto pos = store_->Position(partition);
  if (!pos.ok()) return pos.status();
  positions_[partition] = *pos;
  // Always read to the end, even when the store looks current: the partition's previous owner
  // may have a transaction open there (a commit whose markers are on their way, or a killed
  // instance's), and the end a read_committed client sees stops before it.
  auto reader =
      MakeConsumer(config_, WithDeepPrefetch({{"group.id", config_.engine.group_id + "-catchup"},
                                              {"enable.auto.commit", "false"},
                                              {"enable.partition.eof", "true"},
                                              {"auto.offset.reset", "earliest"},
                                              {"isolation.level", "read_committed"}}));
  if (!reader.ok()) return reader.status();
  std::unique_ptr<RdKafka::TopicPartition> tp(
      RdKafka::TopicPartition::create(events_, partition, pos->events_next));
  if (auto e = (*reader)->assign({tp.get()}); e != RdKafka::ERR_NO_ERROR) {
    return Status::Fatal("catching up from " + events_ + ": " + RdKafka::err2str(e));
  }
  CatchUp& c = catching_up_[partition];
  c.reader = std::move(*reader);
  c.start = pos->events_next;
  c.deadline = Clock::now() + std::chrono::minutes(10);
  return Status::Ok();
}

Status EngineService::Loop::StepCatchUps() {
  for (auto it = catching_up_.begin(); it != catching_up_.end();) {
    bool done = false;
    Status s = StepCatchUp(it->first, it->second, &done);
    if (s.ok() && done) s = FinishCatchUp(it->first, it->second);
    if (!s.ok()) return s;
    it = done ? catching_up_.erase(it) : std::next(it);
  }
  return Status::Ok();
}

// The end is where the last stable offset meets the high watermark: no transaction is open.
Status EngineService::Loop::StepCatchUp(int32_t partition, CatchUp& c, bool* done) {
  if (Clock::now() > c.deadline) return Status::Fatal("catching up from " + events_ + " timed out");
  PartitionPosition& pos = positions_[partition];
  for (int n = 0; n < 2'000 && !*done; ++n) {
    std::unique_ptr<RdKafka::Message> m(c.reader->consume(0));
    if (m->err() == RdKafka::ERR__TIMED_OUT) break;
    if (m->err() == RdKafka::ERR_NO_ERROR) {
      Status s = FoldEvent(*m, &c.batch);
      if (!s.ok()) return s;
      pos.events_next = m->offset() + 1;
      metrics_->catchup_events.fetch_add(1, std::memory_order_relaxed);
    } else if (m->err() == RdKafka::ERR__PARTITION_EOF) {
      // read_committed stops at the last stable offset. Short of the high watermark (as of the
      // same fetch), a transaction of the partition's previous owner is still open: another
      // instance's commit whose markers are on their way, or a killed instance's, which the
      // broker aborts after its transaction.timeout.ms. Its events may or may not count, so
      // wait until it is settled (the group's offsets for the partition wait for it too).
      int64_t low = 0, high = 0;
      (void)c.reader->get_watermark_offsets(events_, partition, &low, &high);
      *done = m->offset() >= high;
      if (*done) {
        pos.events_next = std::max(pos.events_next, m->offset());
      } else if (!c.waiting) {
        c.waiting = true;
        spdlog::info(
            "engine: {} partition {} has a transaction open at offset {} (end {}); "
            "waiting for it to settle",
            events_, partition, m->offset(), high);
      }
      break;
    } else {
      return Status::Fatal("reading " + events_ + ": " + m->errstr());
    }
  }
  if (*done || c.batch.states.size() >= 10'000) return WriteCatchUp(partition, c);
  return Status::Ok();
}

Status EngineService::Loop::WriteCatchUp(int32_t partition, CatchUp& c) {
  c.batch.positions[partition] = positions_[partition];
  Status s = WriteWithRetry(
      config_.store, &metrics_->store_health, stop_, "engine: order store catch-up",
      [&] { return store_->Commit(c.batch); }, [&] { return store_->Resume(); });
  if (!s.ok()) return s;
  c.batch.states.clear();
  metrics_->worker.liveness.Progressed();  // a long catch-up is progress, not a stall
  return Status::Ok();
}

// The states are current: the partition joins the ones being decided, from the group's committed
// offset as it stands now. Not from where librdkafka started the partition's fetcher: that
// position was looked up at assignment, while the previous owner's last transaction (the one
// the catch-up waited for) may still have held its offsets back. librdkafka 2.0.2 then asks
// again, except when its assignment changed meanwhile (another partition assigned or revoked):
// it then starts the partition at its unstable answer, "no offset", that is at
// auto.offset.reset (the beginning), and every record the previous owner decided would be
// decided again. Now the transaction is settled, so the offset read here is stable (Rewind asks
// again while it is not). A record polled before the pause held is dropped by Process and read
// again from here too.
Status EngineService::Loop::FinishCatchUp(int32_t partition, CatchUp& c) {
  c.reader->close();
  const int64_t end = positions_[partition].events_next;
  assigned_.insert(partition);
  std::vector<RdKafka::TopicPartition*> tp{RdKafka::TopicPartition::create(inbound_, partition)};
  Status s = Rewind({partition});
  spdlog::info(
      "engine: partition {} caught up ({} offsets {}..{} folded in), resumes at {} offset {}; "
      "now owns {}",
      partition, events_, c.start, end, inbound_, floor_[partition].offset,
      PartitionList(assigned_));
  if (s.ok()) s = AssignStatus(consumer_->resume(tp), "resume");
  RdKafka::TopicPartition::destroy(tp);
  UpdateLag();
  return s;
}

// Applies one recorded event to its order's state unless the state already has it.
Status EngineService::Loop::FoldEvent(const RdKafka::Message& m, OrderStore::Batch* batch) {
  v1::OrderEvent event;
  if (!event.ParseFromArray(m.payload(), static_cast<int>(m.len()))) {
    return Status::Fatal(events_ + " offset " + std::to_string(m.offset()) +
                         " is not an OrderEvent");
  }
  auto it = batch->states.find(event.order_id());
  if (it == batch->states.end()) {
    auto stored = store_->Get(event.order_id());
    if (!stored.ok()) return stored.status();
    it = batch->states.emplace(event.order_id(), stored->value_or(OrderState{})).first;
  }
  OrderState& state = it->second;
  if (event.version() <= state.version.value()) return Status::Ok();  // already folded in
  if (event.version() != state.version.value() + 1) {
    return Status::Fatal("order " + event.order_id() + " jumps from v" +
                         std::to_string(state.version.value()) + " to v" +
                         std::to_string(event.version()) + " in " + events_);
  }
  Evolve(state, event);
  return Status::Ok();
}

}  // namespace gendan

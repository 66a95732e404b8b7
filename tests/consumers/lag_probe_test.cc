// LagProbe on the real broker: the lag /readyz and gendan_read_model_lag report counts every
// gendan.events partition for a store without an ownership record, and only the partitions its
// projector owns (loading ones included) once the store has one — a store of one of several
// projector instances holds only its own partitions and must still become ready.
#include "consumers/lag_probe.h"

#include <gtest/gtest.h>
#include <rocksdb/write_batch.h>

#include <chrono>
#include <map>
#include <string>

#include "consumers/kafka_client.h"
#include "projections/read_model_store.h"
#include "tests/consumers/broker_fixture.h"

namespace gendan {
namespace {

using gendan::testing::BrokerTest;

class LagProbeIT : public BrokerTest {
 protected:
  int partitions() const override { return 4; }

  // Puts (p + 1) * 3 records into partition p of gendan.events: 3, 6, 9 and 12.
  void FillEvents() {
    auto producer = MakeProducer(config(), {{"enable.idempotence", "true"}});
    ASSERT_TRUE(producer.ok()) << producer.status().ToString();
    for (int32_t p = 0; p < partitions(); ++p) {
      for (int i = 0; i < (p + 1) * 3; ++i) {
        ASSERT_EQ(ProduceWaiting(**producer, config().Topic("events"), p, "k", "v"),
                  RdKafka::ERR_NO_ERROR);
      }
    }
    ASSERT_EQ((*producer)->flush(30'000), RdKafka::ERR_NO_ERROR);
  }

  static void PutOffsets(ReadModelStore& store, const std::map<int32_t, int64_t>& next) {
    rocksdb::WriteBatch wb;
    for (const auto& [p, offset] : next) {
      wb.Put(ReadModelStore::OffsetKey(p), ReadModelStore::OffsetValue(offset));
    }
    ASSERT_TRUE(store.Write(&wb).ok());
  }

  static Ownership Owning(std::vector<int32_t> partitions, std::vector<int32_t> loading = {}) {
    Ownership o;
    o.instance = "p1";
    o.partitions = std::move(partitions);
    o.loading = std::move(loading);
    o.partition_count = 4;
    o.heartbeat_unix_ms = o.assigned_unix_ms = 1;
    return o;
  }

  // A fresh probe each time: a probe answers from its last look for a second.
  int64_t Lag(ReadModelStore* store) { return LagProbe(config(), store).Lag(); }
};

TEST_F(LagProbeIT, CountsOnlyTheOwnedPartitionsOnceTheStoreHasAnOwnershipRecord) {
  FillEvents();
  if (HasFatalFailure()) return;
  const std::string dir = scratch_dir() + "read-models";
  auto store = ReadModelStore::OpenWriter(dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // The store holds partitions 0 and 2 of 4: 1 of 3 and 2 of 9 records applied.
  PutOffsets(**store, {{0, 1}, {2, 2}});

  // No ownership record (an older store, a single instance before its first assignment): every
  // partition counts, the ones not held from their first offset: 2 + 6 + 7 + 12.
  EXPECT_EQ(Lag(store->get()), 27);

  // One of several instances, assigned 0 and 2: only their lag, 2 + 7.
  ASSERT_TRUE((*store)->PutOwnership(Owning({0, 2})).ok());
  EXPECT_EQ(Lag(store->get()), 9);

  // How `gendan serve` sees it: a follower of the projector's store.
  auto follower = ReadModelStore::OpenFollower(dir, scratch_dir() + "follower");
  ASSERT_TRUE(follower.ok()) << follower.status().ToString();
  ASSERT_TRUE((*follower)->Refresh().ok());
  EXPECT_EQ(Lag(follower->get()), 9);

  // A partition just assigned and still loading (nothing of it held yet) counts in full.
  ASSERT_TRUE((*store)->PutOwnership(Owning({0, 2, 3}, {3})).ok());
  EXPECT_EQ(Lag(store->get()), 2 + 7 + 12);

  // Caught up on what it owns: ready, whatever the partitions of other instances hold.
  PutOffsets(**store, {{0, 3}, {2, 9}, {3, 12}});
  EXPECT_EQ(Lag(store->get()), 0);

  // An instance assigned nothing (more instances than partitions) lacks nothing.
  ASSERT_TRUE((*store)->PutOwnership(Owning({})).ok());
  EXPECT_EQ(Lag(store->get()), 0);
}

// QueryWatermarks, under the probe and every end-of-partition question the projector and
// rebuild ask: the marks of a partition, and for a topic that never shows up (this broker does
// not create topics on demand) a TryAgain naming the topic and partition once the wait is over —
// not at the first "unknown partition" answer, which a topic created a moment ago also gives.
TEST_F(LagProbeIT, WatermarksAreRetriedUntilTheWaitIsOver) {
  FillEvents();
  if (HasFatalFailure()) return;
  auto producer = MakeProducer(config(), {});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  auto marks = QueryWatermarks(**producer, config().Topic("events"), 3, 10'000);
  ASSERT_TRUE(marks.ok()) << marks.status().ToString();
  EXPECT_EQ(marks->low, 0);
  EXPECT_EQ(marks->high, 12);

  const auto start = std::chrono::steady_clock::now();
  auto missing = QueryWatermarks(**producer, config().Topic("missing"), 1, 1'500);
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().retryable()) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find(config().Topic("missing") + " partition 1"),
            std::string::npos)
      << missing.status().ToString();
  EXPECT_GE(waited, std::chrono::milliseconds(1'300));
}

}  // namespace
}  // namespace gendan

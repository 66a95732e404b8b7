// Several projector instances (issue 10): a store unloads the partitions it lost, and stores that
// each hold some partitions add up to one store holding all of them. And the projector's pipeline:
// a batch applied and staged before the one before it was written ends as committed ones do.
#include <gtest/gtest.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <unordered_set>

#include "engine/decide.h"
#include "projections/kpi.h"
#include "projections/projector.h"
#include "projections/read_model_store.h"
#include "tests/engine/history_generator.h"

namespace gendan {
namespace {

// The keys and values a write batch holds, in its order ("-" + key for a delete).
std::vector<std::string> Contents(const rocksdb::WriteBatch& wb) {
  struct Collect : rocksdb::WriteBatch::Handler {
    std::vector<std::string> ops;
    void Put(const rocksdb::Slice& key, const rocksdb::Slice& value) override {
      ops.push_back(key.ToString() + "=" + value.ToString());
    }
    void Delete(const rocksdb::Slice& key) override { ops.push_back("-" + key.ToString()); }
  } collect;
  EXPECT_TRUE(wb.Iterate(&collect).ok());
  return collect.ops;
}

// In chunks, the writes come out as MoveTo gives them in one batch: every op once, in key order
// (a key written twice keeps its last write last), each chunk handed over once it reaches the
// size, the rest left in the batch.
TEST(ProjectionWrites, ChunksHoldWhatOneBatchHolds) {
  auto fill = [](ProjectionBatch::Writes& w) {
    std::mt19937 rng(7);
    for (int i = 0; i < 500; ++i) {
      std::string key = "k/" + std::to_string(rng() % 300);
      if (i % 7 == 0) {
        w.Delete(key);
      } else {
        w.Put(key, std::string(rng() % 40, 'v') + std::to_string(i));
      }
    }
  };
  ProjectionBatch::Writes whole, chunked;
  fill(whole);
  fill(chunked);
  rocksdb::WriteBatch one;
  whole.MoveTo(one);
  const std::vector<std::string> expected = Contents(one);

  constexpr size_t kChunk = 1024;
  std::vector<std::string> got;
  size_t chunks = 0;
  rocksdb::WriteBatch wb;
  Status s = chunked.MoveInChunks(wb, kChunk, [&](rocksdb::WriteBatch& chunk) {
    EXPECT_GE(chunk.GetDataSize(), kChunk);
    EXPECT_LT(chunk.GetDataSize(), kChunk + 128);  // passed by one op at most
    for (std::string& op : Contents(chunk)) got.push_back(std::move(op));
    ++chunks;
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_LT(wb.GetDataSize(), kChunk);  // the last chunk, left for the caller
  for (std::string& op : Contents(wb)) got.push_back(std::move(op));
  EXPECT_GT(chunks, 5u);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(chunked.size(), 0u);
}

// A chunk whose write fails stops the rest: the failure is returned.
TEST(ProjectionWrites, AFailedChunkStopsTheWrites) {
  ProjectionBatch::Writes w;
  for (int i = 0; i < 100; ++i) w.Put("k/" + std::to_string(i), std::string(100, 'v'));
  rocksdb::WriteBatch wb;
  int calls = 0;
  Status s = w.MoveInChunks(wb, 1000, [&](rocksdb::WriteBatch&) {
    ++calls;
    return Status::IoError("disk full");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "disk full");
  EXPECT_EQ(calls, 1);
}

constexpr int kPartitions = 4;
const Date kMinDate = Date(std::chrono::days(0));
const Date kMaxDate = Date(std::chrono::days(100'000));

struct Record {
  int32_t partition;
  int64_t offset;
  v1::OrderEvent event;
};

// Interleaved histories of `orders` orders, decided by the engine's core, each order on one
// partition (as gendan.events keys them).
std::vector<Record> Workload(int orders, uint64_t seed) {
  test::HistoryGenerator gen(seed);
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::vector<std::vector<v1::InboundEvent>> histories;
  for (int i = 0; i < orders; ++i) histories.push_back(gen.Next("ORD-" + std::to_string(i)));
  DecideOptions options;
  options.now = test::HistoryGenerator::Now();
  std::vector<OrderState> states(histories.size());
  std::vector<size_t> next(histories.size(), 0);
  std::vector<int64_t> offsets(kPartitions, 0);
  std::vector<Record> out;
  for (size_t open = histories.size(); open > 0;) {
    size_t i = rng() % histories.size();
    if (next[i] == histories[i].size()) continue;
    auto decision = Decide(states[i], histories[i][next[i]++], options);
    if (next[i] == histories[i].size()) --open;
    auto* accepted = std::get_if<Accepted>(&decision);
    if (accepted == nullptr) continue;
    Evolve(states[i], accepted->event);
    int32_t p = static_cast<int32_t>(i % kPartitions);
    out.push_back({p, offsets[static_cast<size_t>(p)]++, accepted->event});
  }
  return out;
}

class ProjectorPartitionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("gendan-partitions-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    options_.now = [] { return test::HistoryGenerator::Now(); };
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<ReadModelStore> Open(const std::string& name) {
    auto store = ReadModelStore::OpenGeneration((dir_ / name).string());
    EXPECT_TRUE(store.ok()) << store.status().message();
    return std::move(*store);
  }

  // Projects the records of `partitions` in batches of `batch` events.
  void Project(ReadModelStore& store, const std::vector<Record>& records,
               const std::set<int32_t>& partitions, size_t batch = 500) {
    ProjectionBatch b(store, options_);
    for (const Record& r : records) {
      if (!partitions.contains(r.partition)) continue;
      ASSERT_TRUE(b.Apply(r.event, r.partition, r.offset).ok());
      if (b.events() >= batch) {
        ASSERT_TRUE(b.Commit().ok());
      }
    }
    ASSERT_TRUE(b.Commit().ok());
  }

  // Every KPI cell of the store, merged over the day cells of every group kind.
  static std::map<std::string, std::string> Cells(const ReadModelStore& store) {
    std::map<std::string, std::string> cells;
    for (GroupKind kind :
         {GroupKind::kNone, GroupKind::kMerchandiser, GroupKind::kCustomer, GroupKind::kSupplier}) {
      store.Scan(kind, kMinDate, kMaxDate,
                 [&](const CellKey& k, const Cell& c) { cells[k.Encode()] = c.Serialize(); });
      store.ScanMonths(kind, kMinDate, kMaxDate,
                       [&](const CellKey& k, const Cell& c) { cells[k.Encode()] = c.Serialize(); });
    }
    return cells;
  }

  std::filesystem::path dir_;
  ProjectionOptions options_;
};

// `gendan rebuild` applies each batch order by order (its events of one order together, in
// offset order) instead of in the order read: the read models come out the same (Dump leaves
// out the alert numbers, the only thing the order of orders decides), offsets included.
TEST_F(ProjectorPartitionsTest, ABatchAppliedOrderByOrderEqualsOneAppliedAsRead) {
  auto records = Workload(150, 29);
  constexpr size_t kBatch = 400;
  auto as_read = Open("as-read");
  Project(*as_read, records, {0, 1, 2, 3}, kBatch);

  auto by_order = Open("by-order");
  {
    ProjectionBatch b(*by_order, options_);
    size_t regrouped = 0;
    for (size_t start = 0; start < records.size(); start += kBatch) {
      std::vector<const Record*> batch;
      for (size_t i = start; i < std::min(records.size(), start + kBatch); ++i) {
        batch.push_back(&records[i]);
      }
      // Stable: each order's events stay in offset order; orders as they first appear.
      std::map<std::string, size_t> first;
      for (const Record* r : batch) first.try_emplace(r->event.order_id(), first.size());
      std::vector<const Record*> grouped = batch;
      std::stable_sort(grouped.begin(), grouped.end(), [&](const Record* a, const Record* b) {
        return first[a->event.order_id()] < first[b->event.order_id()];
      });
      if (grouped != batch) ++regrouped;
      for (const Record* r : grouped) {
        ASSERT_TRUE(b.Apply(r->event, r->partition, r->offset).ok());
      }
      ASSERT_TRUE(b.Commit().ok());
    }
    EXPECT_GT(regrouped, 2u);  // the test changes the order it applies in
  }
  auto offsets_read = as_read->Offsets(), offsets_grouped = by_order->Offsets();
  ASSERT_TRUE(offsets_read.ok() && offsets_grouped.ok());
  EXPECT_EQ(*offsets_grouped, *offsets_read);
  EXPECT_TRUE(by_order->Dump() == as_read->Dump())
      << "read models applied order by order differ from those applied as read";
}

TEST_F(ProjectorPartitionsTest, UnloadingEveryPartitionLeavesNothing) {
  auto records = Workload(120, 11);
  auto store = Open("all");
  Project(*store, records, {0, 1, 2, 3});
  auto held = store->HeldPartitions();
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(*held, (std::set<int32_t>{0, 1, 2, 3}));
  ProjectionBatch b(*store, options_);
  for (int32_t p = 0; p < kPartitions; ++p) {
    for (;;) {
      auto n = b.Unload(p, 7);  // small chunks: several commits per partition
      ASSERT_TRUE(n.ok()) << n.status().message();
      ASSERT_TRUE(b.Commit().ok());
      if (*n == 0) break;
    }
  }
  held = store->HeldPartitions();
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(held->empty());
  // Only the month-rollup marker ("m/month_rollups", rendered in hex) may stay: every KPI
  // contribution was retracted.
  EXPECT_EQ(store->Dump(), "6D2F6D6F6E74685F726F6C6C757073 = \n");
}

TEST_F(ProjectorPartitionsTest, AStoreThatLostPartitionsEqualsOneThatNeverHadThem) {
  auto records = Workload(150, 12);
  auto both = Open("both");
  Project(*both, records, {0, 1, 2, 3});
  ProjectionBatch b(*both, options_);
  for (int32_t p : {1, 3}) {
    for (;;) {
      auto n = b.Unload(p, 25);
      ASSERT_TRUE(n.ok());
      ASSERT_TRUE(b.Commit().ok());
      if (*n == 0) break;
    }
  }
  auto only = Open("only");
  Project(*only, records, {0, 2});
  EXPECT_EQ(both->Dump(), only->Dump());
  EXPECT_EQ(*both->HeldPartitions(), (std::set<int32_t>{0, 2}));
}

TEST_F(ProjectorPartitionsTest, PartitionStoresAddUpToOneStore) {
  auto records = Workload(200, 13);
  auto all = Open("all");
  Project(*all, records, {0, 1, 2, 3});
  auto left = Open("left");
  Project(*left, records, {0, 3});
  auto right = Open("right");
  Project(*right, records, {1, 2});
  // Cells of the two halves, merged, equal the single store's cells byte for byte.
  std::map<std::string, Cell> merged;
  for (const ReadModelStore* s : {left.get(), right.get()}) {
    for (const auto& [key, bytes] : Cells(*s)) {
      auto cell = Cell::Parse(bytes);
      ASSERT_TRUE(cell.ok());
      merged[key].Merge(*cell);
    }
  }
  std::map<std::string, std::string> merged_bytes;
  for (const auto& [key, cell] : merged) {
    if (!cell.Empty()) merged_bytes[key] = cell.Serialize();
  }
  EXPECT_EQ(merged_bytes, Cells(*all));
  EXPECT_FALSE(merged_bytes.empty());
}

// Invariant: every month rollup cell equals its month's day cells merged, through batches that
// change the same cells and an unload that retracts some of them.
TEST_F(ProjectorPartitionsTest, MonthRollupsEqualTheirDayCellsMerged) {
  auto records = Workload(150, 16);
  auto store = Open("store");
  Project(*store, records, {0, 1, 2, 3}, 97);
  ProjectionBatch b(*store, options_);
  auto n = b.Unload(1, 10);
  ASSERT_TRUE(n.ok());
  ASSERT_TRUE(b.Commit().ok());
  ASSERT_TRUE(store->HasMonthRollups());
  for (GroupKind kind : kAllGroupKinds) {
    std::map<std::string, Cell> summed;
    store->Scan(kind, kMinDate, kMaxDate, [&](const CellKey& k, const Cell& c) {
      CellKey month = k;
      month.month = true;
      month.date = BucketStart(k.date, Bucket::kMonth);
      summed[Describe(month)].Merge(c);
    });
    std::map<std::string, std::string> expected, months;
    for (const auto& [key, cell] : summed) {
      if (!cell.Empty()) expected[key] = cell.ToString();
    }
    store->ScanMonths(kind, kMinDate, kMaxDate,
                      [&](const CellKey& k, const Cell& c) { months[Describe(k)] = c.ToString(); });
    EXPECT_EQ(months, expected) << GroupKindName(kind);
    EXPECT_FALSE(months.empty()) << GroupKindName(kind);
  }
}

TEST_F(ProjectorPartitionsTest, ReloadingAnUnloadedPartitionRestoresTheStore) {
  auto records = Workload(100, 14);
  auto store = Open("store");
  Project(*store, records, {0, 1, 2, 3});
  const std::string before = store->Dump();
  ProjectionBatch b(*store, options_);
  for (;;) {
    auto n = b.Unload(2, 1000);
    ASSERT_TRUE(n.ok());
    ASSERT_TRUE(b.Commit().ok());
    if (*n == 0) break;
  }
  EXPECT_NE(store->Dump(), before);
  Project(*store, records, {2});  // the partition comes back: replayed from its first offset
  EXPECT_EQ(store->Dump(), before);
}

// Invariant: a partition adopted from another instance publishes, while it is replayed, exactly
// the alert records the other instance had not published, numbered after its records.
TEST_F(ProjectorPartitionsTest, AnAdoptedPartitionPublishesOnlyWhatWasNotPublished) {
  auto records = Workload(120, 15);
  auto before = Open("before");  // the previous owner
  Project(*before, records, {0});
  auto outbox = before->Outbox(1'000'000);
  ASSERT_TRUE(outbox.ok());
  ASSERT_GT(outbox->size(), 10u);
  std::unordered_set<std::string> published;  // it got half of them out
  std::set<std::string> expected;
  for (size_t i = 0; i < outbox->size(); ++i) {
    const std::string key = ProjectionBatch::PublishedKey((*outbox)[i].second);
    if (i % 2 == 0) {
      published.insert(key);
    } else {
      expected.insert(key);
    }
  }
  auto after = Open("after");
  ProjectionBatch b(*after, options_);  // the adoption lives in the projector's batch
  b.Adopt(0, 5'000, 77, /*replay_until=*/1'000'000, published);
  for (const Record& r : records) {
    if (r.partition != 0) continue;
    ASSERT_TRUE(b.Apply(r.event, r.partition, r.offset).ok());
    if (b.events() >= 500) {
      ASSERT_TRUE(b.Commit().ok());
    }
  }
  ASSERT_TRUE(b.Commit().ok());
  auto sent = after->Outbox(1'000'000);
  ASSERT_TRUE(sent.ok());
  std::set<std::string> got;
  for (const auto& [key, alert] : *sent) {
    got.insert(ProjectionBatch::PublishedKey(alert));
    EXPECT_GE(alert.sequence(), 5'000);
  }
  EXPECT_EQ(got, expected);
  auto from = after->PublishedOffset(0);
  ASSERT_TRUE(from.ok() && from->has_value());
  EXPECT_EQ(**from, 77);
  // The replay's end is stored (a restart mid-replay adopts again) until the replay is over.
  auto until = after->ReplayUntil(0);
  ASSERT_TRUE(until.ok() && until->has_value());
  EXPECT_EQ(**until, 1'000'000);
  b.EndReplay(0);
  ASSERT_TRUE(b.Commit().ok());
  until = after->ReplayUntil(0);
  ASSERT_TRUE(until.ok());
  EXPECT_FALSE(until->has_value());
}

// The projector's loop stages batch N+1 while N is still being written (ProjectionBatch::Stage):
// N+1 reads the orders and KPI cells N changed from memory, never the store's older values. Half
// the book goes through committed batches first, so the pipelined batch starts on a store with
// cells it has not seen (it reads them back) and emptied cells are read back in flight too. With
// a small order cache, orders are evicted and read back while the batch before is in flight.
// With DeferCells (`gendan rebuild`), each batch's KPI cells are merged only as it is written,
// after the next batch was staged.
TEST_F(ProjectorPartitionsTest, BatchesStagedBeforeTheOneBeforeLandedEqualCommittedOnes) {
  auto records = Workload(160, 14);
  const std::vector<Record> first(records.begin(), records.begin() + records.size() / 2);
  const std::vector<Record> second(records.begin() + records.size() / 2, records.end());
  auto committed = Open("committed");
  Project(*committed, records, {0, 1, 2, 3}, 40);

  for (bool defer : {false, true}) {
    // Small cell caches drop cells (at the end of a batch, or in its middle once the cache is
    // full) and read them back.
    for (auto [cache_orders, cache_cells] :
         {std::pair<size_t, size_t>{0, 2'000'000}, {7, 50}, {7, 400}, {50'000, 2'000'000}}) {
      const std::string name = (defer ? "deferred-" : "pipelined-") + std::to_string(cache_orders) +
                               "-" + std::to_string(cache_cells);
      SCOPED_TRACE(name);
      auto pipelined = Open(name);
      Project(*pipelined, first, {0, 1, 2, 3}, 40);
      ProjectionOptions options = options_;
      options.cache_orders = cache_orders;
      options.cache_cells = cache_cells;
      ProjectionBatch b(*pipelined, options);
      if (defer) b.DeferCells();
      std::optional<ProjectionBatch::Staged> in_flight;
      size_t deferred = 0;
      auto write = [&](ProjectionBatch::Staged& staged) {
        deferred += staged.fact_changes.size();
        if (defer) {
          ASSERT_TRUE(b.StageCells(staged).ok());
        }
        rocksdb::WriteBatch wb;
        staged.writes.MoveTo(wb);
        ASSERT_TRUE(pipelined->Write(&wb).ok());
      };
      size_t staged_batches = 0;
      for (size_t i = 0; i < second.size(); ++i) {
        ASSERT_TRUE(b.Apply(second[i].event, second[i].partition, second[i].offset).ok());
        if (b.events() < 40 && i + 1 < second.size()) continue;
        auto staged = b.Stage();
        ASSERT_TRUE(staged.ok()) << staged.status().message();
        if (in_flight) write(*in_flight);  // lands only now, after the next batch was staged
        in_flight = std::move(*staged);
        ++staged_batches;
      }
      ASSERT_TRUE(in_flight.has_value());
      write(*in_flight);
      EXPECT_GT(staged_batches, 5u);
      EXPECT_EQ(deferred > 0, defer);
      EXPECT_EQ(pipelined->Dump(), committed->Dump());
    }
  }
}

// `gendan rebuild` of a setup whose read-model folder does not exist yet: the generation is
// made with its parent folders, and a parent that cannot be made is a clear error.
TEST_F(ProjectorPartitionsTest, GenerationIsMadeWithItsParentFolders) {
  auto nested = ReadModelStore::OpenGeneration((dir_ / "a" / "b" / "proj.gen-1").string());
  ASSERT_TRUE(nested.ok()) << nested.status().message();
  EXPECT_TRUE(std::filesystem::is_directory(dir_ / "a" / "b" / "proj.gen-1"));
  { std::ofstream file(dir_ / "plain"); }
  auto under_file = ReadModelStore::OpenGeneration((dir_ / "plain" / "proj.gen-1").string());
  ASSERT_FALSE(under_file.ok());
  EXPECT_NE(under_file.status().message().find("plain"), std::string::npos)
      << under_file.status().message();
}

TEST_F(ProjectorPartitionsTest, OwnershipRecordRoundTrips) {
  auto store = Open("store");
  auto none = store->GetOwnership();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  Ownership o{"p1", {0, 2}, {2}, {3}, 4, 1000, 2000};
  ASSERT_TRUE(store->PutOwnership(o).ok());
  auto back = store->GetOwnership();
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ(**back, o);
  EXPECT_FALSE(Ownership::Decode("{\"instance\":1}").ok());
  EXPECT_EQ(store->Dump().find("w/"), std::string::npos);  // not a read model
}

}  // namespace
}  // namespace gendan

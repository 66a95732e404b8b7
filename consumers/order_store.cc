#include "consumers/order_store.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <cstring>

#include "projections/rocks_logger.h"

namespace gendan {
namespace {

// Key space: "o/<order_id>" holds an OrderState, "p/<partition>" a PartitionPosition.
std::string OrderKey(const std::string& order_id) { return "o/" + order_id; }
std::string PositionKey(int32_t partition) { return "p/" + std::to_string(partition); }

std::string EncodePosition(const PartitionPosition& p) {
  std::string out(16, '\0');
  std::memcpy(out.data(), &p.inbound_next, 8);
  std::memcpy(out.data() + 8, &p.events_next, 8);
  return out;
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut())
    return Status::TryAgain(what + ": " + s.ToString());
  return Status::IoError(what + ": " + s.ToString());
}

}  // namespace

Result<std::unique_ptr<OrderStore>> OrderStore::Open(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  // Point lookups by order id dominate: a bloom filter saves the disk read for new orders.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // And one over the memtable's keys: the engine looks up every order it has not cached, and
  // for a new order the memtable's skip list search found nothing at the cost of a few cache
  // misses per level (most of Get's time). The filter takes 2 % of the memtable's size: with
  // states of a few hundred bytes that is dozens of bits per key, one cache line per probe.
  options.memtable_whole_key_filtering = true;
  options.memtable_prefix_bloom_size_ratio = 0.02;
  options.compression = rocksdb::kLZ4Compression;
  options.info_log = RocksLogger();  // not a LOG file on the store's own disk (rocks_logger.h)
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return Status::IoError("opening order store " + dir + ": " + s.ToString());
  return std::unique_ptr<OrderStore>(new OrderStore(std::unique_ptr<rocksdb::DB>(raw)));
}

Result<std::optional<OrderState>> OrderStore::Get(const std::string& order_id) const {
  std::string bytes;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), OrderKey(order_id), &bytes);
  if (s.IsNotFound()) return std::optional<OrderState>();
  if (!s.ok()) return FromRocks(s, "reading order " + order_id);
  auto state = OrderState::Parse(bytes);
  if (!state.ok())
    return Status::Fatal("order " + order_id + " in the store: " + state.status().message());
  return std::optional<OrderState>(std::move(*state));
}

Result<PartitionPosition> OrderStore::Position(int32_t partition) const {
  std::string bytes;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), PositionKey(partition), &bytes);
  if (s.IsNotFound()) return PartitionPosition{};
  if (!s.ok()) return FromRocks(s, "reading partition position");
  if (bytes.size() != 16)
    return Status::Fatal("partition " + std::to_string(partition) + " position is corrupt");
  PartitionPosition p;
  std::memcpy(&p.inbound_next, bytes.data(), 8);
  std::memcpy(&p.events_next, bytes.data() + 8, 8);
  return p;
}

void OrderStore::Writes::Put(const std::string& order_id, const OrderState& state) {
  wb_.Put(OrderKey(order_id), state.Serialize());
}

void OrderStore::Writes::Put(int32_t partition, const PartitionPosition& position) {
  wb_.Put(PositionKey(partition), EncodePosition(position));
}

Status OrderStore::Commit(const Batch& batch) {
  Writes writes;
  for (const auto& [order_id, state] : batch.states) writes.Put(order_id, state);
  for (const auto& [partition, pos] : batch.positions) writes.Put(partition, pos);
  return Write(writes);
}

Status OrderStore::Write(Writes& writes) {
  rocksdb::WriteOptions options;
  // Not synced: the store is a cache of gendan.events (the order of record), and its positions
  // travel in the same batch as its states. After a process crash the write is in the OS; after
  // a power cut RocksDB recovers a consistent prefix, positions behind, and the engine catches up
  // from gendan.events. A sync per commit cost the engine thread a disk flush every interval.
  options.sync = false;
  return FromRocks(db_->Write(options, &writes.wb_), "writing order store batch");
}

Status OrderStore::Resume() {
  return FromRocks(db_->Resume(), "resuming the order store after a write error");
}

}  // namespace gendan

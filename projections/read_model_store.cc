#include "projections/read_model_store.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "projections/rocks_logger.h"

namespace gendan {
namespace {

rocksdb::Options StoreOptions(const std::shared_ptr<rocksdb::Cache>& block_cache) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.compression = rocksdb::kLZ4Compression;
  options.info_log = RocksLogger();  // not a LOG file on the store's own disk (rocks_logger.h)
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.optimize_filters_for_memory = true;
  // Index and filter blocks in the bounded cache (StoreMemory), partitioned so that a lookup
  // caches the partitions it needs rather than a whole file's index and filter; the small top
  // levels stay pinned, and high priority keeps the partitions ahead of data blocks.
  table.block_cache = block_cache;
  table.cache_index_and_filter_blocks = true;
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_top_level_index_and_filter = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  table.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table.partition_filters = true;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

// Compaction::kOnceAtPersist: what RocksDB's PrepareForBulkLoad sets for compaction, without its
// other changes (memtables, levels). Files pile up in level 0 unmerged, and no number of them
// slows or stops writes; a lookup probes each file's bloom filter.
void CompactOnlyOnce(rocksdb::Options& options) {
  options.disable_auto_compactions = true;
  options.level0_file_num_compaction_trigger = 1 << 30;
  options.level0_slowdown_writes_trigger = 1 << 30;
  options.level0_stop_writes_trigger = 1 << 30;
  options.soft_pending_compaction_bytes_limit = 0;  // no limit
  options.hard_pending_compaction_bytes_limit = 0;
  options.max_subcompactions = 2;  // the one compaction at the end uses two threads
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut())
    return Status::TryAgain(what + ": " + s.ToString());
  return Status::IoError(what + ": " + s.ToString());
}

void PutBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

// "<prefix><partition:4 BE>": the per-partition keys (offsets, alert positions).
std::string PartitionKey(std::string prefix, int32_t partition) {
  PutBigEndian(&prefix, static_cast<uint32_t>(partition), 4);
  return prefix;
}

uint64_t GetBigEndian(std::string_view in) {
  uint64_t v = 0;
  for (unsigned char c : in) v = (v << 8) | c;
  return v;
}

// The first key after every key starting with `prefix` (empty: none, the prefix is all 0xff).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (!prefix.empty())
    prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

// An iterator that ends at `end` (exclusive; empty: no end). Without the bound, stepping past
// the last key of a range walks over every deleted key that follows (e.g. the alert outbox's,
// right after the offsets) before the iterator can tell the range is done.
class BoundedIterator {
 public:
  BoundedIterator(rocksdb::DB* db, std::string end) : end_(std::move(end)), bound_(end_) {
    rocksdb::ReadOptions options;
    if (!end_.empty()) options.iterate_upper_bound = &bound_;
    it_.reset(db->NewIterator(options));
  }
  BoundedIterator(const BoundedIterator&) = delete;  // bound_ points into this end_
  BoundedIterator& operator=(const BoundedIterator&) = delete;
  rocksdb::Iterator* operator->() const { return it_.get(); }

 private:
  const std::string end_;
  const rocksdb::Slice bound_;  // options.iterate_upper_bound points here: lives as long
  std::unique_ptr<rocksdb::Iterator> it_;
};

// Every key starting with `prefix`, in order, until fn returns false.
void ForPrefix(rocksdb::DB* db, const std::string& prefix, const std::string& start,
               const std::function<bool(std::string_view key, std::string_view value)>& fn) {
  BoundedIterator it(db, PrefixEnd(prefix));
  for (it->Seek(start.empty() ? prefix : start); it->Valid(); it->Next()) {
    std::string_view key(it->key().data(), it->key().size());
    if (!key.starts_with(prefix)) break;
    if (!fn(key, std::string_view(it->value().data(), it->value().size()))) break;
  }
}

}  // namespace

ReadModelStore::ReadModelStore(std::string link, std::string scratch, bool follower,
                               StoreMemory memory, Compaction compaction)
    : link_(std::move(link)),
      scratch_(std::move(scratch)),
      follower_(follower),
      compaction_(compaction),
      block_cache_(rocksdb::NewLRUCache(memory.block_cache_bytes, /*num_shard_bits=*/-1,
                                        /*strict_capacity_limit=*/false,
                                        /*high_pri_pool_ratio=*/0.5)) {}

ReadModelStore::~ReadModelStore() = default;

namespace {

namespace fs = std::filesystem;

// The generation folder a link names, or the path itself when it is not a link.
std::string Resolve(const std::string& link) {
  std::error_code ec;
  if (fs::is_symlink(link, ec)) {
    fs::path target = fs::read_symlink(link, ec);
    if (target.is_relative()) target = fs::path(link).parent_path() / target;
    return target.lexically_normal().string();
  }
  return link;
}

std::string NewGenerationName(const std::string& dir) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return dir + ".gen-" + std::to_string(ms);
}

}  // namespace

Status ReadModelStore::OpenCurrent() {
  std::string generation = Resolve(link_);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (follower_) {
    rocksdb::Options options = StoreOptions(block_cache_);
    options.create_if_missing = false;
    options.max_open_files = -1;  // required by secondary instances
    s = rocksdb::DB::OpenAsSecondary(options, generation, scratch_, &raw);
  } else {
    rocksdb::Options options = StoreOptions(block_cache_);
    if (compaction_ == Compaction::kOnceAtPersist) CompactOnlyOnce(options);
    s = rocksdb::DB::Open(options, generation, &raw);
  }
  if (!s.ok()) return Status::IoError("opening read models " + generation + ": " + s.ToString());
  std::unique_lock lock(mu_);
  db_.reset(raw);
  generation_ = generation;
  return Status::Ok();
}

Result<std::unique_ptr<ReadModelStore>> ReadModelStore::OpenWriter(const std::string& dir,
                                                                   StoreMemory memory) {
  std::error_code ec;
  if (!fs::exists(dir, ec) && !fs::is_symlink(dir, ec)) {
    std::string generation = NewGenerationName(dir);
    fs::create_directories(generation, ec);
    if (!ec) fs::create_directory_symlink(fs::path(generation).filename(), dir, ec);
    if (ec) return Status::IoError("creating read-model folder " + dir + ": " + ec.message());
  }
  std::unique_ptr<ReadModelStore> store(new ReadModelStore(dir, "", false, memory));
  Status s = store->OpenCurrent();
  if (!s.ok()) return s;
  return store;
}

Result<std::unique_ptr<ReadModelStore>> ReadModelStore::OpenGeneration(
    const std::string& generation_dir, StoreMemory memory, Compaction compaction) {
  // Beside the live folder, which may not exist yet (a first `gendan rebuild` of a new setup).
  std::error_code ec;
  const fs::path parent = fs::path(generation_dir).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec)
    return Status::IoError("creating read-model folder " + parent.string() + ": " + ec.message());
  std::unique_ptr<ReadModelStore> store(
      new ReadModelStore(generation_dir, "", false, memory, compaction));
  Status s = store->OpenCurrent();
  if (!s.ok()) return s;
  return store;
}

Result<std::unique_ptr<ReadModelStore>> ReadModelStore::OpenFollower(const std::string& dir,
                                                                     const std::string& scratch_dir,
                                                                     StoreMemory memory) {
  std::unique_ptr<ReadModelStore> store(new ReadModelStore(dir, scratch_dir, true, memory));
  Status s = store->OpenCurrent();
  if (!s.ok()) return s;
  return store;
}

std::shared_ptr<rocksdb::DB> ReadModelStore::Db() const {
  std::shared_lock lock(mu_);
  return db_;
}

std::string ReadModelStore::generation() const {
  std::shared_lock lock(mu_);
  return generation_;
}

ReadModelStore::Stamp ReadModelStore::CurrentStamp() const {
  std::shared_lock lock(mu_);  // the folder and the sequence of one and the same database
  return {generation_, db_ ? db_->GetLatestSequenceNumber() : 0};
}

StoreStats ReadModelStore::Stats() const { return ReadStoreStats(*Db()); }

bool ReadModelStore::Swapped() const { return Resolve(link_) != generation(); }

Status ReadModelStore::Reopen() {
  {
    std::unique_lock lock(mu_);
    db_.reset();  // readers holding the old one finish with it; RocksDB closes when they do
  }
  return OpenCurrent();
}

Status ReadModelStore::Refresh() {
  if (!follower_) return Status::Ok();
  if (Swapped()) return Reopen();
  auto db = Db();
  return FromRocks(db->TryCatchUpWithPrimary(), "following the projector's read models");
}

Status ReadModelStore::SwapIn(const std::string& dir, const std::string& generation_dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_symlink(dir, ec)) {
    return Status::InvalidArgument(dir + " is a folder, not a read-model generation link");
  }
  const std::string tmp = dir + ".swap";
  fs::remove(tmp, ec);
  fs::create_directory_symlink(fs::path(generation_dir).filename(), tmp, ec);
  if (ec) return Status::IoError("linking " + generation_dir + ": " + ec.message());
  fs::rename(tmp, dir, ec);  // rename(2) replaces the old link atomically
  if (ec) return Status::IoError("swapping " + dir + ": " + ec.message());
  return Status::Ok();
}

std::string ReadModelStore::EventKey(const std::string& order_id, int64_t version) {
  std::string key = "e/" + order_id;
  key.push_back('\0');
  PutBigEndian(&key, static_cast<uint64_t>(version), 8);
  return key;
}

std::string ReadModelStore::IndexKey(const std::string& field, const std::string& value,
                                     const std::string& order_id) {
  std::string key = "x/" + field;
  key.push_back('\0');
  key += value;
  key.push_back('\0');
  key += order_id;
  return key;
}

std::string ReadModelStore::OffsetKey(int32_t partition) { return PartitionKey("p/", partition); }

std::string ReadModelStore::PartitionOrderKey(int32_t partition, const std::string& order_id) {
  return PartitionKey("o/", partition) + order_id;
}

std::string ReadModelStore::ScheduleKey(int64_t unix_ms, const std::string& order_id) {
  std::string key = "t/";
  PutBigEndian(&key, static_cast<uint64_t>(std::max<int64_t>(0, unix_ms)), 8);
  return key + order_id;
}

std::string ReadModelStore::PartitionValue(int32_t partition) {
  return PartitionKey("", partition);
}

std::string ReadModelStore::SequenceKey(int32_t partition) {
  return PartitionKey("qs/", partition);
}

std::string ReadModelStore::OutboxKey(int32_t partition, int64_t sequence) {
  std::string key = PartitionKey("q/", partition);
  PutBigEndian(&key, static_cast<uint64_t>(sequence), 8);
  return key;
}

std::string ReadModelStore::ReplayKey(int32_t partition) { return PartitionKey("qr/", partition); }

Result<std::optional<int64_t>> ReadModelStore::ReplayUntil(int32_t partition) const {
  return GetNumber(ReplayKey(partition));
}

std::string ReadModelStore::PublishedOffsetKey(int32_t partition) {
  return PartitionKey("qo/", partition);
}

Result<std::optional<std::string>> ReadModelStore::GetAlertBytes(
    const std::string& order_id) const {
  return Get(AlertsKey(order_id));
}

Result<std::optional<v1::AlertSet>> ReadModelStore::GetAlerts(const std::string& order_id) const {
  auto bytes = GetAlertBytes(order_id);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<v1::AlertSet>();
  v1::AlertSet set;
  if (!set.ParseFromString(**bytes)) return Status::Fatal("alerts of " + order_id + " are corrupt");
  return std::optional<v1::AlertSet>(std::move(set));
}

Result<std::vector<v1::Alert>> ReadModelStore::OpenAlerts() const {
  std::vector<v1::Alert> out;
  bool corrupt = false;
  ForPrefix(Db().get(), "a/", "", [&](std::string_view, std::string_view value) {
    v1::AlertSet set;
    corrupt = !set.ParseFromArray(value.data(), static_cast<int>(value.size()));
    for (auto& a : *set.mutable_open()) out.push_back(std::move(a));
    return !corrupt;
  });
  if (corrupt) return Status::Fatal("the alerts read model is corrupt");
  return out;
}

Result<std::vector<ReadModelStore::Due>> ReadModelStore::DueForAlerts(int64_t until_ms) const {
  std::vector<Due> due;
  ForPrefix(Db().get(), "t/", "", [&](std::string_view key, std::string_view value) {
    if (static_cast<int64_t>(GetBigEndian(key.substr(2, 8))) > until_ms) return false;
    Due d{std::string(key.substr(10)), std::nullopt};
    if (value.size() == 4) d.partition = static_cast<int32_t>(GetBigEndian(value));
    due.push_back(std::move(d));
    return true;
  });
  return due;
}

Result<std::optional<int64_t>> ReadModelStore::GetNumber(const std::string& key) const {
  auto bytes = Get(key);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<int64_t>();
  return std::optional<int64_t>(static_cast<int64_t>(GetBigEndian(**bytes)));
}

Result<std::optional<int64_t>> ReadModelStore::ScheduledAt(const std::string& order_id) const {
  return GetNumber(ScheduledAtKey(order_id));
}

Result<std::optional<int64_t>> ReadModelStore::PublishedOffset(int32_t partition) const {
  return GetNumber(PublishedOffsetKey(partition));
}

Result<int64_t> ReadModelStore::NextSequence(int32_t partition) const {
  auto bytes = Get(SequenceKey(partition));
  if (!bytes.ok()) return bytes.status();
  return bytes->has_value() ? static_cast<int64_t>(GetBigEndian(**bytes)) : int64_t{1};
}

Result<std::vector<std::pair<std::string, v1::Alert>>> ReadModelStore::Outbox(size_t limit) const {
  std::vector<std::pair<std::string, v1::Alert>> out;
  bool corrupt = false;
  ForPrefix(Db().get(), "q/", "", [&](std::string_view key, std::string_view value) {
    if (out.size() == limit) return false;
    auto& [k, alert] = out.emplace_back(std::string(key), v1::Alert());
    corrupt = !alert.ParseFromArray(value.data(), static_cast<int>(value.size()));
    return !corrupt;
  });
  if (corrupt) return Status::Fatal("the alert outbox is corrupt");
  return out;
}

std::string ReadModelStore::OffsetValue(int64_t next_offset) {
  std::string value;
  PutBigEndian(&value, static_cast<uint64_t>(next_offset), 8);
  return value;
}

Result<std::optional<std::string>> ReadModelStore::Get(const std::string& key) const {
  std::string value;
  rocksdb::Status s = Db()->Get(rocksdb::ReadOptions(), key, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "reading read models");
  return std::optional<std::string>(std::move(value));
}

Result<std::optional<v1::OrderStatus>> ReadModelStore::GetStatus(
    const std::string& order_id) const {
  auto bytes = Get(StatusKey(order_id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<v1::OrderStatus>();
  v1::OrderStatus status;
  if (!status.ParseFromString(**bytes))
    return Status::Fatal("status of " + order_id + " is corrupt");
  return std::optional<v1::OrderStatus>(std::move(status));
}

Result<std::optional<OrderFacts>> ReadModelStore::GetFacts(const std::string& order_id) const {
  auto bytes = Get(FactsKey(order_id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<OrderFacts>();
  auto facts = ParseFacts(**bytes);
  if (!facts.ok())
    return Status::Fatal("KPI facts of " + order_id + ": " + facts.status().message());
  return std::optional<OrderFacts>(std::move(*facts));
}

Result<std::vector<v1::OrderEvent>> ReadModelStore::Events(const std::string& order_id) const {
  std::vector<v1::OrderEvent> events;
  std::string prefix = "e/" + order_id;
  prefix.push_back('\0');
  bool corrupt = false;
  ForPrefix(Db().get(), prefix, "", [&](std::string_view, std::string_view value) {
    v1::OrderEvent& e = events.emplace_back();
    corrupt = !e.ParseFromArray(value.data(), static_cast<int>(value.size()));
    return !corrupt;
  });
  if (corrupt) return Status::Fatal("timeline of " + order_id + " is corrupt");
  return events;
}

bool ReadModelStore::Matches(const v1::OrderStatus& s, const OrderFilter& f) const {
  return (f.stage.empty() || v1::Stage::Value_Name(s.stage()) == f.stage) &&
         (f.customer.empty() || s.customer_id() == f.customer) &&
         (f.merchandiser.empty() || s.merchandiser_id() == f.merchandiser) &&
         (f.supplier.empty() || s.supplier_id() == f.supplier) &&
         (!f.at_risk.has_value() || AtRisk(s, f.today, f.risk_buffer_days) == *f.at_risk);
}

// Adds the order's status to the page when it matches every filter.
Status ReadModelStore::AddIfMatches(const std::string& order_id, const OrderFilter& filter,
                                    OrderPage* page) const {
  auto s = GetStatus(order_id);
  if (!s.ok()) return s.status();
  if (s->has_value() && Matches(**s, filter)) page->orders.push_back(std::move(**s));
  return Status::Ok();
}

Result<OrderPage> ReadModelStore::List(const OrderFilter& filter, size_t limit,
                                       const std::string& cursor) const {
  // Walk the most selective index available (any set filter; ids come in order_id order),
  // or every status when no filter is set; check the other filters on the status itself.
  std::string prefix = "s/";
  for (const auto& [field, value] :
       {std::pair{"customer", &filter.customer}, std::pair{"merchandiser", &filter.merchandiser},
        std::pair{"supplier", &filter.supplier}, std::pair{"stage", &filter.stage}}) {
    if (!value->empty()) {
      prefix = IndexKey(field, *value, "");
      break;
    }
  }
  if (filter.at_risk == true) return ListAtRisk(filter, limit, cursor);
  OrderPage page;
  Status status;
  std::string start = cursor.empty() ? "" : prefix + cursor + std::string(1, '\0');
  ForPrefix(Db().get(), prefix, start, [&](std::string_view key, std::string_view) {
    std::string order_id(key.substr(prefix.size()));
    const bool full = page.orders.size() == limit;
    status = AddIfMatches(order_id, filter, &page);
    // A further match after a full page: there is a next page (it is never empty).
    if (full && page.orders.size() > limit) {
      page.orders.pop_back();
      page.next_cursor = page.orders.back().order_id();
      return false;
    }
    return status.ok();
  });
  if (!status.ok()) return status;
  return page;
}

// Open commitments due up to today + buffer, from the "due" index in commit-date order: a scan
// of the orders at risk and their neighbours, never of every order.
Result<OrderPage> ReadModelStore::ListAtRisk(const OrderFilter& filter, size_t limit,
                                             const std::string& cursor) const {
  const std::string prefix = "x/due" + std::string(1, '\0');  // IndexKey("due", <date>, <id>)
  const std::string last = FormatDate(filter.today + std::chrono::days(filter.risk_buffer_days));
  std::string start;
  if (size_t slash = cursor.find('/'); slash != std::string::npos) {
    start = prefix + cursor.substr(0, slash) + std::string(1, '\0') + cursor.substr(slash + 1) +
            std::string(1, '\0');
  }
  OrderPage page;
  Status status;
  ForPrefix(Db().get(), prefix, start, [&](std::string_view key, std::string_view) {
    std::string_view rest = key.substr(prefix.size());
    size_t sep = rest.find('\0');
    std::string date(rest.substr(0, sep));
    if (sep == std::string_view::npos || date > last) return false;
    const bool full = page.orders.size() == limit;
    status = AddIfMatches(std::string(rest.substr(sep + 1)), filter, &page);
    if (full && page.orders.size() > limit) {  // a further match: there is a next page
      page.orders.pop_back();
      const auto& prev = page.orders.back();
      page.next_cursor = prev.commit_date() + "/" + prev.order_id();
      return false;
    }
    return status.ok();
  });
  if (!status.ok()) return status;
  return page;
}

Result<std::optional<Cell>> ReadModelStore::GetCell(const CellKey& key) const {
  auto bytes = Get(CellStoreKey(key));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<Cell>();
  auto cell = Cell::Parse(**bytes);
  if (!cell.ok()) return Status::Fatal("KPI cell is corrupt: " + cell.status().message());
  return std::optional<Cell>(std::move(*cell));
}

Result<std::map<int32_t, int64_t>> ReadModelStore::Offsets() const {
  std::map<int32_t, int64_t> offsets;
  ForPrefix(Db().get(), "p/", "", [&](std::string_view key, std::string_view value) {
    offsets[static_cast<int32_t>(GetBigEndian(key.substr(2)))] =
        static_cast<int64_t>(GetBigEndian(value));
    return true;
  });
  return offsets;
}

std::string Ownership::Encode() const {
  return nlohmann::json{{"instance", instance},
                        {"partitions", partitions},
                        {"loading", loading},
                        {"unloading", unloading},
                        {"partition_count", partition_count},
                        {"assigned_unix_ms", assigned_unix_ms},
                        {"heartbeat_unix_ms", heartbeat_unix_ms}}
      .dump();
}

Result<Ownership> Ownership::Decode(std::string_view json) {
  auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("ownership is not JSON");
  try {
    Ownership o;
    o.instance = j.at("instance").get<std::string>();
    o.partitions = j.at("partitions").get<std::vector<int32_t>>();
    o.loading = j.value("loading", std::vector<int32_t>{});
    o.unloading = j.value("unloading", std::vector<int32_t>{});
    o.partition_count = j.at("partition_count").get<int32_t>();
    o.assigned_unix_ms = j.at("assigned_unix_ms").get<int64_t>();
    o.heartbeat_unix_ms = j.at("heartbeat_unix_ms").get<int64_t>();
    return o;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("ownership: ") + e.what());
  }
}

Result<std::optional<Ownership>> ReadModelStore::GetOwnership() const {
  auto bytes = Get(OwnershipKey());
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::optional<Ownership>();
  auto o = Ownership::Decode(**bytes);
  if (!o.ok()) return Status::Fatal(o.status().message());
  return std::optional<Ownership>(std::move(*o));
}

Status ReadModelStore::PutOwnership(const Ownership& ownership) {
  rocksdb::WriteBatch batch;
  batch.Put(OwnershipKey(), ownership.Encode());
  return Write(&batch);
}

Result<std::set<int32_t>> ReadModelStore::HeldPartitions() const {
  auto offsets = Offsets();
  if (!offsets.ok()) return offsets.status();
  std::set<int32_t> held;
  for (const auto& [p, next] : *offsets) held.insert(p);
  // o/ keys are grouped by partition: one seek per partition present skips over its orders.
  auto db = Db();
  BoundedIterator it(db.get(), PrefixEnd("o/"));
  for (it->Seek("o/"); it->Valid() && it->key().starts_with("o/") && it->key().size() >= 6;) {
    auto p = static_cast<uint32_t>(GetBigEndian(std::string_view(it->key().data() + 2, 4)));
    held.insert(static_cast<int32_t>(p));
    std::string next = "o/";
    PutBigEndian(&next, static_cast<uint64_t>(p) + 1, 4);
    if (p == UINT32_MAX) break;
    it->Seek(next);
  }
  if (!it->status().ok()) return Status::IoError("reading o/: " + it->status().ToString());
  return held;
}

Result<std::vector<std::string>> ReadModelStore::OutboxKeys(int32_t partition) const {
  std::string prefix = "q/";
  PutBigEndian(&prefix, static_cast<uint32_t>(partition), 4);
  std::vector<std::string> keys;
  ForPrefix(Db().get(), prefix, "", [&](std::string_view key, std::string_view) {
    keys.emplace_back(key);
    return true;
  });
  return keys;
}

Result<std::vector<std::string>> ReadModelStore::OrdersOf(int32_t partition, size_t limit) const {
  std::string prefix = "o/";
  PutBigEndian(&prefix, static_cast<uint32_t>(partition), 4);
  std::vector<std::string> orders;
  ForPrefix(Db().get(), prefix, "", [&](std::string_view key, std::string_view) {
    orders.emplace_back(key.substr(prefix.size()));
    return orders.size() < limit;
  });
  return orders;
}

bool ReadModelStore::HasMonthRollups() const {
  // The marker is never removed, so once seen it needs no further read per query.
  if (rollups_seen_.load(std::memory_order_relaxed)) return true;
  auto marker = Get(RollupsKey());
  const bool seen = marker.ok() && marker->has_value();
  if (seen) rollups_seen_.store(true, std::memory_order_relaxed);
  return seen;
}

Result<bool> ReadModelStore::NoCells() const {
  auto db = Db();
  BoundedIterator it(db.get(), PrefixEnd("k"));
  it->Seek("k");
  if (!it->status().ok()) return Status::IoError("reading KPI cells: " + it->status().ToString());
  return !(it->Valid() && it->key().starts_with("k"));
}

void ReadModelStore::ScanMonths(GroupKind kind, Date from, Date to,
                                const std::function<void(const CellKey&, const Cell&)>& fn) const {
  ScanCells(kind, from, to, /*months=*/true, fn);
}

void ReadModelStore::Scan(GroupKind kind, Date from, Date to,
                          const std::function<void(const CellKey&, const Cell&)>& fn) const {
  ScanCells(kind, from, to, /*months=*/false, fn);
}

void ReadModelStore::ScanCells(GroupKind kind, Date from, Date to, bool months,
                               const std::function<void(const CellKey&, const Cell&)>& fn) const {
  const std::string start = "k" + CellKey::RangeStart(kind, from, months);
  const std::string end = "k" + CellKey::RangeEnd(kind, to, months);
  auto db = Db();
  BoundedIterator it(db.get(), end);  // emptied cells leave deleted keys past the range
  for (it->Seek(start); it->Valid() && it->key().compare(end) < 0; it->Next()) {
    auto key = CellKey::Decode(std::string_view(it->key().data() + 1, it->key().size() - 1));
    auto cell = Cell::Parse(std::string_view(it->value().data(), it->value().size()));
    if (key.has_value() && cell.ok()) fn(*key, *cell);
  }
}

Status ReadModelStore::Write(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions options;
  options.sync = true;
  return FromRocks(Db()->Write(options, batch), "writing read models");
}

Status ReadModelStore::WriteUnlogged(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions options;
  options.disableWAL = true;
  return FromRocks(Db()->Write(options, batch), "writing read models");
}

Status ReadModelStore::Persist() {
  rocksdb::FlushOptions options;
  options.wait = true;
  // A flush writes and syncs the store's files and its manifest.
  Status s = FromRocks(Db()->Flush(options), "flushing read models");
  if (!s.ok() || compaction_ != Compaction::kOnceAtPersist) return s;
  // Everything is in level 0; merged, it lands in level 1, and once the store is opened for
  // reading RocksDB moves what exceeds level 1's size to the empty levels below without
  // rewriting it (a trivial move: nothing there overlaps).
  rocksdb::CompactRangeOptions compact;
  compact.exclusive_manual_compaction = true;
  return FromRocks(Db()->CompactRange(compact, nullptr, nullptr), "compacting read models");
}

Status ReadModelStore::Resume() {
  return FromRocks(Db()->Resume(), "resuming the read-model store after a write error");
}

std::string ReadModelStore::Dump() const {
  std::ostringstream out;
  auto db = Db();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (it->key().starts_with("q") || it->key().starts_with("w/")) {  // q/, qo/, qs/, qr/; w/
      continue;
    }
    rocksdb::Slice value = it->value();
    std::string renumbered;
    if (v1::AlertSet set; it->key().starts_with("a/") &&
                          set.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      for (v1::Alert& a : *set.mutable_open()) a.clear_sequence();
      renumbered = set.SerializeAsString();
      value = renumbered;
    }
    out << it->key().ToString(true) << " = " << value.ToString(true) << "\n";
  }
  return out.str();
}

}  // namespace gendan

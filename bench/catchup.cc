// catchup: waits until a separate gendan process has caught up with its input topic, for
// bench/suite.sh (peak RSS of `gendan engine` and `gendan project` once they have read it all).
//
//   catchup --group G --topic T [--timeout-s 3600]
//       the consumer group G (the engine's engine.group_id) has committed the end offset of every
//       partition of T (gendan.inbound has no transaction markers, so the match is exact);
//   catchup --state-dir DIR --topic T [--timeout-s 3600]
//       the read models at DIR (a running `gendan project`, opened as a RocksDB follower) hold
//       offsets within one of the end of every partition of T (gendan.events ends each
//       partition with a transaction marker, which no consumer position passes);
//   catchup --delete-topics T1,T2,...
//       deletes the topics (the suite's cleanup).
// Prints the remaining lag every few seconds on stderr; exit 0 caught up, 1 timeout or error.
// Broker at GENDAN_BOOTSTRAP (default 127.0.0.1:9092).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "consumers/config.h"
#include "consumers/kafka_client.h"
#include "projections/read_model_store.h"

namespace gendan {
namespace {

struct Flags {
  std::string group, state_dir, topic, delete_topics;
  int timeout_s = 3600;
};

// End offset of every partition of `topic`.
Result<std::vector<int64_t>> EndOffsets(RdKafka::Handle& h, const std::string& topic) {
  auto parts = PartitionCount(h, topic, 10'000);
  if (!parts.ok()) return parts.status();
  std::vector<int64_t> ends;
  for (int32_t p = 0; p < *parts; ++p) {
    int64_t low = 0, high = 0;
    if (auto e = h.query_watermark_offsets(topic, p, &low, &high, 10'000);
        e != RdKafka::ERR_NO_ERROR) {
      return Status::IoError("watermarks of " + topic + ": " + RdKafka::err2str(e));
    }
    ends.push_back(high);
  }
  return ends;
}

// Records the group has not committed yet, over all partitions.
Result<int64_t> GroupLag(RdKafka::KafkaConsumer& c, const std::string& topic) {
  auto ends = EndOffsets(c, topic);
  if (!ends.ok()) return ends.status();
  std::vector<RdKafka::TopicPartition*> parts;
  for (size_t p = 0; p < ends->size(); ++p)
    parts.push_back(RdKafka::TopicPartition::create(topic, static_cast<int>(p)));
  RdKafka::ErrorCode e = c.committed(parts, 10'000);
  int64_t lag = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    int64_t committed = parts[p]->offset() < 0 ? 0 : parts[p]->offset();
    lag += std::max<int64_t>(0, (*ends)[p] - committed);
  }
  RdKafka::TopicPartition::destroy(parts);
  if (e != RdKafka::ERR_NO_ERROR) return Status::IoError("committed: " + RdKafka::err2str(e));
  return lag;
}

// Records the read models lack, over all partitions, not counting one trailing marker each.
Result<int64_t> StoreLag(RdKafka::Handle& h, ReadModelStore& store, const std::string& topic) {
  if (Status s = store.Refresh(); !s.ok()) return s;
  auto ends = EndOffsets(h, topic);
  if (!ends.ok()) return ends.status();
  auto offsets = store.Offsets();
  if (!offsets.ok()) return offsets.status();
  int64_t lag = 0;
  for (size_t p = 0; p < ends->size(); ++p) {
    auto it = offsets->find(static_cast<int32_t>(p));
    int64_t at = it == offsets->end() ? 0 : it->second;
    lag += std::max<int64_t>(0, (*ends)[p] - at - 1);
  }
  return lag;
}

int Main(const Flags& flags) {
  Config config;
  ApplyEnvironment(&config);
  if (!flags.delete_topics.empty()) {
    std::vector<std::string> topics;
    std::stringstream in(flags.delete_topics);
    for (std::string t; std::getline(in, t, ',');) topics.push_back(t);
    Status s = DeleteTopics(config, topics);
    if (!s.ok()) std::fprintf(stderr, "catchup: %s\n", s.ToString().c_str());
    return s.ok() ? 0 : 1;
  }
  auto consumer = MakeConsumer(config, {{"group.id", flags.group.empty() ? "catchup" : flags.group},
                                        {"enable.auto.commit", "false"}});
  if (!consumer.ok()) {
    std::fprintf(stderr, "catchup: %s\n", consumer.status().ToString().c_str());
    return 1;
  }
  std::unique_ptr<ReadModelStore> store;
  const std::string scratch = "/tmp/gendan-catchup-" + std::to_string(getpid());
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(flags.timeout_s);
  auto last_print = std::chrono::steady_clock::now();
  int rc = 1;
  for (;;) {
    Result<int64_t> lag = int64_t{-1};
    if (!flags.group.empty()) {
      lag = GroupLag(**consumer, flags.topic);
    } else {
      if (!store) {
        auto opened = ReadModelStore::OpenFollower(flags.state_dir, scratch);
        if (opened.ok()) store = std::move(*opened);
      }
      if (store) lag = StoreLag(**consumer, *store, flags.topic);
    }
    if (lag.ok() && *lag == 0) {
      rc = 0;
      break;
    }
    auto now = std::chrono::steady_clock::now();
    if (now > give_up) {
      std::fprintf(stderr, "catchup: gave up after %d s\n", flags.timeout_s);
      break;
    }
    if (now - last_print > std::chrono::seconds(10)) {
      last_print = now;
      std::fprintf(stderr, "catchup: %s lag %s\n", flags.topic.c_str(),
                   lag.ok() ? std::to_string(*lag).c_str() : lag.status().ToString().c_str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  (*consumer)->close();
  store.reset();
  std::filesystem::remove_all(scratch);
  return rc;
}

}  // namespace
}  // namespace gendan

int main(int argc, char** argv) {
  gendan::Flags flags;
  CLI::App app{
      "catchup: wait until gendan engine (--group) or project (--state-dir) has read "
      "all of --topic"};
  auto* group = app.add_option("--group", flags.group, "The engine's consumer group");
  auto* dir = app.add_option("--state-dir", flags.state_dir, "The projector's read-model folder");
  group->excludes(dir);
  app.add_option("--topic", flags.topic, "The topic it reads");
  app.add_option("--timeout-s", flags.timeout_s, "Give up after this long");
  app.add_option("--delete-topics", flags.delete_topics, "Delete these topics (comma-separated)");
  CLI11_PARSE(app, argc, argv);
  if (flags.delete_topics.empty() &&
      (flags.topic.empty() || (flags.group.empty() && flags.state_dir.empty()))) {
    std::fprintf(stderr, "catchup: needs --topic and --group or --state-dir\n");
    return 2;
  }
  return gendan::Main(flags);
}

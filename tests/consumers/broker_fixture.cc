#include "tests/consumers/broker_fixture.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "consumers/kafka_client.h"

namespace gendan::testing {
namespace {

bool RunningInCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

std::string UniquePrefix() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.') c = '-';
  }
  std::random_device rd;
  return "it." + name + "." + std::to_string(rd() % 1'000'000) + ".";
}

}  // namespace

bool WaitFor(const std::function<bool()>& done, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

void BrokerTest::SetUp() {
  ApplyEnvironment(&config_);
  Status up = CheckBroker(config_, 5'000);
  if (!up.ok()) {
    if (RunningInCi()) FAIL() << "CI=true and the Kafka broker is unreachable: " << up.ToString();
    GTEST_SKIP() << "Kafka broker unreachable (start it with deploy/local/broker.sh start): "
                 << up.ToString();
  }
  config_.kafka.topic_prefix = UniquePrefix();
  std::vector<TopicSpec> specs;
  for (const char* t : {"inbound", "events", "rejections", "status", "alerts"}) {
    specs.push_back({config_.Topic(t), partitions(), {}});
    topics_.push_back(config_.Topic(t));
  }
  Status s = CreateTopics(config_, specs);
  ASSERT_TRUE(s.ok()) << s.ToString();
  scratch_ = ::testing::TempDir() + config_.kafka.topic_prefix;
  std::filesystem::remove_all(scratch_);
  std::filesystem::create_directories(scratch_);
  // Tests run in parallel: each gets its own stores, groups and transactional ids.
  config_.engine.state_dir = scratch_ + "engine";
  config_.engine.group_id = config_.kafka.topic_prefix + "engine";
  config_.projector.state_dir = scratch_ + "projections";
  config_.projector.group_id = config_.kafka.topic_prefix + "projector";
}

void BrokerTest::TearDown() {
  if (!topics_.empty()) (void)DeleteTopics(config_, topics_);
  if (!scratch_.empty()) std::filesystem::remove_all(scratch_);
}

void BrokerTest::ProduceRaw(const std::string& topic,
                            const std::vector<std::pair<std::string, std::string>>& records) {
  auto producer = MakeProducer(config_, {{"enable.idempotence", "true"}, {"linger.ms", "5"}});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  for (const auto& [key, value] : records) {
    ASSERT_EQ(ProduceWaiting(**producer, topic, RdKafka::Topic::PARTITION_UA, key, value),
              RdKafka::ERR_NO_ERROR);
  }
  ASSERT_EQ((*producer)->flush(30'000), RdKafka::ERR_NO_ERROR);
}

void BrokerTest::ProduceInbound(const std::vector<gendan::v1::InboundEvent>& events) {
  std::vector<std::pair<std::string, std::string>> records;
  records.reserve(events.size());
  for (const auto& e : events) records.emplace_back(e.order_id(), e.SerializeAsString());
  ProduceRaw(config_.Topic("inbound"), records);
}

std::vector<Record> BrokerTest::ReadAll(const std::string& topic, size_t expected, int timeout_ms) {
  std::vector<Record> out;
  auto take = [&out](RdKafka::Message* m) {
    std::unique_ptr<RdKafka::Message> owned(m);
    if (m->err() != RdKafka::ERR_NO_ERROR) return;
    out.push_back({m->key() != nullptr ? *m->key() : std::string(),
                   std::string(static_cast<const char*>(m->payload()), m->len()), m->partition(),
                   m->offset()});
  };
  auto consumer = MakeConsumer(config_, {{"group.id", "reader-" + topic},
                                         {"auto.offset.reset", "earliest"},
                                         {"enable.auto.commit", "false"},
                                         {"isolation.level", "read_committed"}});
  EXPECT_TRUE(consumer.ok()) << consumer.status().ToString();
  if (!consumer.ok()) return out;
  (*consumer)->subscribe({topic});
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (out.size() < expected && std::chrono::steady_clock::now() < deadline) {
    take((*consumer)->consume(200));
  }
  // Linger briefly so a test expecting N can notice an N+1th record.
  auto linger = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (std::chrono::steady_clock::now() < linger) {
    take((*consumer)->consume(100));
  }
  (*consumer)->close();
  return out;
}

}  // namespace gendan::testing

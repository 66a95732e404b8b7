// The engine's and the rebuild's consumers prefetch more than librdkafka's defaults
// (WithDeepPrefetch); what a role sets itself stays, and the config's `kafka.*` keys override
// both. Creating a consumer does not reach the broker.
#include "consumers/kafka_client.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <string>

#include "consumers/config.h"

namespace gendan {
namespace {

// The value librdkafka holds for `name` in the consumer it made.
std::string Effective(RdKafka::KafkaConsumer& consumer, const char* name) {
  char value[256];
  size_t size = sizeof value;
  if (rd_kafka_conf_get(rd_kafka_conf(consumer.c_ptr()), name, value, &size) != RD_KAFKA_CONF_OK)
    return "<unknown>";
  return value;
}

Config Unreachable() {
  Config config;
  config.kafka.bootstrap = "127.0.0.1:1";  // nothing is asked of it
  return config;
}

TEST(KafkaClientTest, DeepPrefetchRaisesLibrdkafkasDefaults) {
  auto plain = MakeConsumer(Unreachable(), {{"group.id", "g"}});
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(Effective(**plain, "queued.min.messages"), "100000");  // librdkafka's: it stalls
  EXPECT_EQ(Effective(**plain, "queued.max.messages.kbytes"), "65536");

  auto deep = MakeConsumer(Unreachable(), WithDeepPrefetch({{"group.id", "g"}}));
  ASSERT_TRUE(deep.ok()) << deep.status().message();
  EXPECT_EQ(Effective(**deep, "queued.min.messages"), "500000");
  EXPECT_EQ(Effective(**deep, "queued.max.messages.kbytes"), "131072");
}

TEST(KafkaClientTest, RolePropertiesAndThenKafkaKeysOverrideTheDeepPrefetch) {
  Config config = Unreachable();
  auto by_role =
      MakeConsumer(config, WithDeepPrefetch({{"group.id", "g"}, {"queued.min.messages", "2000"}}));
  ASSERT_TRUE(by_role.ok()) << by_role.status().message();
  EXPECT_EQ(Effective(**by_role, "queued.min.messages"), "2000");
  EXPECT_EQ(Effective(**by_role, "queued.max.messages.kbytes"), "131072");

  config.kafka.properties["queued.min.messages"] = "3000";
  config.kafka.properties["queued.max.messages.kbytes"] = "4096";
  auto by_operator =
      MakeConsumer(config, WithDeepPrefetch({{"group.id", "g"}, {"queued.min.messages", "2000"}}));
  ASSERT_TRUE(by_operator.ok()) << by_operator.status().message();
  EXPECT_EQ(Effective(**by_operator, "queued.min.messages"), "3000");
  EXPECT_EQ(Effective(**by_operator, "queued.max.messages.kbytes"), "4096");
}

TEST(KafkaClientTest, ProducersGetNoConsumerProperties) {
  // A consumer-only property set on a producer makes librdkafka warn (CONFWARN) at every start.
  auto producer = MakeProducer(Unreachable(), {{"linger.ms", "5"}});
  ASSERT_TRUE(producer.ok()) << producer.status().message();
  char value[64];
  size_t size = sizeof value;
  ASSERT_EQ(
      rd_kafka_conf_get(rd_kafka_conf((*producer)->c_ptr()), "queued.min.messages", value, &size),
      RD_KAFKA_CONF_OK);
  EXPECT_STREQ(value, "100000");
}

}  // namespace
}  // namespace gendan

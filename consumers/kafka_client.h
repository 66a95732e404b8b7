// Kafka clients built from a Config, the same way for every role.
//
//   Result<std::unique_ptr<RdKafka::Producer>> p = MakeProducer(config, {{"linger.ms", "5"}});
//   if (!p.ok()) return p.status();
//
// Precedence of properties: gendan's defaults for the role < `role_properties` < the config's
// `kafka.*` keys (the operator has the last word).
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "consumers/config.h"
#include "engine/status.h"

namespace gendan {

using KafkaProperties = std::map<std::string, std::string>;

// `delivery`, when given, must outlive the producer; it is called from poll()/flush().
Result<std::unique_ptr<RdKafka::Producer>> MakeProducer(
    const Config& config, const KafkaProperties& role_properties,
    RdKafka::DeliveryReportCb* delivery = nullptr);

// `role_properties` plus a prefetch (queued.min.messages, queued.max.messages.kbytes) deep
// enough for a reader that takes more than ~100 000 records/s, where librdkafka's defaults stall
// it: the engine and `gendan rebuild`. What `role_properties` sets stays; `kafka.*` keys still
// override both.
KafkaProperties WithDeepPrefetch(KafkaProperties role_properties);

// `rebalance`, when given, must outlive the consumer; it is called from consume().
Result<std::unique_ptr<RdKafka::KafkaConsumer>> MakeConsumer(
    const Config& config, const KafkaProperties& role_properties,
    RdKafka::RebalanceCb* rebalance = nullptr);

// Produces one record (copied), waiting in poll() while librdkafka's queue is full instead of
// dropping it. Returns ERR_NO_ERROR or the first other error; partition may be PARTITION_UA.
RdKafka::ErrorCode ProduceWaiting(RdKafka::Producer& producer, const std::string& topic,
                                  int32_t partition, std::string_view key, std::string_view value);

// The same through a topic handle made once (RdKafka::Topic::create on `producer`), for hot
// paths: producing by name looks the topic up (a lock and a name search) and copies the name
// per record. `opaque` comes back in the record's delivery report as Message::msg_opaque().
// `timestamp_ms` is the record's timestamp (ms since the epoch); 0 = when it is produced, which
// costs librdkafka a clock read per record.
RdKafka::ErrorCode ProduceWaiting(RdKafka::Producer& producer, RdKafka::Topic& topic,
                                  int32_t partition, std::string_view key, std::string_view value,
                                  void* opaque, int64_t timestamp_ms = 0);

// Secrets of the `kafka.*` properties (TLS and SASL, docs/config.md#kafka-security): a property
// is secret when its name holds "password" or "secret" (sasl.password, ssl.key.password,
// ssl.keystore.password, sasl.oauthbearer.client.secret), or is ssl.key.pem, ssl_key or
// sasl.oauthbearer.config (inline private keys and OAuth settings).
bool IsSecretKafkaProperty(std::string_view name);

// `text` with every secret value of every config a client was built from replaced by
// "[redacted]". Applied to gendan's own Kafka error messages and to everything librdkafka logs
// (its log lines and error events go through spdlog), so a secret never reaches a log even when
// librdkafka quotes it. Thread-safe.
std::string RedactSecrets(std::string text);

// Asks the cluster for its metadata; ok when a broker answered within timeout_ms.
Status CheckBroker(const Config& config, int timeout_ms);

struct TopicSpec {
  std::string name;
  int partitions = 6;
  KafkaProperties configs;  // topic-level configs, e.g. cleanup.policy=compact
};

// Creates topics that do not exist yet (existing ones are left alone) and waits for the result.
Status CreateTopics(const Config& config, const std::vector<TopicSpec>& topics);
Status DeleteTopics(const Config& config, const std::vector<std::string>& names);

// Ok when `a` and `b` have the same number of partitions; InvalidArgument naming both counts and
// `why` (what maps partition p of one to partition p of the other) otherwise.
Status RequireSamePartitions(RdKafka::Handle& handle, const std::string& a, const std::string& b,
                             const std::string& why);

// The number of partitions of a topic, or NotFound.
Result<int> PartitionCount(RdKafka::Handle& handle, const std::string& topic, int timeout_ms);

// A partition's low and high watermarks (for a read_committed consumer the high one is the last
// stable offset). Errors are retried until timeout_ms: a topic created a moment ago answers
// "leader not available" for a while. TryAgain naming the partition and the last error after.
struct Watermarks {
  int64_t low = 0;
  int64_t high = 0;
};
Result<Watermarks> QueryWatermarks(RdKafka::Handle& handle, const std::string& topic,
                                   int32_t partition, int timeout_ms);

}  // namespace gendan

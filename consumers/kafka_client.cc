#include "consumers/kafka_client.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

namespace gendan {
namespace {

// How long a metadata lookup waits for a topic the cluster does not know yet (PartitionCount).
constexpr std::chrono::seconds kTopicAppearWait(15);

// The milliseconds until `deadline`, at least 1: a librdkafka timeout of 0 would not wait at all.
int MillisLeft(std::chrono::steady_clock::time_point deadline) {
  return static_cast<int>(std::max<int64_t>(
      1, std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                               std::chrono::steady_clock::now())
             .count()));
}

// Logs at info, once per topic and process, that a lookup waits for the topic to appear (the
// lag probe asks every second; its log must not repeat it).
void AnnounceTopicWait(const std::string& topic, std::chrono::steady_clock::duration wait) {
  static std::mutex mu;
  static std::set<std::string> announced;
  {
    std::lock_guard lock(mu);
    if (!announced.insert(topic).second) return;
  }
  spdlog::info("kafka: topic {} is not in the cluster's metadata yet; waiting up to {} ms for it",
               topic, std::chrono::duration_cast<std::chrono::milliseconds>(wait).count());
}

// The secret values seen in any config a client was built from. Only ever grows (a handful of
// values per process); read by librdkafka's threads through KafkaLog.
class SecretValues {
 public:
  void Remember(const Config& config) {
    std::lock_guard lock(mu_);
    for (const auto& [k, v] : config.kafka.properties) {
      if (IsSecretKafkaProperty(k) && !v.empty()) values_.insert(v);
    }
  }
  std::string Redact(std::string text) const {
    std::lock_guard lock(mu_);
    for (const std::string& v : values_) {
      for (size_t at = text.find(v); at != std::string::npos; at = text.find(v, at)) {
        text.replace(at, v.size(), "[redacted]");
        at += 10;
      }
    }
    return text;
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string> values_;
};

SecretValues& Secrets() {
  static SecretValues secrets;
  return secrets;
}

// librdkafka's log lines and error events, redacted, into spdlog (instead of its own stderr
// printer). Called from librdkafka's threads; spdlog is thread-safe. Lives for the process.
class KafkaLog : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    switch (event.type()) {
      case RdKafka::Event::EVENT_LOG:
        Log(event.severity(), "kafka: " + event.fac() + ": " + event.str());
        break;
      case RdKafka::Event::EVENT_ERROR:
        Log(event.fatal() ? RdKafka::Event::EVENT_SEVERITY_ERROR
                          : RdKafka::Event::EVENT_SEVERITY_WARNING,
            "kafka: " + RdKafka::err2str(event.err()) + ": " + event.str());
        break;
      default: break;
    }
  }

 private:
  static void Log(RdKafka::Event::Severity severity, const std::string& line) {
    std::string text = RedactSecrets(line);
    if (severity <= RdKafka::Event::EVENT_SEVERITY_ERROR) {
      spdlog::error("{}", text);
    } else if (severity <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
      spdlog::warn("{}", text);
    } else if (severity <= RdKafka::Event::EVENT_SEVERITY_INFO) {
      spdlog::info("{}", text);
    } else {
      spdlog::debug("{}", text);
    }
  }
};

KafkaLog& Log() {
  static KafkaLog log;
  return log;
}

// "k=v" for an error message, the value hidden when it is a secret.
std::string Setting(const std::string& k, const std::string& v) {
  return k + "=" + (IsSecretKafkaProperty(k) ? std::string("[redacted]") : v);
}

Result<std::unique_ptr<RdKafka::Conf>> BuildConf(const Config& config,
                                                 const KafkaProperties& role_properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  auto set = [&](const std::string& k, const std::string& v) -> Status {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      return Status::InvalidArgument(RedactSecrets("kafka property " + Setting(k, v) + ": " + err));
    }
    return Status::Ok();
  };
  Secrets().Remember(config);
  if (conf->set("event_cb", &Log(), err) != RdKafka::Conf::CONF_OK) {
    return Status::InvalidArgument("kafka event callback: " + err);
  }
  Status s = set("bootstrap.servers", config.kafka.bootstrap);
  if (!s.ok()) return s;
  for (const auto* props : {&role_properties, &config.kafka.properties}) {
    for (const auto& [k, v] : *props) {
      s = set(k, v);
      if (!s.ok()) return s;
    }
  }
  return conf;
}

struct AdminDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using AdminHandle = std::unique_ptr<rd_kafka_t, AdminDeleter>;

Result<AdminHandle> MakeAdmin(const Config& config) {
  // The C admin API needs a plain handle; build one from the same properties.
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& k, const std::string& v) {
    return rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK;
  };
  bool ok = set("bootstrap.servers", config.kafka.bootstrap);
  for (const auto& [k, v] : config.kafka.properties) ok = ok && set(k, v);
  if (!ok) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(RedactSecrets(std::string("kafka property: ") + err));
  }
  Secrets().Remember(config);
  // The admin handle's log lines go through the same redacting logger.
  rd_kafka_conf_set_log_cb(
      conf, [](const rd_kafka_t*, int level, const char* fac, const char* buf) {
        std::string line = RedactSecrets(std::string("kafka: ") + fac + ": " + buf);
        if (level <= 3) {
          spdlog::error("{}", line);
        } else if (level <= 4) {
          spdlog::warn("{}", line);
        } else {
          spdlog::debug("{}", line);
        }
      });
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    return Status::IoError(RedactSecrets(std::string("creating admin client: ") + err));
  }
  return AdminHandle(rk);
}

// Waits for one admin result event and checks each topic's error; `ignore` is tolerated.
Status AwaitTopicResults(rd_kafka_queue_t* queue, bool create, rd_kafka_resp_err_t ignore) {
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 30'000);
  if (ev == nullptr) return Status::TryAgain("admin request timed out after 30 s");
  Status status;
  if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status =
        Status::IoError(std::string("admin request failed: ") + rd_kafka_event_error_string(ev));
  } else {
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        create ? rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n)
               : rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
    for (size_t i = 0; i < n && status.ok(); ++i) {
      rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != ignore) {
        status = Status::IoError(std::string("topic ") + rd_kafka_topic_result_name(results[i]) +
                                 ": " + rd_kafka_err2str(e));
      }
    }
  }
  rd_kafka_event_destroy(ev);
  return status;
}

}  // namespace

KafkaProperties WithDeepPrefetch(KafkaProperties role_properties) {
  // librdkafka 2.0.2 stops fetching for a fixed second once a consumer holds queued.min.messages
  // prefetched records (its default, 100 000), however fast they are taken: a reader faster than
  // that per second read any backlog in bursts and pauses (docs/benchmarks.md, "librdkafka's
  // fetch stall"). Half a million is about a second of the fastest reader here (the engine,
  // 400-660 k records/s in its benchmark, which ran at ~213 k with the defaults and at ~660 k with
  // this). It fills only while there is a backlog: ~190 MB at ~90-byte events (librdkafka keeps
  // ~300 bytes beside each record); the bytes bound keeps large events to 128 MB of records.
  role_properties.try_emplace("queued.min.messages", "500000");
  role_properties.try_emplace("queued.max.messages.kbytes", "131072");
  return role_properties;
}

Result<std::unique_ptr<RdKafka::Producer>> MakeProducer(const Config& config,
                                                        const KafkaProperties& role_properties,
                                                        RdKafka::DeliveryReportCb* delivery) {
  auto conf = BuildConf(config, role_properties);
  if (!conf.ok()) return conf.status();
  std::string err;
  if (delivery != nullptr && (*conf)->set("dr_cb", delivery, err) != RdKafka::Conf::CONF_OK) {
    return Status::InvalidArgument("delivery callback: " + err);
  }
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf->get(), err));
  if (!p) return Status::InvalidArgument(RedactSecrets("creating Kafka producer: " + err));
  return p;
}

Result<std::unique_ptr<RdKafka::KafkaConsumer>> MakeConsumer(const Config& config,
                                                             const KafkaProperties& role_properties,
                                                             RdKafka::RebalanceCb* rebalance) {
  auto conf = BuildConf(config, role_properties);
  if (!conf.ok()) return conf.status();
  std::string err;
  if (rebalance != nullptr &&
      (*conf)->set("rebalance_cb", rebalance, err) != RdKafka::Conf::CONF_OK) {
    return Status::InvalidArgument("rebalance callback: " + err);
  }
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!c) return Status::InvalidArgument(RedactSecrets("creating Kafka consumer: " + err));
  return c;
}

namespace {

// Calls `produce` until librdkafka's queue takes the record, serving delivery reports meanwhile.
template <typename Produce>
RdKafka::ErrorCode UntilQueued(RdKafka::Producer& producer, const Produce& produce) {
  for (;;) {
    RdKafka::ErrorCode e = produce();
    if (e != RdKafka::ERR__QUEUE_FULL) return e;
    producer.poll(50);
  }
}

}  // namespace

RdKafka::ErrorCode ProduceWaiting(RdKafka::Producer& producer, const std::string& topic,
                                  int32_t partition, std::string_view key, std::string_view value) {
  return UntilQueued(producer, [&] {
    return producer.produce(topic, partition, RdKafka::Producer::RK_MSG_COPY,
                            const_cast<char*>(value.data()), value.size(), key.data(), key.size(),
                            0, nullptr);
  });
}

// Through the C API: the C++ produce() has no timestamp for a topic handle, and its record
// delivery reports reach the same DeliveryReportCb either way.
RdKafka::ErrorCode ProduceWaiting(RdKafka::Producer& producer, RdKafka::Topic& topic,
                                  int32_t partition, std::string_view key, std::string_view value,
                                  void* opaque, int64_t timestamp_ms) {
  return UntilQueued(producer, [&] {
    return static_cast<RdKafka::ErrorCode>(
        rd_kafka_producev(producer.c_ptr(), RD_KAFKA_V_RKT(topic.c_ptr()),
                          RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                          RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_OPAQUE(opaque),
                          RD_KAFKA_V_TIMESTAMP(timestamp_ms), RD_KAFKA_V_END));
  });
}

bool IsSecretKafkaProperty(std::string_view name) {
  // Inline private keys and OAuth client settings (which may embed a client secret).
  static constexpr std::string_view kInline[] = {"ssl.key.pem", "ssl_key",
                                                 "sasl.oauthbearer.config"};
  return name.find("password") != std::string_view::npos ||
         name.find("secret") != std::string_view::npos ||
         std::find(std::begin(kInline), std::end(kInline), name) != std::end(kInline);
}

std::string RedactSecrets(std::string text) { return Secrets().Redact(std::move(text)); }

Status CheckBroker(const Config& config, int timeout_ms) {
  auto p =
      MakeProducer(config, {{"socket.connection.setup.timeout.ms", std::to_string(timeout_ms)}});
  if (!p.ok()) return p.status();
  RdKafka::Metadata* md = nullptr;
  RdKafka::ErrorCode e = (*p)->metadata(true, nullptr, &md, timeout_ms);
  std::unique_ptr<RdKafka::Metadata> owned(md);
  if (e != RdKafka::ERR_NO_ERROR) {
    return Status::TryAgain("no Kafka broker answered at " + config.kafka.bootstrap + ": " +
                            RdKafka::err2str(e));
  }
  return Status::Ok();
}

Status CreateTopics(const Config& config, const std::vector<TopicSpec>& topics) {
  auto admin = MakeAdmin(config);
  if (!admin.ok()) return admin.status();
  char err[512];
  std::vector<rd_kafka_NewTopic_t*> specs;
  Status status;
  for (const TopicSpec& t : topics) {
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(t.name.c_str(), t.partitions, 1, err, sizeof err);
    if (nt == nullptr) {
      status = Status::InvalidArgument("topic " + t.name + ": " + err);
      break;
    }
    specs.push_back(nt);
    for (const auto& [k, v] : t.configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  }
  if (status.ok()) {
    rd_kafka_queue_t* queue = rd_kafka_queue_new(admin->get());
    rd_kafka_CreateTopics(admin->get(), specs.data(), specs.size(), nullptr, queue);
    status = AwaitTopicResults(queue, true, RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS);
    rd_kafka_queue_destroy(queue);
  }
  rd_kafka_NewTopic_destroy_array(specs.data(), specs.size());
  return status;
}

Status DeleteTopics(const Config& config, const std::vector<std::string>& names) {
  auto admin = MakeAdmin(config);
  if (!admin.ok()) return admin.status();
  std::vector<rd_kafka_DeleteTopic_t*> specs;
  for (const auto& n : names) specs.push_back(rd_kafka_DeleteTopic_new(n.c_str()));
  rd_kafka_queue_t* queue = rd_kafka_queue_new(admin->get());
  rd_kafka_DeleteTopics(admin->get(), specs.data(), specs.size(), nullptr, queue);
  Status status = AwaitTopicResults(queue, false, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  rd_kafka_queue_destroy(queue);
  rd_kafka_DeleteTopic_destroy_array(specs.data(), specs.size());
  return status;
}

Status RequireSamePartitions(RdKafka::Handle& handle, const std::string& a, const std::string& b,
                             const std::string& why) {
  auto na = PartitionCount(handle, a, 30'000);
  if (!na.ok()) return na.status();
  auto nb = PartitionCount(handle, b, 30'000);
  if (!nb.ok()) return nb.status();
  if (*na == *nb) return Status::Ok();
  return Status::InvalidArgument(a + " has " + std::to_string(*na) + " partitions but " + b +
                                 " has " + std::to_string(*nb) + "; they must match (" + why + ")");
}

// A topic the cluster does not know (yet) is asked for again, for up to 15 s (or timeout_ms when
// shorter): topics created a moment ago reach the brokers' metadata a little later, and a
// process started right after creating them (deploy scripts, tests) must not fail on that
// moment. timeout_ms also bounds the whole lookup, so a caller on a short budget (the lag probe
// behind /readyz) never waits longer than it asked for.
Result<int> PartitionCount(RdKafka::Handle& handle, const std::string& topic, int timeout_ms) {
  using Clock = std::chrono::steady_clock;
  std::string err;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(&handle, topic, nullptr, err));
  if (!t) return Status::InvalidArgument("topic " + topic + ": " + err);
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::milliseconds(std::max(timeout_ms, 1));
  const auto wait_until = std::min(deadline, start + kTopicAppearWait);
  for (;;) {
    const int left = MillisLeft(deadline);
    RdKafka::Metadata* md = nullptr;
    RdKafka::ErrorCode e = handle.metadata(false, t.get(), &md, left);
    std::unique_ptr<RdKafka::Metadata> owned(md);
    bool unknown = e == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART || e == RdKafka::ERR__UNKNOWN_TOPIC;
    if (!unknown && e != RdKafka::ERR_NO_ERROR) {
      return Status::TryAgain("metadata for " + topic + ": " + RdKafka::err2str(e));
    }
    if (!unknown) {
      unknown = true;  // absent from the answer: not known yet
      for (const RdKafka::TopicMetadata* tm : *md->topics()) {
        if (tm->topic() != topic) continue;
        const RdKafka::ErrorCode te = tm->err();
        if (te == RdKafka::ERR_NO_ERROR && !tm->partitions()->empty()) {
          return static_cast<int>(tm->partitions()->size());
        }
        // Not yet propagated: unknown, no leader yet, or known without its partitions.
        if (te != RdKafka::ERR_NO_ERROR && te != RdKafka::ERR_UNKNOWN_TOPIC_OR_PART &&
            te != RdKafka::ERR_LEADER_NOT_AVAILABLE) {
          return Status::NotFound("topic " + topic + ": " + RdKafka::err2str(te));
        }
      }
    }
    const auto now = Clock::now();
    if (now >= wait_until) return Status::NotFound("topic " + topic + " does not exist");
    AnnounceTopicWait(topic, wait_until - start);
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(200), wait_until - now));
  }
}

Result<Watermarks> QueryWatermarks(RdKafka::Handle& handle, const std::string& topic,
                                   int32_t partition, int timeout_ms) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(std::max(timeout_ms, 1));
  for (;;) {
    const int left = MillisLeft(deadline);
    Watermarks w;
    const RdKafka::ErrorCode e =
        handle.query_watermark_offsets(topic, partition, &w.low, &w.high, left);
    if (e == RdKafka::ERR_NO_ERROR) return w;
    if (Clock::now() + std::chrono::milliseconds(100) >= deadline) {
      return Status::TryAgain("watermarks of " + topic + " partition " + std::to_string(partition) +
                              ": " + RdKafka::err2str(e));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace gendan

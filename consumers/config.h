// Config: every setting of every role, loaded the same way for each subcommand.
//
//   Result<Config> c = LoadConfigFile("gendan.conf");  // defaults < file
//   ApplyEnvironment(&*c);                             // < GENDAN_BOOTSTRAP, GENDAN_TOPIC_PREFIX
//   Status s = ApplySetting(&*c, "kafka.linger.ms", "5", "--set");  // < flags
//
// The file is `key = value` lines; `#` starts a comment. Keys are listed in docs/config.md.
// `kafka.<property>` lines pass straight to librdkafka for every client gendan creates.
// A bad line is an error that names the file and line; nothing is half-applied.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "projections/scorecard.h"

namespace gendan {

struct KafkaOptions {
  // Where the brokers are; the local broker of deploy/local by default.
  std::string bootstrap = "127.0.0.1:9092";
  // Prepended to every topic name, so several deployments can share one cluster.
  std::string topic_prefix = "gendan.";
  // Extra librdkafka properties (from `kafka.*` keys), applied to every client after gendan's own.
  std::map<std::string, std::string> properties;
};

struct EngineOptions {
  // How long one consume-transform-produce transaction collects records before committing:
  // longer batches mean fewer transaction markers, shorter ones lower end-to-end latency.
  std::chrono::milliseconds commit_interval{100};
  // Future events beyond now + this are refused as FUTURE_EVENT; covers upstream clock drift.
  std::chrono::seconds max_clock_skew{300};
  // Where the engine keeps order state (RocksDB).
  std::string state_dir = "data/engine";
  // Consumer group and transactional id prefix; one group per deployment.
  std::string group_id = "gendan-engine";
  // Pipelines in this process, each a consumer-group member with its own transactional
  // producer, deciding its own inbound partitions on its own thread (like Kafka Streams'
  // num.stream.threads). More than the inbound partition count leaves some idle.
  int threads = 1;
  // Committed order states each pipeline keeps in memory (a few KB each: every accepted
  // event_id is kept for dedupe); beyond it the cache starts over and refills from RocksDB.
  size_t state_cache_orders = 50'000;
};

struct ProjectorOptions {
  // How long one batch of events collects before its read-model write (one synced WriteBatch).
  std::chrono::milliseconds commit_interval{200};
  // Where the read models live (RocksDB); `gendan serve` follows the same folder.
  std::string state_dir = "data/projections";
  std::string group_id = "gendan-projector";
  // Orders whose read models the projector keeps in memory between batches (status, KPI facts,
  // alerts: a few KB each), least recently changed evicted first; an order beyond it is read
  // back from RocksDB when it recurs.
  size_t cache_orders = 20'000;
  // KPI cells (a day's or a month's sums of one key for one group; ~64 bytes each, more with
  // samples) the projector keeps in memory; at it, all but the batch's own are dropped and
  // read back from RocksDB as they recur. 900 000 keeps the hash table within 2^20 slots (it
  // doubles past 7/8 full, 917 503 cells, and while it doubles both tables are alive).
  size_t cache_cells = 900'000;
  // RocksDB's cache for the read models' data, index and filter blocks, in MiB: the store's
  // memory beside its memtables, whatever its size on disk.
  size_t block_cache_mb = 64;
  // Events `gendan rebuild` reads, then applies order by order, per batch: what a batch holds
  // in memory is bounded by it, not by the number of orders. A batch stages each order and KPI
  // cell it touched once, so larger batches serialize and write each order fewer times: on the
  // 1 000 000-order book 1 000 000 took half the CPU of 100 000 (docs/benchmarks.md, "Rebuild,
  // tenth session").
  size_t rebuild_batch_events = 1'000'000;
  // Business time zone of every KPI date (DOMAIN.md §5). Changing it needs `gendan rebuild`.
  std::string utc_offset = "+00:00";
  // Issue SLAs in hours by severity (DOMAIN.md §5). Changing them needs `gendan rebuild`.
  int64_t sla_critical_hours = 24;
  int64_t sla_major_hours = 72;
  int64_t sla_minor_hours = 168;
};

struct RiskConfig {
  // DELIVERY_AT_RISK: an order not yet READY_TO_SHIP whose commit date is this close (DOMAIN.md
  // §6). Larger warns earlier and more often.
  int buffer_days = 7;
  // The risk monitor's clock, for replays and tests: a fixed RFC 3339 instant, or empty for the
  // system clock shifted by now_offset_s seconds.
  std::string now;
  int64_t now_offset_s = 0;
  // How often the projector re-evaluates the orders whose alert schedule has come.
  std::chrono::milliseconds tick_interval{1000};
};

struct StoreRetryOptions {
  // How often the engine and the projector write a refused RocksDB batch again (disk full,
  // read-only, I/O error) before they exit with status 1. Meanwhile they consume nothing and
  // report not ready; more retries ride out a longer outage, fewer fail over sooner.
  int write_retries = 5;
  // The wait before the first retry; it doubles on each further one (at most 30 s).
  std::chrono::milliseconds retry_backoff{1000};
};

struct ServeOptions {
  // Where the query API listens.
  std::string listen = "127.0.0.1:8080";
  // /readyz answers 200 once the projector is within this many events of the end of gendan.events.
  int64_t ready_max_lag = 1000;
  // When set, /v1/... and /metrics answer only requests with "Authorization: Bearer <token>"
  // (/healthz, /readyz and the dashboard's files stay open for probes). A secret: at least 16
  // visible ASCII characters, never logged or echoed in errors. Empty: no authentication.
  std::string auth_token;
};

struct ClusterOptions {
  // Base URLs of the OTHER `gendan serve` instances' query APIs ("http://host:port"), each
  // serving the read models of the gendan.events partitions its projector owns. Set: every /v1
  // answer is gathered from all of them and merged (consumers/cluster.h); empty: this instance
  // answers from its own store alone, as with one projector.
  std::vector<std::string> peers;
  // How long a peer may take to connect and answer before the merged answer fails with 503.
  std::chrono::milliseconds timeout{2000};
  // An ownership record whose heartbeat is older than this is ignored when checking that the
  // instances cover every partition: a stopped projector's claim does not count.
  std::chrono::milliseconds stale_after{10'000};
};

struct MetricsOptions {
  // Where `gendan engine` and `gendan project` serve /metrics and /healthz (host:port); empty:
  // not at all. `serve` and `run` serve /metrics on serve.listen.
  std::string listen;
  // The KPI gauges of /metrics cover this many business days up to today.
  int kpi_window_days = 30;
};

struct LogOptions {
  // "text" (spdlog's default pattern) or "json" (one JSON object per line, for log shippers).
  std::string format = "text";
};

struct ScorecardOptions {
  // The assessment scorecard of GET /v1/scorecards and `gendan scorecard` (DOMAIN.md §8). It is
  // DOMAIN.md's default until the first `scorecard.<kpi>` setting, which starts a card of its own;
  // a later setting for the same KPI replaces that entry. Read at query time: no rebuild needed.
  Scorecard entries = DefaultScorecard();
  bool customised = false;  // a scorecard.<kpi> setting has replaced the default
};

struct Config {
  // This process's name within its consumer groups: the engine's transactional id is
  // "<engine.group_id>-<instance_id>" (a restart fences its own zombie) and every group uses it as
  // a static member id (a restart takes its partitions back at once). Unique per running process.
  std::string instance_id = "0";
  KafkaOptions kafka;
  EngineOptions engine;
  ProjectorOptions projector;
  RiskConfig risk;
  ServeOptions serve;
  ClusterOptions cluster;
  ScorecardOptions scorecard;
  StoreRetryOptions store;
  MetricsOptions metrics;
  LogOptions log;

  // The full name of a gendan topic, e.g. Topic("inbound") == "gendan.inbound".
  std::string Topic(std::string_view name) const { return kafka.topic_prefix + std::string(name); }
};

// Sets one key. `where` names the origin for the error message ("gendan.conf:7", "--set").
Status ApplySetting(Config* config, std::string_view key, std::string_view value,
                    std::string_view where);

// Applies every line of a config file's text over *config. The first bad line is the error.
Status ApplyConfigText(Config* config, std::string_view text, std::string_view file_name);

// Reads and applies a config file over the defaults.
Result<Config> LoadConfigFile(const std::string& path);

// GENDAN_BOOTSTRAP and GENDAN_TOPIC_PREFIX, when set, override the file.
void ApplyEnvironment(Config* config);

}  // namespace gendan

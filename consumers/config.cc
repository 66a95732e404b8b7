#include "consumers/config.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "projections/business_time.h"

namespace gendan {
namespace {

std::string_view Trim(std::string_view s) {
  const char* ws = " \t\r";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

Status Bad(std::string_view where, std::string_view key, const std::string& why) {
  return Status::InvalidArgument(std::string(where) + ": " + std::string(key) + ": " + why);
}

// Parses a positive integer with an upper bound; no trailing characters.
bool ParsePositive(std::string_view v, int64_t max, int64_t* out) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n <= 0 || n > max) return false;
  *out = n;
  return true;
}

// "http://host:port" with a non-empty host and a port 1..65535, nothing after it.
bool IsPeerUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return false;
  std::string_view rest = url.substr(kScheme.size());
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view host = rest.substr(0, colon);
  if (host.find_first_of("/?#@ ") != std::string_view::npos) return false;
  int64_t port = 0;
  return ParsePositive(rest.substr(colon + 1), 65535, &port);
}

// cluster.peers: comma-separated base URLs; empty for a single instance.
Status SetPeers(Config* c, std::string_view v, std::string_view where, std::string_view key) {
  std::vector<std::string> peers;
  while (!Trim(v).empty()) {
    size_t comma = v.find(',');
    std::string_view url = Trim(v.substr(0, comma));
    if (!IsPeerUrl(url)) {
      return Bad(
          where, key,
          "each peer must be http://host:port (comma-separated), got '" + std::string(url) + "'");
    }
    if (std::find(peers.begin(), peers.end(), url) != peers.end()) {
      return Bad(where, key, "peer '" + std::string(url) + "' is listed twice");
    }
    peers.emplace_back(url);
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
  }
  c->cluster.peers = std::move(peers);
  return Status::Ok();
}

using Setter = std::function<Status(Config*, std::string_view value, std::string_view where,
                                    std::string_view key)>;

// A setter for a string field that must not be empty.
Setter NonEmpty(std::string& (*field)(Config*)) {
  return [field](Config* c, std::string_view v, std::string_view where, std::string_view key) {
    if (v.empty()) return Bad(where, key, "must not be empty");
    field(c) = std::string(v);
    return Status::Ok();
  };
}

// A setter for a whole number in [1, max] stored through `field`.
template <typename F>
Setter PositiveSetter(F field, int64_t max) {
  return [field, max](Config* c, std::string_view v, std::string_view where, std::string_view key) {
    int64_t n = 0;
    if (!ParsePositive(v, max, &n)) {
      return Bad(where, key,
                 "must be a whole number from 1 to " + std::to_string(max) + ", got '" +
                     std::string(v) + "'");
    }
    field(c, n);
    return Status::Ok();
  };
}

const std::map<std::string, Setter, std::less<>>& Setters() {
  static const std::map<std::string, Setter, std::less<>>
      setters =
          {
              {"bootstrap", NonEmpty([](Config* c) -> std::string& { return c->kafka.bootstrap; })},
              {"topic_prefix",
               [](Config* c, std::string_view v, std::string_view, std::string_view) {
                 c->kafka.topic_prefix = std::string(v);  // empty is a valid prefix
                 return Status::Ok();
               }},
              {"engine.commit_interval_ms", PositiveSetter(
                                                [](Config* c, int64_t n) {
                                                  c->engine.commit_interval =
                                                      std::chrono::milliseconds(n);
                                                },
                                                60'000)},
              {"engine.threads",
               PositiveSetter([](Config* c, int64_t n) { c->engine.threads = static_cast<int>(n); },
                              64)},
              {"engine.state_cache_orders", PositiveSetter(
                                                [](Config* c, int64_t n) {
                                                  c->engine.state_cache_orders =
                                                      static_cast<size_t>(n);
                                                },
                                                100'000'000)},
              {"engine.max_clock_skew_s",
               PositiveSetter(
                   [](Config* c, int64_t n) { c->engine.max_clock_skew = std::chrono::seconds(n); },
                   86'400)},
              {"projector.commit_interval_ms", PositiveSetter(
                                                   [](Config* c, int64_t n) {
                                                     c->projector.commit_interval =
                                                         std::chrono::milliseconds(n);
                                                   },
                                                   60'000)},
              {"projector.cache_orders",
               PositiveSetter(
                   [](Config* c, int64_t n) { c->projector.cache_orders = static_cast<size_t>(n); },
                   100'000'000)},
              {"projector.cache_cells",
               PositiveSetter(
                   [](Config* c, int64_t n) { c->projector.cache_cells = static_cast<size_t>(n); },
                   1'000'000'000)},
              {"projector.rebuild_batch_events", PositiveSetter(
                                                     [](Config* c, int64_t n) {
                                                       c->projector.rebuild_batch_events =
                                                           static_cast<size_t>(n);
                                                     },
                                                     100'000'000)},
              {"projector.block_cache_mb", PositiveSetter(
                                               [](Config* c, int64_t n) {
                                                 c->projector.block_cache_mb =
                                                     static_cast<size_t>(n);
                                               },
                                               1'000'000)},
              {"projector.state_dir",
               NonEmpty([](Config* c) -> std::string& { return c->projector.state_dir; })},
              {"projector.group_id",
               NonEmpty([](Config* c) -> std::string& { return c->projector.group_id; })},
              {"projector.utc_offset",
               [](Config* c, std::string_view v, std::string_view where, std::string_view key) {
                 auto parsed = UtcOffset::Parse(v);
                 if (!parsed.ok()) return Bad(where, key, parsed.status().message());
                 c->projector.utc_offset = parsed->ToString();
                 return Status::Ok();
               }},
              {"projector.sla_critical_hours",
               PositiveSetter([](Config* c, int64_t n) { c->projector.sla_critical_hours = n; },
                              100'000)},
              {"projector.sla_major_hours",
               PositiveSetter([](Config* c, int64_t n) { c->projector.sla_major_hours = n; },
                              100'000)},
              {"projector.sla_minor_hours",
               PositiveSetter([](Config* c, int64_t n) { c->projector.sla_minor_hours = n; },
                              100'000)},
              {"risk.buffer_days",
               PositiveSetter(
                   [](Config* c, int64_t n) { c->risk.buffer_days = static_cast<int>(n); }, 365)},
              {"risk.now",
               [](Config* c, std::string_view v, std::string_view, std::string_view) {
                 c->risk.now = std::string(v);  // validated when the projector starts
                 return Status::Ok();
               }},
              {"risk.now_offset_s",
               [](Config* c, std::string_view v, std::string_view where, std::string_view key) {
                 int64_t n = 0;
                 auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
                 if (ec != std::errc() || end != v.data() + v.size()) {
                   return Bad(where, key,
                              "must be a whole number of seconds, got '" + std::string(v) + "'");
                 }
                 c->risk.now_offset_s = n;
                 return Status::Ok();
               }},
              {"risk.tick_interval_ms", PositiveSetter(
                                            [](Config* c, int64_t n) {
                                              c->risk.tick_interval = std::chrono::milliseconds(n);
                                            },
                                            3'600'000)},
              {"store.write_retries",
               PositiveSetter(
                   [](Config* c, int64_t n) { c->store.write_retries = static_cast<int>(n); },
                   100)},
              {"store.retry_backoff_ms", PositiveSetter(
                                             [](Config* c, int64_t n) {
                                               c->store.retry_backoff =
                                                   std::chrono::milliseconds(n);
                                             },
                                             60'000)},
              {"serve.listen", NonEmpty([](Config* c) -> std::string& { return c->serve.listen; })},
              {"serve.auth_token",
               [](Config* c, std::string_view v, std::string_view where, std::string_view key) {
                 // The value is a secret: the errors describe it without quoting it.
                 bool visible = std::all_of(v.begin(), v.end(),
                                            [](char ch) { return ch > 0x20 && ch < 0x7f; });
                 if (!v.empty() && (v.size() < 16 || !visible)) {
                   return Bad(where, key,
                              "must be empty or at least 16 visible ASCII characters (value "
                              "not shown)");
                 }
                 c->serve.auth_token = std::string(v);
                 return Status::Ok();
               }},
              {"serve.ready_max_lag",
               PositiveSetter([](Config* c, int64_t n) { c->serve.ready_max_lag = n; },
                              int64_t{1} << 40)},
              {"cluster.peers", SetPeers},
              {"cluster.timeout_ms",
               PositiveSetter(
                   [](Config* c, int64_t n) { c->cluster.timeout = std::chrono::milliseconds(n); },
                   600'000)},
              {"cluster.stale_after_ms", PositiveSetter(
                                             [](Config* c, int64_t n) {
                                               c->cluster.stale_after =
                                                   std::chrono::milliseconds(n);
                                             },
                                             3'600'000)},
              {"engine.state_dir",
               NonEmpty([](Config* c) -> std::string& { return c->engine.state_dir; })},
              {"engine.group_id",
               NonEmpty([](Config* c) -> std::string& { return c->engine.group_id; })},
              {"instance_id", NonEmpty([](Config* c) -> std::string& { return c->instance_id; })},
              {"metrics.listen",
               [](Config* c, std::string_view v, std::string_view, std::string_view) {
                 c->metrics.listen = std::string(v);  // empty turns the listener off
                 return Status::Ok();
               }},
              {"metrics.kpi_window_days",
               PositiveSetter(
                   [](Config* c, int64_t n) { c->metrics.kpi_window_days = static_cast<int>(n); },
                   3660)},
              {"log.format",
               [](Config* c, std::string_view v, std::string_view where, std::string_view key) {
                 if (v != "text" && v != "json") {
                   return Bad(where, key, "must be text or json, got '" + std::string(v) + "'");
                 }
                 c->log.format = std::string(v);
                 return Status::Ok();
               }},
          };
  return setters;
}

// scorecard.<kpi> = target=T weight=W direction=higher|lower (docs/config.md).
Status ApplyScorecardEntry(Config* c, std::string_view kpi, std::string_view value,
                           std::string_view where) {
  auto entry = ParseScorecardEntry(kpi, value);
  if (!entry.ok()) {
    return Status::InvalidArgument(std::string(where) + ": " + entry.status().message());
  }
  Scorecard& card = c->scorecard.entries;
  if (!c->scorecard.customised) card.clear();  // the first entry replaces the default card
  c->scorecard.customised = true;
  auto same = std::find_if(card.begin(), card.end(),
                           [&](const ScorecardEntry& e) { return e.kpi == entry->kpi; });
  if (same != card.end()) {
    *same = *entry;
  } else {
    card.push_back(*entry);
  }
  return Status::Ok();
}

}  // namespace

Status ApplySetting(Config* config, std::string_view key, std::string_view value,
                    std::string_view where) {
  if (key.starts_with("kafka.")) {
    std::string_view property = key.substr(6);
    if (property.empty()) return Bad(where, key, "names no librdkafka property");
    config->kafka.properties[std::string(property)] = std::string(value);
    return Status::Ok();
  }
  if (key.starts_with("scorecard.")) {
    return ApplyScorecardEntry(config, key.substr(10), value, where);
  }
  auto it = Setters().find(key);
  if (it == Setters().end()) {
    return Bad(where, key, "unknown key (see docs/config.md for the keys gendan knows)");
  }
  return it->second(config, value, where, key);
}

Status ApplyConfigText(Config* config, std::string_view text, std::string_view file_name) {
  Config staged = *config;  // applied whole or not at all
  int line_no = 0;
  std::istringstream in{std::string(text)};
  for (std::string raw; std::getline(in, raw);) {
    ++line_no;
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    std::string where = std::string(file_name) + ":" + std::to_string(line_no);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      // Only the first word is quoted: the line may be a secret with a typo in its '='.
      std::string_view first = line.substr(0, std::min(line.find_first_of(" \t:"), size_t{64}));
      return Status::InvalidArgument(where +
                                     ": expected 'key = value' in the line starting with '" +
                                     std::string(first) + "'");
    }
    std::string_view key = Trim(line.substr(0, eq));
    if (key.empty()) return Status::InvalidArgument(where + ": missing key before '='");
    Status s = ApplySetting(&staged, key, Trim(line.substr(eq + 1)), where);
    if (!s.ok()) return s;
  }
  *config = std::move(staged);
  return Status::Ok();
}

Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read config file " + path);
  std::stringstream text;
  text << in.rdbuf();
  Config config;
  Status s = ApplyConfigText(&config, text.str(), path);
  if (!s.ok()) return s;
  return config;
}

void ApplyEnvironment(Config* config) {
  if (const char* b = std::getenv("GENDAN_BOOTSTRAP"); b != nullptr && *b != '\0') {
    config->kafka.bootstrap = b;
  }
  if (const char* p = std::getenv("GENDAN_TOPIC_PREFIX"); p != nullptr) {
    config->kafka.topic_prefix = p;
  }
}

}  // namespace gendan

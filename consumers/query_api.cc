#include "consumers/query_api.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "consumers/cluster.h"
#include "consumers/dashboard.h"
#include "consumers/http_guard.h"
#include "consumers/query_params.h"
#include "engine/intake.h"
#include "projections/alert_view.h"
#include "projections/order_view.h"
#include "projections/scorecard.h"

namespace gendan {
namespace {

using Json = nlohmann::json;

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void SendError(httplib::Response& res, int status, const std::string& code,
               const std::string& message) {
  SendJson(res, status, {{"error", {{"code", code}, {"message", message}}}});
}

// Maps a failed read to a JSON error: retryable ones are 503, the rest 500.
void SendStatus(httplib::Response& res, const Status& s) {
  SendError(res, s.retryable() ? 503 : 500, s.retryable() ? "unavailable" : "internal",
            s.message());
}

std::optional<Date> DateParam(const httplib::Request& req, const char* name,
                              httplib::Response& res) {
  if (!req.has_param(name)) {
    SendError(res, 400, "missing_parameter", std::string(name) + " is required (YYYY-MM-DD)");
    return std::nullopt;
  }
  auto d = ParseDate(req.get_param_value(name));
  if (!d)
    SendError(res, 400, "invalid_parameter", std::string(name) + " must be a date YYYY-MM-DD");
  return d;
}

// Serves one of the dashboard's embedded files. The CSP keeps the page to this origin (no CDN,
// no inline script), and no-cache makes a browser revalidate after an upgrade.
void SendAsset(httplib::Response& res, std::string_view name) {
  const DashboardAsset* asset = FindDashboardAsset(name);
  if (asset == nullptr) return SendError(res, 404, "not_found", "no such file");
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Content-Security-Policy",
                 "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
  res.set_content(std::string(asset->body), std::string(asset->content_type));
}

// The from/to pair of a KPI or scorecard query: both dates, to >= from, at most 10 years apart.
// Sends the 400 and returns nullopt otherwise.
std::optional<std::pair<Date, Date>> RangeParams(const httplib::Request& req,
                                                 httplib::Response& res) {
  auto from = DateParam(req, "from", res);
  if (!from) return std::nullopt;
  auto to = DateParam(req, "to", res);
  if (!to) return std::nullopt;
  if (*to < *from) {
    SendError(res, 400, "invalid_parameter", "to must not be before from");
    return std::nullopt;
  }
  if (*to - *from > std::chrono::days(3660)) {
    SendError(res, 400, "invalid_parameter", "a query spans at most 10 years");
    return std::nullopt;
  }
  return std::make_pair(*from, *to);
}

Json EventsJson(const std::vector<v1::OrderEvent>& events) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  Json out = Json::array();
  for (const auto& e : events) {
    std::string text;
    (void)google::protobuf::util::MessageToJsonString(e, &text, options);
    out.push_back(Json::parse(text));
  }
  return out;
}

// Every route is timed into the latency histogram under its pattern's name.
struct Timed {
  httplib::Server& server;
  HttpMetrics& metrics;
  void Get(const char* pattern, const char* route, httplib::Server::Handler handler) {
    HttpMetrics* m = &metrics;  // not `this`: the Timed helper dies before the server
    server.Get(pattern, [m, route, handler](const httplib::Request& req, httplib::Response& res) {
      auto start = std::chrono::steady_clock::now();
      handler(req, res);
      m->Observe(route, res.status,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    });
  }
};

void Send(httplib::Response& res, const ClusterAnswer& answer) {
  res.status = answer.status;
  for (const auto& [name, value] : answer.headers) res.set_header(name, value);
  res.set_content(answer.body, answer.content_type);
}

// GET /v1/orders from this store alone.
void SendLocalOrders(const ReadModelStore& store, const OrdersQuery& q, httplib::Response& res) {
  auto page = store.List(q.filter, q.limit, q.cursor);
  if (!page.ok()) return SendStatus(res, page.status());
  std::vector<Json> orders;
  for (const auto& o : page->orders) orders.push_back(StatusJson(o));
  SendJson(res, 200, OrdersBody(orders, page->next_cursor));
}

void SendLocalAlerts(const ReadModelStore& store, httplib::Response& res) {
  auto alerts = store.OpenAlerts();
  if (!alerts.ok()) return SendStatus(res, alerts.status());
  Json out = Json::array();
  for (const auto& a : *alerts) out.push_back(AlertJson(a));
  SendJson(res, 200, {{"alerts", out}});
}

}  // namespace

QueryApi::QueryApi(const Config& config, ReadModelStore* store, MetricsSources sources,
                   std::function<int64_t()> lag)
    : config_(config),
      store_(store),
      sources_(sources),
      lag_(std::move(lag)),
      cluster_(std::make_unique<ClusterQueries>(config_, store_)) {
  sources_.http = &http_metrics_;
}

QueryApi::~QueryApi() { Stop(); }

void QueryApi::ViewCache::Follow(const std::string& generation) {
  if (generation == generation_) return;
  views_.clear();
  generation_ = generation;
}

QueryApi::ViewCache::Body QueryApi::ViewCache::Fresh(const std::string& order_id,
                                                     const ReadModelStore::Stamp& stamp) {
  if (stamp.sequence == 0) return nullptr;  // no database open: nothing to vouch for a view
  std::lock_guard lock(mu_);
  Follow(stamp.generation);
  auto it = views_.find(order_id);
  if (it == views_.end() || it->second.checked_at != stamp.sequence) return nullptr;
  return it->second.body;
}

QueryApi::ViewCache::Body QueryApi::ViewCache::Render(const v1::OrderStatus& status,
                                                      const v1::AlertSet& alerts,
                                                      const ReadModelStore::Stamp& stamp) {
  std::string alert_bytes = alerts.SerializeAsString();
  {
    std::lock_guard lock(mu_);
    Follow(stamp.generation);
    auto it = views_.find(status.order_id());
    if (it != views_.end() && it->second.version == status.version() &&
        it->second.alerts == alert_bytes) {
      // Still current at `stamp`. Never moved to a stamp the reads may not include: a later
      // one would vouch for writes this check did not see.
      it->second.checked_at = std::max(it->second.checked_at, stamp.sequence);
      return it->second.body;
    }
  }
  Json view = StatusJson(status);
  for (const auto& a : alerts.open()) view["alerts"].push_back(AlertJson(a));
  auto body = std::make_shared<const std::string>(view.dump());
  std::lock_guard lock(mu_);
  Follow(stamp.generation);
  if (views_.size() >= kLimit) views_.clear();
  views_[status.order_id()] = {status.version(), std::move(alert_bytes), stamp.sequence, body};
  return body;
}

Date QueryApi::Today() const {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto offset = UtcOffset::Parse(config_.projector.utc_offset);
  return BusinessDate(std::chrono::duration_cast<std::chrono::seconds>(now).count(),
                      offset.ok() ? *offset : UtcOffset());
}

void QueryApi::SendOrder(const std::string& order_id, httplib::Response& res) {
  // Taken before the reads: what they return is at least as new as the stamp says.
  const ReadModelStore::Stamp stamp = store_->CurrentStamp();
  ViewCache::Body body = views_.Fresh(order_id, stamp);
  if (body == nullptr) {
    auto status = store_->GetStatus(order_id);
    if (!status.ok()) return SendStatus(res, status.status());
    if (!status->has_value()) return SendError(res, 404, "not_found", "no order " + order_id);
    auto alerts = store_->GetAlerts(order_id);
    if (!alerts.ok()) return SendStatus(res, alerts.status());
    body = views_.Render(**status, alerts->value_or(v1::AlertSet()), stamp);
  }
  res.status = 200;
  res.set_content(*body, "application/json");
}

void QueryApi::SendEvents(const std::string& order_id, httplib::Response& res) {
  auto events = store_->Events(order_id);
  if (!events.ok()) return SendStatus(res, events.status());
  if (events->empty()) return SendError(res, 404, "not_found", "no order " + order_id);
  SendJson(res, 200, {{"order_id", order_id}, {"events", EventsJson(*events)}});
}

std::optional<std::string> QueryApi::AnswerCache::Get(const std::string& query,
                                                      const std::string& version) {
  std::lock_guard lock(mu_);
  if (version != version_) return std::nullopt;
  auto it = answers_.find(query);
  if (it == answers_.end()) return std::nullopt;
  return it->second;
}

void QueryApi::AnswerCache::Put(const std::string& query, const std::string& version,
                                std::string body) {
  std::lock_guard lock(mu_);
  if (version != version_) {  // the data moved on: every cached answer is stale
    answers_.clear();
    version_ = version;
  }
  if (answers_.size() >= kLimit) answers_.clear();
  answers_[query] = std::move(body);
}

std::string QueryApi::DataVersion() const {
  auto offsets = store_->Offsets();
  if (!offsets.ok()) return "";
  std::string version = store_->generation();
  for (const auto& [partition, next] : *offsets) {
    version += "/" + std::to_string(partition) + ":" + std::to_string(next);
  }
  return version;
}

void QueryApi::SendCached(const std::string& query, const std::function<std::string()>& run,
                          httplib::Response& res) {
  // Read before the answer is computed: an answer newer than its version is only recomputed
  // once more, never served for data it does not include.
  const std::string version = DataVersion();
  std::optional<std::string> body;
  if (!version.empty()) body = answers_.Get(query, version);
  if (!body) {
    body = run();
    if (!version.empty()) answers_.Put(query, version, *body);
  }
  res.status = 200;
  res.set_content(*body, "application/json");
}

void QueryApi::Routes() {
  Timed s{*server_, http_metrics_};
  // Lookups try this store first: an order lives in one instance's store.
  s.Get(R"(/v1/orders/([A-Za-z0-9._:-]{1,64}))", "/v1/orders/{id}",
        [this](const httplib::Request& req, httplib::Response& res) {
          SendOrder(req.matches[1], res);
          if (res.status == 404 && cluster_->enabled()) {
            Send(res, cluster_->Lookup("/v1/internal/orders/" + req.matches[1].str(),
                                       {404, res.body, "application/json", {}}));
          }
        });
  s.Get("/v1/alerts", "/v1/alerts", [this](const httplib::Request& req, httplib::Response& res) {
    if (auto e = CheckAlertsQuery(req.params)) return SendError(res, 400, e->code, e->message);
    if (cluster_->enabled()) return Send(res, cluster_->Alerts());
    SendLocalAlerts(*store_, res);
  });
  s.Get(R"(/v1/orders/([A-Za-z0-9._:-]{1,64})/events)", "/v1/orders/{id}/events",
        [this](const httplib::Request& req, httplib::Response& res) {
          SendEvents(req.matches[1], res);
          if (res.status == 404 && cluster_->enabled()) {
            Send(res, cluster_->Lookup("/v1/internal/orders/" + req.matches[1].str() + "/events",
                                       {404, res.body, "application/json", {}}));
          }
        });
  // An order id that cannot exist (a character outside [A-Za-z0-9._:-], longer than 64) is a
  // malformed request, not an unknown order.
  s.Get(R"(/v1/orders/([^/]*)(/events)?)", "/v1/orders/{invalid}",
        [](const httplib::Request&, httplib::Response& res) {
          SendError(res, 400, "invalid_order_id",
                    "an order id is 1-64 characters of [A-Za-z0-9._:-]");
        });
  s.Get("/v1/orders", "/v1/orders", [this](const httplib::Request& req, httplib::Response& res) {
    auto parsed = ParseOrdersQuery(req.params);
    if (auto* e = std::get_if<ParamError>(&parsed)) return SendError(res, 400, e->code, e->message);
    OrdersQuery& q = std::get<OrdersQuery>(parsed);
    OrderFilter& f = q.filter;
    if (f.at_risk.has_value()) {
      f.today = Today();
      f.risk_buffer_days = config_.risk.buffer_days;
    }
    if (cluster_->enabled()) return Send(res, cluster_->Orders(q));
    SendLocalOrders(*store_, q, res);
  });
  s.Get("/v1/kpis", "/v1/kpis", [this](const httplib::Request& req, httplib::Response& res) {
    auto parsed = ParseKpiQuery(req.params);
    if (auto* e = std::get_if<ParamError>(&parsed)) return SendError(res, 400, e->code, e->message);
    const KpiQuery& q = std::get<KpiQuery>(parsed);
    if (cluster_->enabled()) return Send(res, cluster_->Kpis(q));
    std::string key = "kpis/" + FormatDate(q.from) + "/" + FormatDate(q.to) + "/" +
                      std::string(q.bucket ? BucketName(*q.bucket) : "-") + "/" +
                      std::string(GroupKindName(q.group_by));
    SendCached(
        key, [&] { return RunKpiQuery(*store_, q).dump(); }, res);
  });
  s.Get("/v1/scorecards", "/v1/scorecards",
        [this](const httplib::Request& req, httplib::Response& res) {
          auto range = RangeParams(req, res);
          if (!range) return;
          ScorecardQuery q{range->first, range->second, GroupKind::kMerchandiser, false};
          if (req.has_param("group_by")) {
            auto g = ParseScorecardGroupBy(req.get_param_value("group_by"));
            if (!g) {
              return SendError(res, 400, "invalid_parameter",
                               "group_by must be merchandiser, customer, supplier or department");
            }
            q.group_by = *g;
          }
          if (req.has_param("compare_previous")) {
            const std::string v = req.get_param_value("compare_previous");
            if (v != "true" && v != "false") {
              return SendError(res, 400, "invalid_parameter",
                               "compare_previous must be true or false");
            }
            q.compare_previous = v == "true";
          }
          if (cluster_->enabled()) {
            return Send(res, cluster_->Scorecards(config_.scorecard.entries, q));
          }
          std::string key = "scorecards/" + FormatDate(q.from) + "/" + FormatDate(q.to) + "/" +
                            std::to_string(static_cast<int>(q.group_by)) + "/" +
                            (q.compare_previous ? "1" : "0");
          SendCached(
              key, [&] { return RunScorecardQuery(*store_, config_.scorecard.entries, q).dump(); },
              res);
        });
  s.Get("/", "/",
        [](const httplib::Request&, httplib::Response& res) { SendAsset(res, "index.html"); });
  s.Get(R"(/assets/([A-Za-z0-9._-]{1,64}))", "/assets/{file}",
        [](const httplib::Request& req, httplib::Response& res) {
          SendAsset(res, req.matches[1].str());
        });
  s.Get("/healthz", "/healthz", [](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, {{"status", "ok"}});
  });
  s.Get("/readyz", "/readyz", [this](const httplib::Request&, httplib::Response& res) {
    int64_t lag = lag_ ? lag_() : -1;
    // A worker retrying a refused RocksDB write (disk full) is not ready, whatever its lag.
    const bool store_ok =
        (sources_.engine == nullptr || !sources_.engine->store_health.Failing()) &&
        (sources_.projector == nullptr || !sources_.projector->store_health.Failing());
    bool ready = store_ok && lag >= 0 && lag <= config_.serve.ready_max_lag;
    Json body = {{"ready", ready},
                 {"lag", lag},
                 {"max_lag", config_.serve.ready_max_lag},
                 {"store", store_ok ? "ok" : "failing"}};
    if (cluster_->enabled()) {  // every partition served once, every peer answering
      bool cluster_ready = false;
      body["cluster"] = cluster_->Readiness(&cluster_ready);
      body["ready"] = ready = ready && cluster_ready;
    }
    SendJson(res, ready ? 200 : 503, body);
  });
  s.Get("/metrics", "/metrics", [this](const httplib::Request&, httplib::Response& res) {
    MetricsSources sources = sources_;
    sources.read_model_lag = lag_ ? lag_() : -1;
    sources.engine_topic = config_.Topic("inbound");
    sources.projector_topic = config_.Topic("events");
    sources.read_models = store_;
    sources.kpi_window = {Today(), config_.metrics.kpi_window_days};
    res.set_content(RenderPrometheus(sources), "text/plain; version=0.0.4");
  });
}

std::string QueryApi::OwnershipHeader() {
  // Taken before the read, as in SendOrder: the record read is at least as new as the stamp.
  const ReadModelStore::Stamp stamp = store_->CurrentStamp();
  std::lock_guard lock(ownership_mu_);
  if (stamp.sequence == 0 || !(stamp == ownership_stamp_)) {
    ownership_ = OwnershipHeaderValue(*store_);
    ownership_stamp_ = stamp;
  }
  return ownership_;
}

// Each answer names this store's ownership record (Gendan-Ownership), so the instance merging
// them checks partition coverage from the same replies.
void QueryApi::InternalRoutes() {
  Timed s{*server_, http_metrics_};
  auto owned = [this](httplib::Server::Handler handler) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      handler(req, res);
      if (std::string o = OwnershipHeader(); !o.empty()) {
        res.set_header(kOwnershipHeader, o);
      }
      res.set_header(kServerHeader, cluster_->server_id());
    };
  };
  s.Get("/v1/internal/ownership", "/v1/internal/ownership",
        owned([this](const httplib::Request&, httplib::Response& res) {
          auto o = store_->GetOwnership();
          if (!o.ok()) return SendStatus(res, o.status());
          const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
          const bool fresh = o->has_value() &&
                             now - (*o)->heartbeat_unix_ms <= config_.cluster.stale_after.count();
          SendJson(res, 200,
                   {{"ownership", o->has_value() ? Json::parse((*o)->Encode()) : Json(nullptr)},
                    {"fresh", fresh}});
        }));
  s.Get(R"(/v1/internal/orders/([A-Za-z0-9._:-]{1,64}))", "/v1/internal/orders/{id}",
        owned([this](const httplib::Request& req, httplib::Response& res) {
          SendOrder(req.matches[1], res);
        }));
  s.Get(R"(/v1/internal/orders/([A-Za-z0-9._:-]{1,64})/events)", "/v1/internal/orders/{id}/events",
        owned([this](const httplib::Request& req, httplib::Response& res) {
          SendEvents(req.matches[1], res);
        }));
  // The merging instance's business date rides along, so every store filters at_risk alike.
  s.Get("/v1/internal/orders", "/v1/internal/orders",
        owned([this](const httplib::Request& req, httplib::Response& res) {
          QueryParams params = req.params;
          std::optional<Date> today = Today();
          if (auto it = params.find("today"); it != params.end()) {
            today = ParseDate(it->second);
            params.erase(it);
          }
          if (!today) return SendError(res, 400, "invalid_parameter", "today must be YYYY-MM-DD");
          auto parsed = ParseOrdersQuery(params);
          if (auto* e = std::get_if<ParamError>(&parsed))
            return SendError(res, 400, e->code, e->message);
          OrdersQuery& q = std::get<OrdersQuery>(parsed);
          q.filter.today = *today;
          q.filter.risk_buffer_days = config_.risk.buffer_days;
          SendLocalOrders(*store_, q, res);
        }));
  s.Get("/v1/internal/alerts", "/v1/internal/alerts",
        owned([this](const httplib::Request&, httplib::Response& res) {
          SendLocalAlerts(*store_, res);
        }));
  s.Get("/v1/internal/kpi_partials", "/v1/internal/kpi_partials",
        owned([this](const httplib::Request& req, httplib::Response& res) {
          auto parsed = ParseKpiQuery(req.params);
          if (auto* e = std::get_if<ParamError>(&parsed))
            return SendError(res, 400, e->code, e->message);
          res.status = 200;
          res.set_content(EncodeCells(KpiPartials(*store_, std::get<KpiQuery>(parsed))),
                          "application/octet-stream");
        }));
}

constexpr size_t kQueryThreads = 64;

// Limits and checks before any route runs (docs/api.md#limits): sizes and times, the header
// budget, read-only methods, the bearer token; every refusal is a JSON error.
void QueryApi::Guard() {
  // Bounded requests: nothing in this API needs a body or long headers. httplib itself caps the
  // request line at 8 KiB (414) and each header line at 8 KiB (400).
  server_->set_payload_max_length(64 * 1024);
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(5, 0);
  server_->set_keep_alive_max_count(100);
  server_->set_keep_alive_timeout(5);
  // httplib serves a keep-alive connection on one pool thread until it closes, and its default
  // pool has 8: a dashboard's or load balancer's 9th connection waited for another to close
  // (p99 851 ms under wrk -c16 where p50 was 10 ms). Threads that wait on idle sockets are
  // cheap; kQueryThreads covers a few dashboards' worth of connections.
  server_->new_task_queue = [] { return new httplib::ThreadPool(kQueryThreads); };
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return;
    switch (res.status) {
      case 404: return SendError(res, 404, "not_found", "no such route");
      case 413: return SendError(res, 413, "payload_too_large", "the query API takes no body");
      case 414: return SendError(res, 414, "uri_too_long", "request line over 8 KiB");
      default: return SendError(res, res.status, "bad_request", "malformed HTTP request");
    }
  });
  // An exception in a handler is a bug: answer 500 without its text (it may quote internals).
  server_->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
        spdlog::error("serve: a handler of {} threw", PrintableText(req.path));
        SendError(res, 500, "internal", "internal error");
      });
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    using Handled = httplib::Server::HandlerResponse;
    if (req.method != "GET" && req.method != "HEAD") {
      SendError(res, 405, "method_not_allowed", "the query API is read-only: use GET");
      return Handled::Handled;
    }
    // GET carries no body here; httplib would leave one unread in the connection.
    const std::string length = req.get_header_value("Content-Length");
    if ((!length.empty() && length != "0") || req.has_header("Transfer-Encoding")) {
      SendError(res, 413, "payload_too_large", "the query API takes no request body");
      return Handled::Handled;
    }
    size_t header_bytes = 0;
    for (const auto& [name, value] : req.headers) header_bytes += name.size() + value.size();
    if (!WithinBudget(req.headers.size(), header_bytes)) {
      SendError(res, 431, "headers_too_large", "at most 64 headers of 16 KiB in all");
      return Handled::Handled;
    }
    if (!config_.serve.auth_token.empty() && NeedsToken(req.path)) {
      BearerCheck check =
          CheckBearer(req.get_header_value("Authorization"), config_.serve.auth_token);
      if (check != BearerCheck::kOk) {
        res.set_header("WWW-Authenticate", R"(Bearer realm="gendan")");
        SendError(res, 401, "unauthorized",
                  check == BearerCheck::kMissing ? "this route needs Authorization: Bearer <token>"
                                                 : "bearer token refused");
        return Handled::Handled;
      }
    }
    return Handled::Unhandled;
  });
}

Status QueryApi::Start() {
  server_ = std::make_unique<httplib::Server>();
  // Small JSON answers: without TCP_NODELAY each response waits out Nagle + delayed ACK (~40 ms).
  server_->set_tcp_nodelay(true);
  Guard();
  // httplib tries the routes in the order they were added: the public ones, lookups first,
  // ahead of the peers' internal ones (no pattern of one set matches a path of the other).
  Routes();
  InternalRoutes();
  const std::string& listen = config_.serve.listen;
  size_t colon = listen.rfind(':');
  std::string port_text = colon == std::string::npos ? "" : listen.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("serve.listen must be host:port, got '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  int port = std::stoi(port_text);
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ < 0) return Status::IoError("cannot listen on " + config_.serve.listen + " (in use?)");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // A follower catches up with the projector here, off the request path (catching up spawns
  // RocksDB work that would otherwise land on every request).
  refresher_ = std::thread([this] {
    while (!stopping_.load()) {
      Status s = store_->Refresh();
      if (!s.ok()) spdlog::warn("serve: following the read models: {}", s.message());
      std::unique_lock lock(refresh_mu_);
      refresh_cv_.wait_for(lock, std::chrono::milliseconds(200),
                           [this] { return stopping_.load(); });
    }
  });
  spdlog::info("serve: query API on http://{}:{}/", host, port_);
  return Status::Ok();
}

void QueryApi::Stop() {
  {
    std::lock_guard lock(refresh_mu_);
    stopping_.store(true);
  }
  refresh_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gendan

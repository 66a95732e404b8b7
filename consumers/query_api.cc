#include "consumers/query_api.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

#include "consumers/dashboard.h"
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

}  // namespace

QueryApi::QueryApi(const Config& config, ReadModelStore* store, MetricsSources sources,
                   std::function<int64_t()> lag)
    : config_(config), store_(store), sources_(sources), lag_(std::move(lag)) {
  sources_.http = &http_metrics_;
}

QueryApi::~QueryApi() { Stop(); }

std::string QueryApi::ViewCache::Render(const v1::OrderStatus& status, const v1::AlertSet& alerts,
                                        const std::string& generation) {
  std::string alert_bytes = alerts.SerializeAsString();
  {
    std::lock_guard lock(mu_);
    if (generation != generation_) {  // rebuilt read models may render the same version anew
      views_.clear();
      generation_ = generation;
    }
    auto it = views_.find(status.order_id());
    if (it != views_.end() && it->second.version == status.version() &&
        it->second.alerts == alert_bytes) {
      return it->second.body;
    }
  }
  Json view = StatusJson(status);
  for (const auto& a : alerts.open()) view["alerts"].push_back(AlertJson(a));
  std::string body = view.dump();
  std::lock_guard lock(mu_);
  if (views_.size() >= kLimit) views_.clear();
  views_[status.order_id()] = {status.version(), std::move(alert_bytes), body};
  return body;
}

Date QueryApi::Today() const {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto offset = UtcOffset::Parse(config_.projector.utc_offset);
  return BusinessDate(std::chrono::duration_cast<std::chrono::seconds>(now).count(),
                      offset.ok() ? *offset : UtcOffset());
}

void QueryApi::Routes() {
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
  } s{*server_, http_metrics_};
  s.Get(R"(/v1/orders/([A-Za-z0-9._:-]{1,64}))", "/v1/orders/{id}",
        [this](const httplib::Request& req, httplib::Response& res) {
          auto status = store_->GetStatus(req.matches[1]);
          if (!status.ok()) return SendStatus(res, status.status());
          if (!status->has_value())
            return SendError(res, 404, "not_found", "no order " + std::string(req.matches[1]));
          auto alerts = store_->GetAlerts(req.matches[1]);
          if (!alerts.ok()) return SendStatus(res, alerts.status());
          res.status = 200;
          res.set_content(
              views_.Render(**status, alerts->value_or(v1::AlertSet()), store_->generation()),
              "application/json");
        });
  s.Get("/v1/alerts", "/v1/alerts", [this](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("open") && req.get_param_value("open") != "true") {
      return SendError(res, 400, "invalid_parameter",
                       "only open alerts are kept here (open=true); the full raised/cleared "
                       "history is the gendan.alerts topic");
    }
    auto alerts = store_->OpenAlerts();
    if (!alerts.ok()) return SendStatus(res, alerts.status());
    Json out = Json::array();
    for (const auto& a : *alerts) out.push_back(AlertJson(a));
    SendJson(res, 200, {{"alerts", out}});
  });
  s.Get(R"(/v1/orders/([A-Za-z0-9._:-]{1,64})/events)", "/v1/orders/{id}/events",
        [this](const httplib::Request& req, httplib::Response& res) {
          auto events = store_->Events(req.matches[1]);
          if (!events.ok()) return SendStatus(res, events.status());
          if (events->empty())
            return SendError(res, 404, "not_found", "no order " + std::string(req.matches[1]));
          SendJson(res, 200, {{"order_id", req.matches[1]}, {"events", EventsJson(*events)}});
        });
  s.Get("/v1/orders", "/v1/orders", [this](const httplib::Request& req, httplib::Response& res) {
    OrderFilter f;
    f.stage = req.get_param_value("stage");
    f.customer = req.get_param_value("customer");
    f.merchandiser = req.get_param_value("merchandiser");
    f.supplier = req.get_param_value("supplier");
    v1::Stage::Value stage_value;
    if (!f.stage.empty() && !v1::Stage::Value_Parse(f.stage, &stage_value)) {
      return SendError(res, 400, "invalid_parameter",
                       "stage must be a stage name such as SHIPPING");
    }
    if (req.has_param("at_risk")) {
      const std::string v = req.get_param_value("at_risk");
      if (v != "true" && v != "false") {
        return SendError(res, 400, "invalid_parameter", "at_risk must be true or false");
      }
      f.at_risk = v == "true";
      f.today = Today();
      f.risk_buffer_days = config_.risk.buffer_days;
    }
    size_t limit = 50;
    if (req.has_param("limit")) {
      const std::string v = req.get_param_value("limit");
      if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(v) < 1 || std::stoul(v) > 1000) {
        return SendError(res, 400, "invalid_parameter", "limit must be 1..1000");
      }
      limit = std::stoul(v);
    }
    auto page = store_->List(f, limit, req.get_param_value("cursor"));
    if (!page.ok()) return SendStatus(res, page.status());
    Json orders = Json::array();
    for (const auto& o : page->orders) orders.push_back(StatusJson(o));
    SendJson(
        res, 200,
        {{"orders", orders},
         {"next_cursor", page->next_cursor.empty() ? Json(nullptr) : Json(page->next_cursor)}});
  });
  s.Get("/v1/kpis", "/v1/kpis", [this](const httplib::Request& req, httplib::Response& res) {
    auto from = DateParam(req, "from", res);
    if (!from) return;
    auto to = DateParam(req, "to", res);
    if (!to) return;
    if (*to < *from) return SendError(res, 400, "invalid_parameter", "to must not be before from");
    if (*to - *from > std::chrono::days(3660)) {
      return SendError(res, 400, "invalid_parameter", "a KPI query spans at most 10 years");
    }
    KpiQuery q{*from, *to, std::nullopt, GroupKind::kNone};
    if (req.has_param("bucket")) {
      q.bucket = ParseBucket(req.get_param_value("bucket"));
      if (!q.bucket)
        return SendError(res, 400, "invalid_parameter", "bucket must be day, week or month");
    }
    if (req.has_param("group_by")) {
      auto g = ParseGroupKind(req.get_param_value("group_by"));
      if (!g || *g == GroupKind::kNone) {
        return SendError(res, 400, "invalid_parameter",
                         "group_by must be merchandiser, customer or supplier");
      }
      q.group_by = *g;
    }
    SendJson(res, 200, RunKpiQuery(*store_, q));
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
          SendJson(res, 200, RunScorecardQuery(*store_, config_.scorecard.entries, q));
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
    bool ready = lag >= 0 && lag <= config_.serve.ready_max_lag;
    SendJson(res, ready ? 200 : 503,
             {{"ready", ready}, {"lag", lag}, {"max_lag", config_.serve.ready_max_lag}});
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

Status QueryApi::Start() {
  server_ = std::make_unique<httplib::Server>();
  // Small JSON answers: without TCP_NODELAY each response waits out Nagle + delayed ACK (~40 ms).
  server_->set_tcp_nodelay(true);
  // Bounded requests: nothing in this API needs a body or long headers.
  server_->set_payload_max_length(64 * 1024);
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(5, 0);
  server_->set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      SendError(res, res.status, res.status == 404 ? "not_found" : "bad_request",
                res.status == 404 ? "no such route" : "request refused");
    }
  });
  server_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.method != "GET" && req.method != "HEAD") {
      SendError(res, 405, "method_not_allowed", "the query API is read-only: use GET");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  Routes();
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

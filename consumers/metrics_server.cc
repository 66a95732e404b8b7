#include "consumers/metrics_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "consumers/http_guard.h"

namespace gendan {

MetricsServer::MetricsServer(std::string listen, std::function<std::string()> render,
                             std::string auth_token)
    : listen_(std::move(listen)), render_(std::move(render)), auth_token_(std::move(auth_token)) {}

MetricsServer::~MetricsServer() { Stop(); }

Status MetricsServer::Start() {
  size_t colon = listen_.rfind(':');
  std::string port_text = colon == std::string::npos ? "" : listen_.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument("metrics.listen must be host:port, got '" + listen_ + "'");
  }
  const std::string host = listen_.substr(0, colon);
  const int port = std::stoi(port_text);
  server_ = std::make_unique<httplib::Server>();
  server_->set_read_timeout(5, 0);
  server_->set_write_timeout(5, 0);
  server_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (auth_token_.empty() || !NeedsToken(req.path) ||
        CheckBearer(req.get_header_value("Authorization"), auth_token_) == BearerCheck::kOk) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    res.status = 401;
    res.set_header("WWW-Authenticate", R"(Bearer realm="gendan")");
    res.set_content(R"({"error":{"code":"unauthorized","message":"bearer token refused"}})",
                    "application/json");
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(render_(), "text/plain; version=0.0.4");
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", "application/json");
  });
  port_ =
      port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  if (port_ < 0) return Status::IoError("cannot listen on " + listen_ + " (in use?)");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  spdlog::info("metrics on http://{}:{}/metrics", host, port_);
  return Status::Ok();
}

void MetricsServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gendan

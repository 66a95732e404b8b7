// MetricsServer: /metrics and /healthz on their own port, for the roles without the query API
// (`gendan engine`, `gendan project`), so that Prometheus can scrape every process.
//
//   MetricsServer server(config.metrics.listen, [&] { return RenderPrometheus(sources); });
//   Status s = server.Start();   // InvalidArgument for a bad host:port, IoError if it is taken
//   ...
//   server.Stop();
//
// Serves on its own thread; `render` is called on that thread for every scrape.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "engine/status.h"

namespace httplib {
class Server;
}

namespace gendan {

class MetricsServer {
 public:
  // With a non-empty `auth_token`, /metrics needs "Authorization: Bearer <token>" (as on the
  // query API, consumers/http_guard.h); /healthz stays open.
  MetricsServer(std::string listen, std::function<std::string()> render,
                std::string auth_token = "");
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  Status Start();
  void Stop();
  int port() const { return port_; }  // the bound port (useful with port 0)

 private:
  std::string listen_;
  std::function<std::string()> render_;
  std::string auth_token_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = -1;
};

}  // namespace gendan

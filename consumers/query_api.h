// QueryApi: `gendan serve`'s HTTP/JSON API over the read models (DOMAIN.md §7).
//
//   QueryApi api(config, store, sources, lag_probe);
//   Status s = api.Start();   // listens on config.serve.listen, serves on its own threads
//   ...
//   api.Stop();
//
// Routes: /v1/orders/{id}, /v1/orders, /v1/orders/{id}/events, /v1/kpis, /v1/scorecards,
// /healthz, /readyz, /metrics, and the dashboard: / and /assets/{file} (consumers/dashboard.h).
// With cluster.peers set, /v1 answers merge every instance's (consumers/cluster.h); the
// /v1/internal/... routes give this store's own parts to the other instances.
// Errors are JSON {"error": {"code", "message"}} with a 4xx/5xx status.
// Thread-safe: requests run concurrently; the store's reads are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "consumers/config.h"
#include "consumers/metrics.h"
#include "engine/status.h"
#include "projections/read_model_store.h"

namespace httplib {
class Server;
struct Response;
}  // namespace httplib

namespace gendan {

class ClusterQueries;

class QueryApi {
 public:
  // `lag` returns how many gendan.events records the read models lack (-1 when unknown).
  QueryApi(const Config& config, ReadModelStore* store, MetricsSources sources,
           std::function<int64_t()> lag);
  ~QueryApi();

  // Binds and starts serving in the background. IoError when the address cannot be bound.
  Status Start();
  void Stop();
  int port() const { return port_; }  // the bound port (useful with port 0)

 private:
  // Rendered order views by order id. A view is served without reading the store while the
  // store's stamp is the one it was last checked at (nothing was written since); after a write
  // it is checked again against the order's version and open alerts and rendered anew only when
  // they changed: reading and rendering are most of a lookup's cost. Bounded; thread-safe.
  class ViewCache {
   public:
    using Body = std::shared_ptr<const std::string>;
    // The view of `order_id` if it was checked at `stamp`, else null.
    Body Fresh(const std::string& order_id, const ReadModelStore::Stamp& stamp);
    // The view of `status` with `alerts`, read from the store after taking `stamp`.
    Body Render(const v1::OrderStatus& status, const v1::AlertSet& alerts,
                const ReadModelStore::Stamp& stamp);

   private:
    static constexpr size_t kLimit = 100'000;
    struct Entry {
      int64_t version = 0;
      std::string alerts;       // the AlertSet's bytes
      uint64_t checked_at = 0;  // the store sequence at which it was last known current
      Body body;
    };
    // Clears every view when the store moved to another generation (a rebuilt store may hold
    // the same versions with other contents). Call with mu_ held.
    void Follow(const std::string& generation);
    std::mutex mu_;
    std::string generation_;
    std::unordered_map<std::string, Entry> views_;
  };

  // KPI and scorecard answers by query, valid while the store's data version (its generation
  // and per-partition offsets: KPI cells change only in batches that move an offset) is the
  // one they were computed at. A dashboard's repeated queries then cost a lookup; the first
  // after new events recomputes. Bounded; thread-safe.
  class AnswerCache {
   public:
    std::optional<std::string> Get(const std::string& query, const std::string& version);
    void Put(const std::string& query, const std::string& version, std::string body);

   private:
    static constexpr size_t kLimit = 1'024;
    std::mutex mu_;
    std::string version_;
    std::unordered_map<std::string, std::string> answers_;
  };
  // The store's data version for AnswerCache (empty when it cannot be read: do not cache).
  std::string DataVersion() const;
  // Sends the cached answer to `query`, or computes it with `run`, caches and sends it.
  void SendCached(const std::string& query, const std::function<std::string()>& run,
                  httplib::Response& res);

  // This store's ownership record for the internal answers' header (empty before the first),
  // read again only once the store's stamp moved: every peer's request carries it.
  std::string OwnershipHeader();

  void Guard();
  void Routes();
  void InternalRoutes();  // /v1/internal/...: this store's parts, never fanned out again
  // The order's view, or its events, from this store (404 when it has not the order).
  void SendOrder(const std::string& order_id, httplib::Response& res);
  void SendEvents(const std::string& order_id, httplib::Response& res);
  Date Today() const;  // the business date now, for the at_risk filter
  Config config_;
  ReadModelStore* store_;
  MetricsSources sources_;
  std::function<int64_t()> lag_;
  HttpMetrics http_metrics_;
  ViewCache views_;
  AnswerCache answers_;
  std::mutex ownership_mu_;  // guards the two below
  ReadModelStore::Stamp ownership_stamp_;
  std::string ownership_;
  std::unique_ptr<ClusterQueries> cluster_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::thread refresher_;
  std::mutex refresh_mu_;
  std::condition_variable refresh_cv_;
  std::atomic<bool> stopping_{false};
  int port_ = 0;
};

}  // namespace gendan

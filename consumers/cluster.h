// Cluster: `gendan serve` across several instances (issue 10). Each instance's store holds the
// read models of the gendan.events partitions its projector owns; an instance whose
// cluster.peers names the others answers every /v1 request from all of them, byte for byte what
// one store holding every partition would answer.
//
//   ClusterQueries cluster(config, store);   // config.cluster.peers: the other instances
//   if (cluster.enabled()) {
//     ClusterAnswer a = cluster.Kpis(query); // local partials + each peer's, merged, then queried
//     res.status = a.status;  res.set_content(a.body, a.content_type);
//   }
//
// Two halves. The pure merge functions (pages, alerts, KPI partials, partition coverage) take
// each instance's part and give the single-store answer; they are tested without HTTP.
// ClusterQueries asks every peer's /v1/internal/... routes at once (docs/api.md#several-instances)
// and merges their parts with the local store's. Internal routes answer from their own store
// only, so a request never fans out twice.
//
// Why the merges are exact: an order's events share one partition (keyed by order_id), so each
// order lives in exactly one store; KPI cells are sums whose Merge is exact (projections/kpi.h),
// so the instances' cells add up to a single store's.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consumers/config.h"
#include "consumers/query_params.h"
#include "engine/status.h"
#include "projections/kpi.h"
#include "projections/read_model_store.h"
#include "projections/scorecard.h"

namespace gendan {

// Response headers of the cluster protocol.
inline constexpr char kOwnershipHeader[] = "Gendan-Ownership";  // internal: the store's record
inline constexpr char kCoverageHeader[] = "Gendan-Coverage";    // "partial" when not complete
inline constexpr char kMissingHeader[] = "Gendan-Missing-Partitions";  // "3,7"
// internal: a random id of the answering serve process, so that an instance finds itself in
// cluster.peers (one peer list for every instance, as a StatefulSet's config has) and skips it.
inline constexpr char kServerHeader[] = "Gendan-Server";

// ---- Partition coverage ----------------------------------------------------------------

struct Coverage {
  bool complete = false;
  int32_t partition_count = 0;   // as the fresh records say; 0 when none is fresh
  std::vector<int32_t> missing;  // not served exactly once by a fresh claim that is not loading
  std::string reason;            // why not complete; empty when complete
};

// Whether the fresh records (heartbeat at most `stale_after_ms` before `now_unix_ms`) claim every
// partition 0..partition_count-1 exactly once, none of them still loading, and none of them
// unloading anywhere (its orders would then be in two stores). Stale records are ignored: a
// stopped projector's store no longer follows the log.
Coverage CheckCoverage(const std::vector<Ownership>& records, int64_t now_unix_ms,
                       int64_t stale_after_ms);

// The headers a merged answer carries: none when complete; else Gendan-Coverage: partial and,
// when any is known, Gendan-Missing-Partitions: "3,7".
std::vector<std::pair<std::string, std::string>> CoverageHeaders(const Coverage& coverage);

// ---- GET /v1/orders --------------------------------------------------------------------

// One instance's answer to the same list query (the StatusJson objects, in the list's order).
struct OrdersPart {
  std::vector<nlohmann::json> orders;
  std::string next_cursor;  // empty: none
};

struct OrdersMerge {
  std::vector<nlohmann::json> orders;  // the first `limit` of every part, in the list's order
  // A store sets next_cursor exactly when another matching order follows its page, so a further
  // match follows the merged page when a part has one beyond the page's last order, or set its
  // next_cursor.
  bool more = false;
};

// Merges the parts in the list's order (order_id; commit_date then order_id when at_risk=true).
OrdersMerge MergeOrderPages(std::vector<OrdersPart> parts, size_t limit, bool at_risk);

// The next_cursor a single store sets after `last`: its order_id, or "<commit_date>/<order_id>"
// when at_risk=true.
std::string PageCursor(const nlohmann::json& last, bool at_risk);

// The body of GET /v1/orders.
nlohmann::json OrdersBody(const std::vector<nlohmann::json>& orders,
                          const std::string& next_cursor);

// ---- GET /v1/alerts --------------------------------------------------------------------

// Every part's open alerts (each in order_id order) as one list in order_id order; an order's
// alerts keep their order. The body's "alerts" array.
nlohmann::json MergeAlerts(const std::vector<nlohmann::json>& parts);

// ---- KPIs and scorecards ---------------------------------------------------------------

// A store's partial answer to a KPI query: its cells of q.group_by in [q.from, q.to] summed per
// (group, bucket start clipped to the range, KPI key), keyed by CellKey with that start as date.
// Read with the same cells a query reads (month rollups where RunKpiQuery uses them). Partials
// of several stores merged with MergeCells, read through PartialCellSource, give RunKpiQuery
// exactly the single store's answer.
CellMap KpiPartials(const CellSource& source, const KpiQuery& q);

// Adds every cell of `part` into *into (Merge for equal keys).
void MergeCells(const CellMap& part, CellMap* into);

// Cells as bytes: for each cell a 4-byte big-endian length and CellKey::Encode(), then a length
// and Cell::Serialize(). Decode gives Status::Fatal on anything else.
std::string EncodeCells(const CellMap& cells);
Result<CellMap> DecodeCells(std::string_view bytes);

// Merged partials as a CellSource: Scan gives the cells of a kind in a date range; no month
// rollups (partials are already summed per bucket). Not thread-safe.
class PartialCellSource : public CellSource {
 public:
  explicit PartialCellSource(CellMap cells) : cells_(std::move(cells)) {}
  void Scan(GroupKind kind, Date from, Date to,
            const std::function<void(const CellKey&, const Cell&)>& fn) const override;

 private:
  CellMap cells_;
};

// The KPI queries RunScorecardQuery runs for `q`: the period, and the previous one if compared.
std::vector<KpiQuery> ScorecardKpiQueries(const ScorecardQuery& q);

// ---- Fan-out ---------------------------------------------------------------------------

// A merged answer: status, body and extra headers (coverage).
struct ClusterAnswer {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

// The local store's ownership record as the internal routes send it in Gendan-Ownership (empty
// when there is none or it cannot be read).
std::string OwnershipHeaderValue(const ReadModelStore& store);

// Asks the peers of config.cluster and merges their parts with the local store's. Every
// answer either holds every instance's part or is a 503 naming the peer that did not answer:
// never a silently partial sum. Thread-safe (a pool of keep-alive clients per peer).
class ClusterQueries {
 public:
  ClusterQueries(const Config& config, const ReadModelStore* store);
  ~ClusterQueries();
  ClusterQueries(const ClusterQueries&) = delete;
  ClusterQueries& operator=(const ClusterQueries&) = delete;

  bool enabled() const { return !peers_.empty(); }
  // This process's id, sent by its internal routes in Gendan-Server.
  const std::string& server_id() const { return server_id_; }

  // An order lookup the local store answered with 404: `internal_path` (the same route under
  // /v1/internal) asked of every peer; the answer of the one that holds the order, else 404.
  ClusterAnswer Lookup(const std::string& internal_path, ClusterAnswer local_404);
  // GET /v1/orders; q.filter.today is the business date the at_risk filter uses everywhere.
  ClusterAnswer Orders(const OrdersQuery& q);
  ClusterAnswer Alerts();
  ClusterAnswer Kpis(const KpiQuery& q);
  ClusterAnswer Scorecards(const Scorecard& card, const ScorecardQuery& q);
  // /readyz's "cluster" object ({"complete", "peers", "missing_partitions", "reason"}); *ready
  // is false when the instances do not cover every partition or a peer does not answer.
  nlohmann::json Readiness(bool* ready);

 private:
  class Peer;
  struct Reply {
    int status = 0;
    std::string body;
    std::optional<Ownership> ownership;  // from Gendan-Ownership
    std::string server;                  // from Gendan-Server
  };
  // Asks every peer not yet identified who it is; a peer that turns out to be this process
  // itself is left out of every fan-out from then on.
  void Identify() const;
  using Params = std::multimap<std::string, std::string>;  // httplib::Params
  struct Request {
    size_t peer;  // index into peers_
    std::string path;
    Params params;
  };
  std::vector<Request> ToEveryPeer(const std::string& path, const Params& params) const;
  // Sends every request at once and runs `local` meanwhile; reply i answers request i, or is
  // TryAgain naming the peer (no answer in time, or a status other than 200 — or 404 when
  // `allow_404`).
  std::vector<Result<Reply>> Ask(const std::vector<Request>& requests,
                                 const std::function<void()>& local, bool allow_404 = false);
  // Coverage from the local record and the records the peers' replies carried.
  Coverage CoverageOf(const std::vector<Request>& requests,
                      const std::vector<Result<Reply>>& replies) const;
  // A 503 naming the first peer that failed, or nullopt when every one answered.
  static std::optional<ClusterAnswer> Failed(const std::vector<Result<Reply>>& replies);
  // Every instance's KPI partials of `queries`, merged into *cells; an answer when one fails.
  std::optional<ClusterAnswer> GatherPartials(const std::vector<KpiQuery>& queries, CellMap* cells,
                                              Coverage* coverage);

  const ReadModelStore* store_;
  ClusterOptions options_;
  const std::string server_id_;
  std::vector<std::unique_ptr<Peer>> peers_;
};

}  // namespace gendan

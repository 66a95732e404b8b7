#include "consumers/cluster.h"

#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "projections/alert_view.h"
#include "projections/order_view.h"

namespace gendan {
namespace {

using Json = nlohmann::json;

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string JoinNumbers(const std::vector<int32_t>& numbers) {
  std::string out;
  for (int32_t n : numbers) out += (out.empty() ? "" : ",") + std::to_string(n);
  return out;
}

ClusterAnswer ErrorAnswer(int status, const std::string& code, const std::string& message) {
  return {status,
          Json{{"error", {{"code", code}, {"message", message}}}}.dump(),
          "application/json",
          {}};
}

// A failed local read, as the query API reports one: retryable ones are 503, the rest 500.
ClusterAnswer StatusAnswer(const Status& s) {
  return ErrorAnswer(s.retryable() ? 503 : 500, s.retryable() ? "unavailable" : "internal",
                     s.message());
}

ClusterAnswer JsonAnswer(const Json& body, const Coverage& coverage) {
  return {200, body.dump(), "application/json", CoverageHeaders(coverage)};
}

// The key an order sorts by in a list: (commit_date, order_id) with at_risk=true, else order_id.
std::pair<std::string, std::string> ListKey(const Json& order, bool at_risk) {
  const Json& id = order.at("order_id");
  if (!at_risk) return {"", id.get<std::string>()};
  const Json& date = order.at("commit_date");
  return {date.is_string() ? date.get<std::string>() : "", id.get<std::string>()};
}

// Records the cells a query reads, summed per (group, clipped bucket start, key) instead of
// answering: RunKpiQuery's own reading plan (day cells, month rollups) gathers them.
class PartialCollector : public CellSource {
 public:
  PartialCollector(const CellSource& inner, const KpiQuery& q, CellMap* out)
      : inner_(inner), q_(q), out_(out) {}
  void Scan(GroupKind kind, Date from, Date to,
            const std::function<void(const CellKey&, const Cell&)>&) const override {
    inner_.Scan(kind, from, to, [this](const CellKey& k, const Cell& c) { Collect(k, c); });
  }
  bool HasMonthRollups() const override { return inner_.HasMonthRollups(); }
  void ScanMonths(GroupKind kind, Date from, Date to,
                  const std::function<void(const CellKey&, const Cell&)>&) const override {
    inner_.ScanMonths(kind, from, to, [this](const CellKey& k, const Cell& c) { Collect(k, c); });
  }

 private:
  // The cells RunKpiQuery sums, and the bucket it sums them into (kpi_query.cc).
  void Collect(const CellKey& key, const Cell& cell) const {
    if (key.kind != q_.group_by || key.date < q_.from || key.date > q_.to || cell.Empty()) return;
    if (static_cast<size_t>(key.key) >= kKpiCount) return;
    Date start = q_.bucket ? std::max(BucketStart(key.date, *q_.bucket), q_.from) : q_.from;
    (*out_)[CellKey{key.kind, key.group, start, key.key, false}].Merge(cell);
  }

  const CellSource& inner_;
  const KpiQuery& q_;
  CellMap* out_;
};

void PutLength(std::string& out, size_t n) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((n >> shift) & 0xff));
}

bool TakeBytes(std::string_view* in, std::string_view* out) {
  if (in->size() < 4) return false;
  size_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>((*in)[i]);
  if (in->size() - 4 < n) return false;
  *out = in->substr(4, n);
  in->remove_prefix(4 + n);
  return true;
}

httplib::Params KpiParams(const KpiQuery& q) {
  httplib::Params p{{"from", FormatDate(q.from)}, {"to", FormatDate(q.to)}};
  if (q.bucket) p.emplace("bucket", std::string(BucketName(*q.bucket)));
  if (q.group_by != GroupKind::kNone) p.emplace("group_by", std::string(GroupKindName(q.group_by)));
  return p;
}

httplib::Params OrdersParams(const OrderFilter& f, size_t limit, const std::string& cursor) {
  httplib::Params p{{"limit", std::to_string(limit)}, {"today", FormatDate(f.today)}};
  for (const auto& [name, value] : {std::pair{"stage", &f.stage},
                                    {"customer", &f.customer},
                                    {"merchandiser", &f.merchandiser},
                                    {"supplier", &f.supplier},
                                    {"cursor", &cursor}}) {
    if (!value->empty()) p.emplace(name, *value);
  }
  if (f.at_risk) p.emplace("at_risk", *f.at_risk ? "true" : "false");
  return p;
}

Result<OrdersPart> ParseOrdersPart(const std::string& body) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("orders") || !j["orders"].is_array()) {
    return Status::TryAgain("a peer's order list is not JSON");
  }
  OrdersPart part;
  for (Json& o : j["orders"]) part.orders.push_back(std::move(o));
  if (j.value("next_cursor", Json()).is_string()) part.next_cursor = j["next_cursor"];
  return part;
}

}  // namespace

// ---- Coverage ----------------------------------------------------------------------------

Coverage CheckCoverage(const std::vector<Ownership>& records, int64_t now_unix_ms,
                       int64_t stale_after_ms) {
  Coverage c;
  std::vector<const Ownership*> fresh;
  for (const Ownership& o : records) {
    if (now_unix_ms - o.heartbeat_unix_ms <= stale_after_ms) fresh.push_back(&o);
  }
  if (fresh.empty()) {
    c.reason = "no instance has a fresh ownership record (is a projector running?)";
    return c;
  }
  c.partition_count = fresh.front()->partition_count;
  for (const Ownership* o : fresh) {
    if (o->partition_count != c.partition_count) {
      c.partition_count = std::max(c.partition_count, o->partition_count);
      c.reason = "the instances disagree on the partition count";
    }
  }
  std::map<int32_t, int> claims;
  std::set<int32_t> busy;  // loading or unloading somewhere
  for (const Ownership* o : fresh) {
    for (int32_t p : o->partitions) ++claims[p];
    busy.insert(o->loading.begin(), o->loading.end());
    busy.insert(o->unloading.begin(), o->unloading.end());
  }
  std::vector<int32_t> unclaimed, twice, loading;
  for (int32_t p = 0; p < c.partition_count; ++p) {
    int n = claims.count(p) ? claims[p] : 0;
    if (n == 0) unclaimed.push_back(p);
    if (n > 1) twice.push_back(p);
    if (n == 1 && busy.count(p)) loading.push_back(p);
    if (n != 1 || busy.count(p)) c.missing.push_back(p);
  }
  std::string why;
  if (!unclaimed.empty()) why += "partitions not claimed: " + JoinNumbers(unclaimed) + "; ";
  if (!twice.empty()) why += "claimed twice: " + JoinNumbers(twice) + "; ";
  if (!loading.empty()) why += "loading or unloading: " + JoinNumbers(loading) + "; ";
  if (!why.empty()) {
    why.resize(why.size() - 2);
    c.reason = c.reason.empty() ? why : c.reason + "; " + why;
  }
  c.complete = c.reason.empty();
  return c;
}

std::vector<std::pair<std::string, std::string>> CoverageHeaders(const Coverage& coverage) {
  if (coverage.complete) return {};
  std::vector<std::pair<std::string, std::string>> headers{{kCoverageHeader, "partial"}};
  if (!coverage.missing.empty())
    headers.emplace_back(kMissingHeader, JoinNumbers(coverage.missing));
  return headers;
}

// ---- Orders and alerts -------------------------------------------------------------------

OrdersMerge MergeOrderPages(std::vector<OrdersPart> parts, size_t limit, bool at_risk) {
  struct Item {
    std::pair<std::string, std::string> key;
    size_t part;
    Json* order;
  };
  std::vector<Item> items;
  for (size_t i = 0; i < parts.size(); ++i) {
    for (Json& o : parts[i].orders) items.push_back({ListKey(o, at_risk), i, &o});
  }
  std::vector<std::optional<std::pair<std::string, std::string>>> part_last;
  for (const OrdersPart& part : parts) {
    part_last.push_back(part.orders.empty() ? std::nullopt
                                            : std::optional(ListKey(part.orders.back(), at_risk)));
  }
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.key < b.key; });
  OrdersMerge merge;
  const std::pair<std::string, std::string>* last = nullptr;
  for (const Item& item : items) {
    if (merge.orders.size() == limit) break;
    if (last != nullptr && item.key == *last) continue;  // one order in two stores: once
    merge.orders.push_back(std::move(*item.order));
    last = &item.key;
  }
  if (merge.orders.size() < limit || last == nullptr) return merge;  // every match is listed
  for (size_t i = 0; i < parts.size() && !merge.more; ++i) {
    // A match of the part after the page, or more matches after the part's own page.
    merge.more = (part_last[i] && *part_last[i] > *last) || !parts[i].next_cursor.empty();
  }
  return merge;
}

std::string PageCursor(const Json& last, bool at_risk) {
  auto [date, id] = ListKey(last, at_risk);
  return at_risk ? date + "/" + id : id;
}

Json OrdersBody(const std::vector<Json>& orders, const std::string& next_cursor) {
  return {{"orders", orders},
          {"next_cursor", next_cursor.empty() ? Json(nullptr) : Json(next_cursor)}};
}

Json MergeAlerts(const std::vector<Json>& parts) {
  std::vector<const Json*> all;
  for (const Json& part : parts) {
    for (const Json& a : part) all.push_back(&a);
  }
  std::stable_sort(all.begin(), all.end(), [](const Json* a, const Json* b) {
    return a->at("order_id").get_ref<const std::string&>() <
           b->at("order_id").get_ref<const std::string&>();
  });
  Json out = Json::array();
  for (const Json* a : all) out.push_back(*a);
  return out;
}

// ---- KPIs --------------------------------------------------------------------------------

CellMap KpiPartials(const CellSource& source, const KpiQuery& q) {
  CellMap out;
  if (q.from > q.to) return out;
  PartialCollector collector(source, q, &out);
  if (!q.bucket || *q.bucket == Bucket::kMonth) {
    // RunKpiQuery reads month rollups without buckets or with month buckets, and gives this
    // planning run (whose answer is dropped) one entry at most without them.
    (void)RunKpiQuery(collector, {q.from, q.to, std::nullopt, q.group_by});
  } else {
    collector.Scan(q.group_by, q.from, q.to, nullptr);  // day and week buckets read day cells
  }
  return out;
}

void MergeCells(const CellMap& part, CellMap* into) {
  for (const auto& [key, cell] : part) (*into)[key].Merge(cell);
}

std::string EncodeCells(const CellMap& cells) {
  std::string out;
  for (const auto& [key, cell] : cells) {
    std::string k = key.Encode(), c = cell.Serialize();
    PutLength(out, k.size());
    out += k;
    PutLength(out, c.size());
    out += c;
  }
  return out;
}

Result<CellMap> DecodeCells(std::string_view bytes) {
  CellMap cells;
  while (!bytes.empty()) {
    std::string_view k, c;
    if (!TakeBytes(&bytes, &k) || !TakeBytes(&bytes, &c)) {
      return Status::Fatal("KPI partials are truncated");
    }
    auto key = CellKey::Decode(k);
    if (!key) return Status::Fatal("KPI partials hold a bad cell key");
    auto cell = Cell::Parse(c);
    if (!cell.ok())
      return Status::Fatal("KPI partials hold a bad cell: " + cell.status().message());
    cells[*key].Merge(*cell);
  }
  return cells;
}

void PartialCellSource::Scan(GroupKind kind, Date from, Date to,
                             const std::function<void(const CellKey&, const Cell&)>& fn) const {
  for (auto it = cells_.lower_bound(CellKey{kind, "", from, KpiKey{}, false}); it != cells_.end();
       ++it) {
    if (it->first.month || it->first.kind != kind || it->first.date > to) break;
    fn(it->first, it->second);
  }
}

std::vector<KpiQuery> ScorecardKpiQueries(const ScorecardQuery& q) {
  std::vector<KpiQuery> queries{{q.from, q.to, std::nullopt, q.group_by}};
  if (q.compare_previous) {
    auto [from, to] = PreviousPeriod(q.from, q.to);
    queries.push_back({from, to, std::nullopt, q.group_by});
  }
  return queries;
}

std::string OwnershipHeaderValue(const ReadModelStore& store) {
  auto o = store.GetOwnership();
  return o.ok() && o->has_value() ? (*o)->Encode() : "";
}

// ---- Fan-out -----------------------------------------------------------------------------

// One peer: a pool of keep-alive clients (an httplib::Client serves one request at a time).
class ClusterQueries::Peer {
 public:
  Peer(std::string url, const ClusterOptions& options, std::string token)
      : url_(std::move(url)), timeout_(options.timeout), token_(std::move(token)) {}
  const std::string& url() const { return url_; }
  // 0: not identified yet; 1: another instance; 2: this process itself (in its own peer list).
  std::atomic<int> identity{0};

  Result<Reply> Get(const std::string& path, const httplib::Params& params, bool allow_404) {
    std::unique_ptr<httplib::Client> client = Take();
    httplib::Result r = client->Get(path, params, httplib::Headers{});
    if (!r) {
      return Status::TryAgain("peer " + url_ + " did not answer " + path + ": " +
                              httplib::to_string(r.error()));
    }
    Reply reply{r->status, std::move(r->body), std::nullopt, r->get_header_value(kServerHeader)};
    if (std::string o = r->get_header_value(kOwnershipHeader); !o.empty()) {
      auto decoded = Ownership::Decode(o);
      if (decoded.ok()) reply.ownership = std::move(*decoded);
    }
    Give(std::move(client));
    if (reply.status != 200 && !(allow_404 && reply.status == 404)) {
      return Status::TryAgain("peer " + url_ + " answered " + path + " with HTTP " +
                              std::to_string(reply.status));
    }
    return reply;
  }

 private:
  static constexpr size_t kIdleLimit = 16;

  std::unique_ptr<httplib::Client> Take() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        auto client = std::move(idle_.back());
        idle_.pop_back();
        return client;
      }
    }
    auto client = std::make_unique<httplib::Client>(url_);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout_).count();
    client->set_connection_timeout(us / 1'000'000, us % 1'000'000);
    client->set_read_timeout(us / 1'000'000, us % 1'000'000);
    client->set_write_timeout(us / 1'000'000, us % 1'000'000);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);
    if (!token_.empty()) client->set_bearer_token_auth(token_);
    return client;
  }
  void Give(std::unique_ptr<httplib::Client> client) {
    std::lock_guard lock(mu_);
    if (idle_.size() < kIdleLimit) idle_.push_back(std::move(client));
  }

  const std::string url_;
  const std::chrono::milliseconds timeout_;
  const std::string token_;
  std::mutex mu_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

namespace {
std::string RandomServerId() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(rng()));
  return id;
}
}  // namespace

ClusterQueries::ClusterQueries(const Config& config, const ReadModelStore* store)
    : store_(store), options_(config.cluster), server_id_(RandomServerId()) {
  for (const std::string& url : options_.peers) {
    peers_.push_back(std::make_unique<Peer>(url, options_, config.serve.auth_token));
  }
}

ClusterQueries::~ClusterQueries() = default;

std::vector<Result<ClusterQueries::Reply>> ClusterQueries::Ask(const std::vector<Request>& requests,
                                                               const std::function<void()>& local,
                                                               bool allow_404) {
  std::vector<std::future<Result<Reply>>> pending;
  for (const Request& r : requests) {
    Peer* peer = peers_[r.peer].get();
    pending.push_back(std::async(std::launch::async, [peer, &r, allow_404] {
      return peer->Get(r.path, r.params, allow_404);
    }));
  }
  if (local) local();
  std::vector<Result<Reply>> replies;
  for (auto& f : pending) replies.push_back(f.get());
  return replies;
}

void ClusterQueries::Identify() const {
  std::vector<std::pair<Peer*, std::future<Result<Reply>>>> pending;
  for (const auto& peer : peers_) {
    if (peer->identity.load() != 0) continue;
    Peer* p = peer.get();
    pending.emplace_back(p, std::async(std::launch::async, [p] {
                           return p->Get("/v1/internal/ownership", {}, /*allow_404=*/false);
                         }));
  }
  for (auto& [peer, reply] : pending) {
    auto r = reply.get();
    // One that does not answer stays unidentified: the request it is sent next fails loudly.
    if (r.ok() && !r->server.empty()) peer->identity = r->server == server_id_ ? 2 : 1;
  }
}

std::vector<ClusterQueries::Request> ClusterQueries::ToEveryPeer(
    const std::string& path, const httplib::Params& params) const {
  Identify();
  std::vector<Request> requests;
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (peers_[i]->identity.load() != 2) requests.push_back({i, path, params});
  }
  return requests;
}

Coverage ClusterQueries::CoverageOf(const std::vector<Request>& requests,
                                    const std::vector<Result<Reply>>& replies) const {
  std::vector<Ownership> records;
  if (auto local = store_->GetOwnership(); local.ok() && local->has_value()) {
    records.push_back(**local);
  }
  std::set<size_t> seen;
  for (size_t i = 0; i < replies.size(); ++i) {
    if (!replies[i].ok() || !replies[i]->ownership || !seen.insert(requests[i].peer).second) {
      continue;
    }
    records.push_back(*replies[i]->ownership);
  }
  return CheckCoverage(records, NowUnixMs(), options_.stale_after.count());
}

std::optional<ClusterAnswer> ClusterQueries::Failed(const std::vector<Result<Reply>>& replies) {
  for (const auto& r : replies) {
    if (!r.ok()) return ErrorAnswer(503, "peer_unavailable", r.status().message());
  }
  return std::nullopt;
}

ClusterAnswer ClusterQueries::Lookup(const std::string& internal_path, ClusterAnswer local_404) {
  auto requests = ToEveryPeer(internal_path, {});
  auto replies = Ask(requests, nullptr, /*allow_404=*/true);
  for (const auto& r : replies) {
    if (r.ok() && r->status == 200) return {200, r->body, "application/json", {}};
  }
  if (auto failed = Failed(replies)) return *failed;
  local_404.headers = CoverageHeaders(CoverageOf(requests, replies));
  return local_404;
}

ClusterAnswer ClusterQueries::Orders(const OrdersQuery& q) {
  const bool at_risk = q.filter.at_risk == true;
  auto requests = ToEveryPeer("/v1/internal/orders", OrdersParams(q.filter, q.limit, q.cursor));
  Result<OrderPage> local = OrderPage{};
  auto replies = Ask(requests, [&] { local = store_->List(q.filter, q.limit, q.cursor); });
  if (!local.ok()) return StatusAnswer(local.status());
  if (auto failed = Failed(replies)) return *failed;
  std::vector<OrdersPart> parts(1);
  for (const auto& o : local->orders) parts[0].orders.push_back(StatusJson(o));
  parts[0].next_cursor = local->next_cursor;
  for (const auto& r : replies) {
    auto part = ParseOrdersPart(r->body);
    if (!part.ok()) return ErrorAnswer(503, "peer_unavailable", part.status().message());
    parts.push_back(std::move(*part));
  }
  OrdersMerge merge = MergeOrderPages(std::move(parts), q.limit, at_risk);
  std::string cursor = merge.more ? PageCursor(merge.orders.back(), at_risk) : "";
  return JsonAnswer(OrdersBody(merge.orders, cursor), CoverageOf(requests, replies));
}

ClusterAnswer ClusterQueries::Alerts() {
  auto requests = ToEveryPeer("/v1/internal/alerts", {});
  Result<std::vector<v1::Alert>> local = std::vector<v1::Alert>{};
  auto replies = Ask(requests, [&] { local = store_->OpenAlerts(); });
  if (!local.ok()) return StatusAnswer(local.status());
  if (auto failed = Failed(replies)) return *failed;
  std::vector<Json> parts(1, Json::array());
  for (const auto& a : *local) parts[0].push_back(AlertJson(a));
  for (const auto& r : replies) {
    Json j = Json::parse(r->body, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || !j.contains("alerts") || !j["alerts"].is_array()) {
      return ErrorAnswer(503, "peer_unavailable", "a peer's alert list is not JSON");
    }
    parts.push_back(std::move(j["alerts"]));
  }
  return JsonAnswer({{"alerts", MergeAlerts(parts)}}, CoverageOf(requests, replies));
}

std::optional<ClusterAnswer> ClusterQueries::GatherPartials(const std::vector<KpiQuery>& queries,
                                                            CellMap* cells, Coverage* coverage) {
  std::vector<Request> requests;
  for (const KpiQuery& q : queries) {
    for (Request& r : ToEveryPeer("/v1/internal/kpi_partials", KpiParams(q))) {
      requests.push_back(std::move(r));
    }
  }
  auto replies = Ask(requests, [&] {
    for (const KpiQuery& q : queries) MergeCells(KpiPartials(*store_, q), cells);
  });
  if (auto failed = Failed(replies)) return failed;
  for (const auto& r : replies) {
    auto part = DecodeCells(r->body);
    if (!part.ok()) return ErrorAnswer(503, "peer_unavailable", part.status().message());
    MergeCells(*part, cells);
  }
  *coverage = CoverageOf(requests, replies);
  return std::nullopt;
}

ClusterAnswer ClusterQueries::Kpis(const KpiQuery& q) {
  CellMap cells;
  Coverage coverage;
  if (auto failed = GatherPartials({q}, &cells, &coverage)) return *failed;
  return JsonAnswer(RunKpiQuery(PartialCellSource(std::move(cells)), q), coverage);
}

ClusterAnswer ClusterQueries::Scorecards(const Scorecard& card, const ScorecardQuery& q) {
  CellMap cells;
  Coverage coverage;
  if (auto failed = GatherPartials(ScorecardKpiQueries(q), &cells, &coverage)) return *failed;
  return JsonAnswer(RunScorecardQuery(PartialCellSource(std::move(cells)), card, q), coverage);
}

Json ClusterQueries::Readiness(bool* ready) {
  auto requests = ToEveryPeer("/v1/internal/ownership", {});
  auto replies = Ask(requests, nullptr);
  Coverage coverage = CoverageOf(requests, replies);
  std::string reason = coverage.reason;
  for (const auto& r : replies) {
    if (!r.ok()) reason = r.status().message();
  }
  *ready = reason.empty();
  return {{"complete", coverage.complete},
          {"peers", peers_.size()},
          {"partition_count", coverage.partition_count},
          {"missing_partitions", coverage.missing},
          {"reason", reason.empty() ? Json(nullptr) : Json(reason)}};
}

}  // namespace gendan

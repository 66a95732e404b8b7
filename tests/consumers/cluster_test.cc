// Several `gendan serve` instances (consumers/cluster.h): the merge functions against a single
// source holding everything, then real QueryApi servers over stores that each hold some
// partitions, whose every /v1 answer must equal, byte for byte, a server over one store holding
// all of them.
#include "consumers/cluster.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "consumers/query_api.h"
#include "engine/decide.h"
#include "engine/order_state.h"
#include "projections/projector.h"
#include "tests/engine/history_generator.h"
#include "tests/engine/test_events.h"

namespace gendan {
namespace {

using Json = nlohmann::json;
constexpr char kToken[] = "cluster-t0ken-0123456789";
constexpr int32_t kPartitions = 6;
constexpr std::chrono::milliseconds kStaleAfter{std::chrono::minutes(10)};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Ownership Claim(const std::string& instance, std::vector<int32_t> partitions,
                int64_t heartbeat = NowMs()) {
  Ownership o;
  o.instance = instance;
  o.partitions = std::move(partitions);
  o.partition_count = kPartitions;
  o.assigned_unix_ms = heartbeat;
  o.heartbeat_unix_ms = heartbeat;
  return o;
}

// ---- Config -------------------------------------------------------------------------------

TEST(ClusterConfigTest, PeersAreCommaSeparatedBaseUrls) {
  Config c;
  ASSERT_TRUE(ApplyConfigText(&c,
                              "cluster.peers = http://10.0.0.2:8080, http://gendan-1:8081\n"
                              "cluster.timeout_ms = 500\ncluster.stale_after_ms = 3000\n",
                              "g.conf")
                  .ok());
  EXPECT_EQ(c.cluster.peers,
            (std::vector<std::string>{"http://10.0.0.2:8080", "http://gendan-1:8081"}));
  EXPECT_EQ(c.cluster.timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(c.cluster.stale_after, std::chrono::milliseconds(3000));
  ASSERT_TRUE(ApplyConfigText(&c, "cluster.peers =\n", "g.conf").ok());
  EXPECT_TRUE(c.cluster.peers.empty());  // a single instance
  for (const char* bad : {"cluster.peers = 10.0.0.2:8080", "cluster.peers = http://h:80/v1",
                          "cluster.peers = http://h:0", "cluster.peers = http://h:1,,http://g:2",
                          "cluster.peers = http://h:1,http://h:1", "cluster.timeout_ms = 0"}) {
    Status s = ApplyConfigText(&c, std::string("\n") + bad + "\n", "g.conf");
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.message().rfind("g.conf:2: cluster.", 0), 0u) << s.message();
  }
}

// ---- Coverage ----------------------------------------------------------------------------

// Invariant: complete exactly when fresh, settled claims cover every partition once.
TEST(ClusterCoverageTest, CompleteOnlyWhenFreshClaimsCoverEveryPartitionOnce) {
  const int64_t now = NowMs();
  Coverage c =
      CheckCoverage({Claim("a", {0, 1}), Claim("b", {2, 3}), Claim("c", {4, 5})}, now, 10'000);
  EXPECT_TRUE(c.complete) << c.reason;
  EXPECT_TRUE(CoverageHeaders(c).empty());

  c = CheckCoverage({Claim("a", {0, 1}), Claim("b", {2, 3})}, now, 10'000);
  EXPECT_FALSE(c.complete);
  EXPECT_EQ(c.missing, (std::vector<int32_t>{4, 5}));
  EXPECT_EQ(c.reason, "partitions not claimed: 4,5");
  auto headers = CoverageHeaders(c);
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0], std::make_pair(std::string(kCoverageHeader), std::string("partial")));
  EXPECT_EQ(headers[1], std::make_pair(std::string(kMissingHeader), std::string("4,5")));

  // A stale record does not count; a doubly claimed partition is not served once.
  c = CheckCoverage({Claim("a", {0, 1, 2}), Claim("b", {2, 3}), Claim("c", {4, 5}, now - 60'000)},
                    now, 10'000);
  EXPECT_EQ(c.missing, (std::vector<int32_t>{2, 4, 5}));
  EXPECT_EQ(c.reason, "partitions not claimed: 4,5; claimed twice: 2");

  // Loading (still replaying) or unloading anywhere: that partition's orders are incomplete or
  // in two stores.
  Ownership loading = Claim("a", {0, 1});
  loading.loading = {1};
  Ownership unloading = Claim("c", {4, 5});
  unloading.unloading = {3};
  c = CheckCoverage({loading, Claim("b", {2, 3}), unloading}, now, 10'000);
  EXPECT_EQ(c.missing, (std::vector<int32_t>{1, 3}));

  c = CheckCoverage({}, now, 10'000);
  EXPECT_FALSE(c.complete);
  EXPECT_TRUE(c.missing.empty());
  EXPECT_EQ(CoverageHeaders(c).size(), 1u);
}

// ---- Order lists -------------------------------------------------------------------------

Json Order(const std::string& id, const std::string& commit = "2024-03-01") {
  return {{"order_id", id}, {"commit_date", commit}};
}

std::vector<std::string> Ids(const std::vector<Json>& orders) {
  std::vector<std::string> ids;
  for (const Json& o : orders) ids.push_back(o["order_id"]);
  return ids;
}

// Invariant: the merged page is the first `limit` of the union; next_cursor is set exactly when a
// further match follows it (the rule of a single store).
TEST(ClusterOrdersMergeTest, TakesTheFirstLimitAndKnowsWhetherMoreFollow) {
  // Part 0 is full and has more; part 1 ends before the page does.
  OrdersMerge m = MergeOrderPages(
      {{{Order("A"), Order("C"), Order("E")}, "E"}, {{Order("B"), Order("D")}, ""}}, 3, false);
  EXPECT_EQ(Ids(m.orders), (std::vector<std::string>{"A", "B", "C"}));
  EXPECT_TRUE(m.more);  // E comes after C
  EXPECT_EQ(PageCursor(m.orders.back(), false), "C");

  // The page ends on part 0's last item: more only if part 0 said a match follows.
  m = MergeOrderPages({{{Order("A"), Order("B")}, "B"}, {{}, ""}}, 2, false);
  EXPECT_TRUE(m.more);
  m = MergeOrderPages({{{Order("A"), Order("B")}, ""}, {{}, ""}}, 2, false);
  EXPECT_FALSE(m.more);
  // A part whose page is not full but says more follows (its next page) counts too.
  m = MergeOrderPages({{{Order("A"), Order("B")}, ""}, {{Order("0")}, "0"}}, 2, false);
  EXPECT_EQ(Ids(m.orders), (std::vector<std::string>{"0", "A"}));
  EXPECT_TRUE(m.more);

  // Fewer matches than the limit: the last page.
  m = MergeOrderPages({{{Order("A")}, ""}, {{Order("B")}, ""}}, 5, false);
  EXPECT_EQ(Ids(m.orders), (std::vector<std::string>{"A", "B"}));
  EXPECT_FALSE(m.more);

  // at_risk=true: commit date first; the cursor is "<date>/<id>".
  m = MergeOrderPages({{{Order("Z", "2024-01-02"), Order("A", "2024-01-05")}, "2024-01-05/A"},
                       {{Order("M", "2024-01-03")}, ""}},
                      2, true);
  EXPECT_EQ(Ids(m.orders), (std::vector<std::string>{"Z", "M"}));
  EXPECT_TRUE(m.more);
  EXPECT_EQ(PageCursor(m.orders.back(), true), "2024-01-03/M");
}

TEST(ClusterAlertsMergeTest, MergesInOrderIdOrderKeepingEachOrdersAlerts) {
  Json a = Json::array({{{"order_id", "A"}, {"n", 1}},
                        {{"order_id", "A"}, {"n", 2}},
                        {{"order_id", "D"}, {"n", 3}}});
  Json b = Json::array({{{"order_id", "B"}, {"n", 4}}, {{"order_id", "E"}, {"n", 5}}});
  Json merged = MergeAlerts({a, b});
  std::vector<int> order;
  for (const Json& x : merged) order.push_back(x["n"]);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 4, 3, 5}));
}

// ---- Generated order books ---------------------------------------------------------------

// Accepted events of `orders` generated histories, per order.
std::vector<std::vector<v1::OrderEvent>> Book(int orders, uint64_t seed) {
  test::HistoryGenerator gen(seed);
  DecideOptions options = test::TestOptions();
  std::vector<std::vector<v1::OrderEvent>> book;
  for (int i = 0; i < orders; ++i) {
    std::string id = "ORD-" + std::to_string(1000 + (i * 7919) % 9000);
    auto& events = book.emplace_back();
    OrderState state;
    for (const v1::InboundEvent& in : gen.Next(id)) {
      Decision d = Decide(state, in, options);
      auto* accepted = std::get_if<Accepted>(&d);
      if (accepted == nullptr) continue;
      Evolve(state, accepted->event);
      events.push_back(accepted->event);
    }
  }
  return book;
}

int32_t PartitionOf(const std::string& order_id) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (char c : order_id) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return static_cast<int32_t>(h % kPartitions);
}

// Hides a source's month rollups: a store built before them answers from day cells.
class DayCellsOnly : public CellSource {
 public:
  explicit DayCellsOnly(const CellSource& inner) : inner_(inner) {}
  void Scan(GroupKind kind, Date from, Date to,
            const std::function<void(const CellKey&, const Cell&)>& fn) const override {
    inner_.Scan(kind, from, to, fn);
  }

 private:
  const CellSource& inner_;
};

std::vector<KpiQuery> KpiQueries() {
  std::vector<KpiQuery> queries;
  const std::vector<std::pair<std::string, std::string>> ranges = {{"2024-01-01", "2024-12-31"},
                                                                   {"2024-02-15", "2024-07-03"},
                                                                   {"2023-12-20", "2025-01-10"},
                                                                   {"2024-03-01", "2024-03-31"},
                                                                   {"2024-04-10", "2024-04-10"}};
  for (const auto& [from, to] : ranges) {
    for (std::optional<Bucket> bucket :
         {std::optional<Bucket>(), std::optional(Bucket::kDay), std::optional(Bucket::kWeek),
          std::optional(Bucket::kMonth)}) {
      for (GroupKind g : kAllGroupKinds) {
        queries.push_back({*ParseDate(from), *ParseDate(to), bucket, g});
      }
    }
  }
  return queries;
}

// Invariant: the partials of a split of the orders, merged, answer every KPI query and
// scorecard exactly as the cells of all orders do — also when one part has no month rollups.
TEST(ClusterKpiTest, PartialsOfASplitAnswerLikeTheWhole) {
  auto book = Book(120, 7);
  KpiOptions options;
  MemoryCellSource whole, even, odd;
  for (size_t i = 0; i < book.size(); ++i) {
    OrderFacts facts;
    for (const v1::OrderEvent& e : book[i]) {
      CellMap delta;
      ApplyEventDelta(facts, e, options, &delta);
      whole.Apply(delta);
      (i % 2 == 0 ? even : odd).Apply(delta);
    }
  }
  DayCellsOnly odd_days(odd);
  for (const KpiQuery& q : KpiQueries()) {
    CellMap merged;
    MergeCells(KpiPartials(even, q), &merged);
    auto sent = DecodeCells(EncodeCells(KpiPartials(odd_days, q)));  // as a peer sends them
    ASSERT_TRUE(sent.ok()) << sent.status().message();
    MergeCells(*sent, &merged);
    ASSERT_EQ(RunKpiQuery(PartialCellSource(merged), q).dump(), RunKpiQuery(whole, q).dump())
        << FormatDate(q.from) << ".." << FormatDate(q.to) << " " << GroupKindName(q.group_by);
  }
  for (GroupKind g : kAllGroupKinds) {
    ScorecardQuery q{*ParseDate("2024-03-01"), *ParseDate("2024-05-20"), g, true};
    CellMap merged;
    for (const KpiQuery& kq : ScorecardKpiQueries(q)) {
      MergeCells(KpiPartials(even, kq), &merged);
      MergeCells(KpiPartials(odd, kq), &merged);
    }
    EXPECT_EQ(RunScorecardQuery(PartialCellSource(merged), DefaultScorecard(), q).dump(),
              RunScorecardQuery(whole, DefaultScorecard(), q).dump());
  }
}

TEST(ClusterKpiTest, DecodeRefusesDamagedPartials) {
  CellMap cells;
  Contribution c{KpiKey::kOtifRate, *ParseDate("2024-01-05"), 1, 1, std::nullopt, ""};
  cells[CellKey{GroupKind::kNone, "", c.date, c.key, false}].Add(c, 1);
  std::string bytes = EncodeCells(cells);
  auto back = DecodeCells(bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, cells);
  EXPECT_FALSE(DecodeCells(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(DecodeCells(std::string_view("\x00\x00\x00\x01x", 5)).ok());
}

// ---- Several query APIs over real stores -------------------------------------------------

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct Instance {
  std::unique_ptr<ReadModelStore> store;
  std::unique_ptr<QueryApi> api;
  std::string url;
};

// Three instances owning partitions {0,1}, {2,3}, {4,5} with peers pointing at each other, and
// one instance holding every partition alone.
class ClusterApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                      ("gendan-cluster-" + std::to_string(getpid())));
    std::filesystem::remove_all(*root_);
    instances_ = new std::vector<Instance>(4);  // 0..2 the cluster, 3 the single store
    auto& in = *instances_;
    for (size_t i = 0; i < in.size(); ++i) {
      auto store = ReadModelStore::OpenWriter((*root_ / ("store" + std::to_string(i))).string());
      ASSERT_TRUE(store.ok()) << store.status().message();
      in[i].store = std::move(*store);
      in[i].url = "http://127.0.0.1:" + std::to_string(FreePort());
    }
    Fill();
    for (size_t i = 0; i < in.size(); ++i) {
      Config config;
      config.serve.listen = in[i].url.substr(7);
      config.serve.auth_token = kToken;
      config.cluster.stale_after = kStaleAfter;  // no projector refreshes the heartbeats here
      for (size_t j = 0; i < 3 && j < 3; ++j) {
        if (j != i) config.cluster.peers.push_back(in[j].url);
      }
      in[i].api = std::make_unique<QueryApi>(config, in[i].store.get(), MetricsSources{},
                                             [] { return int64_t{0}; });
      ASSERT_TRUE(in[i].api->Start().ok());
    }
  }
  static void TearDownTestSuite() {
    for (auto& i : *instances_) i.api->Stop();
    delete instances_;
    std::filesystem::remove_all(*root_);
    delete root_;
  }

  // Every order's events, into the store owning its partition and into the single store, at
  // the same (partition, offset).
  static void Fill() {
    auto& in = *instances_;
    ProjectionOptions options;
    options.now = [] { return test::HistoryGenerator::Now(); };
    std::vector<std::unique_ptr<ProjectionBatch>> batches;
    for (auto& i : in) batches.push_back(std::make_unique<ProjectionBatch>(*i.store, options));
    std::vector<int64_t> offsets(kPartitions, 0);
    for (const auto& events : Book(240, 11)) {
      const std::string& id = events.front().order_id();
      const int32_t p = PartitionOf(id);
      ids_->push_back(id);
      for (const v1::OrderEvent& e : events) {
        for (size_t target : {size_t(p / 2), size_t{3}}) {
          ASSERT_TRUE(batches[target]->Apply(e, p, offsets[p]).ok());
        }
        ++offsets[p];
      }
    }
    for (auto& b : batches) ASSERT_TRUE(b->Commit().ok());
    for (int32_t i = 0; i < 3; ++i) {
      ASSERT_TRUE(
          in[i].store->PutOwnership(Claim("p" + std::to_string(i), {2 * i, 2 * i + 1})).ok());
    }
    ASSERT_TRUE(in[3].store->PutOwnership(Claim("all", {0, 1, 2, 3, 4, 5})).ok());
  }

  struct Got {
    int status = 0;
    std::string body;
    std::string coverage;
  };
  static Got Get(size_t instance, const std::string& path) {
    httplib::Client client((*instances_)[instance].url);
    client.set_bearer_token_auth(kToken);
    client.set_read_timeout(10, 0);
    auto r = client.Get(path.c_str());
    if (!r) return {-1, httplib::to_string(r.error()), ""};
    return {r->status, r->body, r->get_header_value(kCoverageHeader)};
  }
  // The single store's answer, and the same from every cluster instance; returns it.
  static Got ExpectSame(const std::string& path) {
    Got single = Get(3, path);
    for (size_t i = 0; i < 3; ++i) {
      Got got = Get(i, path);
      EXPECT_EQ(got.status, single.status) << path << " from instance " << i << ": " << got.body;
      EXPECT_EQ(got.body, single.body) << path << " from instance " << i;
      EXPECT_EQ(got.coverage, "") << path << " from instance " << i;
    }
    return single;
  }

  static std::filesystem::path* root_;
  static std::vector<Instance>* instances_;
  static std::vector<std::string>* ids_;
};
std::filesystem::path* ClusterApiTest::root_ = nullptr;
std::vector<Instance>* ClusterApiTest::instances_ = nullptr;
std::vector<std::string>* ClusterApiTest::ids_ = new std::vector<std::string>();

// Invariant: every instance finds every order and its events, and 404s alike.
TEST_F(ClusterApiTest, LookupsFindTheOwnerFromAnyInstance) {
  for (size_t i = 0; i < ids_->size(); i += 9) {
    EXPECT_EQ(ExpectSame("/v1/orders/" + (*ids_)[i]).status, 200);
    EXPECT_EQ(ExpectSame("/v1/orders/" + (*ids_)[i] + "/events").status, 200);
  }
  EXPECT_EQ(ExpectSame("/v1/orders/NO-SUCH-ORDER").status, 404);
  EXPECT_EQ(ExpectSame("/v1/orders/NO-SUCH-ORDER/events").status, 404);
}

// Invariant: every filter, paged through to the end at several limits, gives the single
// store's pages and cursors.
TEST_F(ClusterApiTest, ListsPageLikeOneStore) {
  const std::vector<std::string> filters = {"",
                                            "stage=CLOSED",
                                            "stage=CANCELLED",
                                            "stage=SHIPPING",
                                            "customer=cust-3",
                                            "merchandiser=merch-2",
                                            "supplier=sup-5",
                                            "at_risk=true",
                                            "at_risk=false",
                                            "customer=cust-7&stage=CLOSED",
                                            "merchandiser=merch-1&at_risk=false",
                                            "merchandiser=merch-4&at_risk=true",
                                            "supplier=sup-2&merchandiser=merch-3&stage=DELIVERED"};
  for (const std::string& filter : filters) {
    for (int limit : {1, 7, 50, 1000}) {
      std::string cursor;
      size_t listed = 0;
      for (int page = 0; page < 300; ++page) {
        std::string path = "/v1/orders?limit=" + std::to_string(limit) +
                           (filter.empty() ? "" : "&" + filter) +
                           (cursor.empty() ? "" : "&cursor=" + cursor);
        Got got = ExpectSame(path);
        ASSERT_EQ(got.status, 200) << path << ": " << got.body;
        Json body = Json::parse(got.body);
        listed += body["orders"].size();
        if (body["next_cursor"].is_null()) break;
        cursor = body["next_cursor"];
      }
      if (filter.empty()) {
        EXPECT_EQ(listed, ids_->size());
      }
    }
  }
}

TEST_F(ClusterApiTest, AlertsKpisAndScorecardsMergeLikeOneStore) {
  Got alerts = ExpectSame("/v1/alerts");
  EXPECT_GT(Json::parse(alerts.body)["alerts"].size(), 0u);
  EXPECT_EQ(ExpectSame("/v1/alerts?open=true").status, 200);
  for (const KpiQuery& q : KpiQueries()) {
    std::string path = "/v1/kpis?from=" + FormatDate(q.from) + "&to=" + FormatDate(q.to);
    if (q.bucket) path += "&bucket=" + std::string(BucketName(*q.bucket));
    if (q.group_by != GroupKind::kNone)
      path += "&group_by=" + std::string(GroupKindName(q.group_by));
    EXPECT_EQ(ExpectSame(path).status, 200) << path;
  }
  for (const char* group : {"merchandiser", "customer", "supplier", "department"}) {
    for (const char* compare : {"false", "true"}) {
      std::string path = std::string("/v1/scorecards?from=2024-02-01&to=2024-06-30&group_by=") +
                         group + "&compare_previous=" + compare;
      EXPECT_EQ(ExpectSame(path).status, 200) << path;
    }
  }
  EXPECT_EQ(ExpectSame("/v1/kpis?from=2024-01-01").status, 400);  // errors alike too
}

// Invariant: a partition nobody serves (here: a stale heartbeat) is reported on every merged
// answer and by /readyz, and the answer still comes.
TEST_F(ClusterApiTest, PartialCoverageIsReportedNotHidden) {
  Got ready = Get(0, "/readyz");
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_TRUE(Json::parse(ready.body)["cluster"]["complete"].get<bool>());

  auto& c = (*instances_)[2];
  ASSERT_TRUE(c.store->PutOwnership(Claim("p2", {4, 5}, NowMs() - 2 * kStaleAfter.count())).ok());
  Got kpis = Get(0, "/v1/kpis?from=2024-01-01&to=2024-12-31");
  EXPECT_EQ(kpis.status, 200);
  EXPECT_EQ(kpis.coverage, "partial");
  Got lookup = Get(1, "/v1/orders/NO-SUCH-ORDER");
  EXPECT_EQ(lookup.status, 404);
  EXPECT_EQ(lookup.coverage, "partial");
  ready = Get(0, "/readyz");
  EXPECT_EQ(ready.status, 503);
  Json cluster = Json::parse(ready.body)["cluster"];
  EXPECT_EQ(cluster["missing_partitions"], Json::array({4, 5})) << ready.body;
  EXPECT_EQ(cluster["reason"], "partitions not claimed: 4,5");
  ASSERT_TRUE(c.store->PutOwnership(Claim("p2", {4, 5})).ok());
  EXPECT_EQ(Get(0, "/v1/kpis?from=2024-01-01&to=2024-12-31").coverage, "");
}

// Invariant: an instance whose cluster.peers names itself too (one list for every instance, as
// a StatefulSet's shared config has) finds itself and does not count its own store twice.
TEST_F(ClusterApiTest, AnInstanceInItsOwnPeerListCountsItselfOnce) {
  Config config;
  const std::string self = "http://127.0.0.1:" + std::to_string(FreePort());
  config.serve.listen = self.substr(7);
  config.serve.auth_token = kToken;
  config.cluster.stale_after = kStaleAfter;
  config.cluster.peers = {(*instances_)[1].url, self, (*instances_)[2].url};
  ReadModelStore* store = (*instances_)[0].store.get();
  QueryApi api(config, store, MetricsSources{}, [] { return int64_t{0}; });
  ASSERT_TRUE(api.Start().ok());
  httplib::Client client(self);
  client.set_bearer_token_auth(kToken);
  for (const char* path : {"/v1/kpis?from=2024-01-01&to=2024-12-31&group_by=merchandiser",
                           "/v1/alerts", "/v1/orders?limit=1000"}) {
    auto r = client.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->body, Get(3, path).body) << path;
  }
  api.Stop();
}

// Invariant: a peer that does not answer fails merged answers with a 503 naming it — never a
// silently partial sum — while lookups this store answers itself still work.
TEST_F(ClusterApiTest, APeerThatDoesNotAnswerIsA503NamingIt) {
  Config config;
  config.serve.listen = "127.0.0.1:0";
  config.serve.auth_token = kToken;
  const std::string dead = "http://127.0.0.1:" + std::to_string(FreePort());
  config.cluster.peers = {(*instances_)[1].url, dead};
  config.cluster.timeout = std::chrono::milliseconds(500);
  config.cluster.stale_after = kStaleAfter;
  QueryApi api(config, (*instances_)[0].store.get(), MetricsSources{}, [] { return int64_t{0}; });
  ASSERT_TRUE(api.Start().ok());
  httplib::Client client("127.0.0.1", api.port());
  client.set_bearer_token_auth(kToken);
  for (const char* path :
       {"/v1/kpis?from=2024-01-01&to=2024-01-31", "/v1/alerts", "/v1/orders",
        "/v1/scorecards?from=2024-01-01&to=2024-01-31", "/v1/orders/NO-SUCH-ORDER"}) {
    auto r = client.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 503) << path;
    Json body = Json::parse(r->body);
    EXPECT_EQ(body["error"]["code"], "peer_unavailable") << path;
    EXPECT_NE(body["error"]["message"].get<std::string>().find(dead), std::string::npos);
  }
  auto ready = client.Get("/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503);
  api.Stop();
}

}  // namespace
}  // namespace gendan

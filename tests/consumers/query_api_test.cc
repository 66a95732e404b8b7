// The query API under hostile input over real HTTP (no broker: an empty read-model store): a
// burst of garbage request lines, oversized lines and headers, bad parameters, malformed order
// ids and bad tokens each get a JSON error with the right status, and the server keeps
// answering. Run under the ASan build too (GENDAN_SANITIZE=ON), where a leak or overflow fails.
#include "consumers/query_api.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "consumers/http_guard.h"
#include "consumers/query_params.h"
#include "engine/decide.h"
#include "projections/projector.h"
#include "tests/engine/history_generator.h"
#include "tests/engine/test_events.h"

namespace gendan {
namespace {

// The events the engine records for the next generated history, as `order_id`.
std::vector<v1::OrderEvent> Recorded(test::HistoryGenerator& gen, const std::string& order_id) {
  OrderState state;
  std::vector<v1::OrderEvent> events;
  for (Decision& d : test::Replay(state, gen.Next(order_id))) {
    if (auto* accepted = std::get_if<Accepted>(&d)) events.push_back(std::move(accepted->event));
  }
  return events;
}

using Json = nlohmann::json;
constexpr char kToken[] = "s3cr3t-t0ken-0123456789";

// True once `response` holds its headers and the Content-Length bytes of body they announce.
bool Complete(const std::string& response) {
  size_t end = response.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  size_t at = response.find("Content-Length: ");
  if (at == std::string::npos || at > end) return true;
  return response.size() >= end + 4 + std::stoul(response.substr(at + 16));
}

// Sends `request` as raw bytes and returns everything the server answers before it closes or
// goes quiet for 3 s.
std::string Raw(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    for (size_t sent = 0; sent < request.size();) {
      ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    // No shutdown(SHUT_WR): httplib drops a half-closed connection without answering.
    char buf[4096];
    for (ssize_t n; !Complete(out) && (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) {
      out.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

struct Answer {
  int status = 0;
  Json body;
};

// The status line's code and the body parsed as JSON (null when it is not JSON).
Answer Parse(const std::string& response) {
  Answer a;
  if (response.rfind("HTTP/1.1 ", 0) == 0) a.status = std::atoi(response.c_str() + 9);
  size_t body = response.find("\r\n\r\n");
  if (body != std::string::npos) {
    a.body = Json::parse(response.substr(body + 4), nullptr, /*allow_exceptions=*/false);
  }
  return a;
}

class QueryApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("query_api_test." + std::to_string(::getpid()) + "." +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto store = ReadModelStore::OpenWriter((dir_ / "models").string());
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(*store);
  }
  void TearDown() override {
    api_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Start(const std::string& token) {
    Config c;
    c.serve.listen = "127.0.0.1:0";
    c.serve.auth_token = token;
    api_ = std::make_unique<QueryApi>(c, store_.get(), MetricsSources{}, [] { return 0; });
    ASSERT_TRUE(api_->Start().ok());
  }
  // A GET with the given extra header lines, answered as (status, JSON).
  Answer Get(const std::string& target, const std::string& headers = "") {
    return Parse(Raw(api_->port(), "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + headers +
                                       "Connection: close\r\n\r\n"));
  }
  std::filesystem::path dir_;
  std::unique_ptr<ReadModelStore> store_;
  std::unique_ptr<QueryApi> api_;
};

std::string Headers(int n, size_t value_size) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += "X-H" + std::to_string(i) + ": " + std::string(value_size, 'v') + "\r\n";
  return out;
}

// Every malformed request gets its JSON error, twenty times over, and the server still answers.
TEST_F(QueryApiTest, BurstOfMalformedRequestsGetsJsonErrorsAndServerKeepsAnswering) {
  Start(kToken);
  const std::string auth = std::string("Authorization: Bearer ") + kToken + "\r\n";
  struct Case {
    std::string name;
    std::string raw;  // a whole request, or empty to GET `target` with `headers`
    std::string target, headers;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"garbage request line", "GARBAGE\r\n\r\n", "", "", 400, "bad_request"},
      {"binary request line", std::string("\x00\xff\xfe\x01 / HTTP/1.1\r\n\r\n", 19), "", "", 400,
       "bad_request"},
      {"unknown HTTP version", "GET /healthz HTTP/7.0\r\n\r\n", "", "", 400, "bad_request"},
      {"request line over 8 KiB",
       "GET /v1/orders?cursor=" + std::string(9000, 'c') + " HTTP/1.1\r\n\r\n", "", "", 414,
       "uri_too_long"},
      {"header line over 8 KiB", "", "/healthz", "X-Big: " + std::string(9000, 'h') + "\r\n", 400,
       "bad_request"},
      {"100 headers", "", "/healthz", Headers(100, 10), 431, "headers_too_large"},
      {"20 KiB of headers", "", "/healthz", Headers(20, 1000), 431, "headers_too_large"},
      {"GET with a body", "GET /healthz HTTP/1.1\r\nContent-Length: 1000000\r\n\r\nxx", "", "", 413,
       "payload_too_large"},
      {"chunked GET", "GET /healthz HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "",
       "", 413, "payload_too_large"},
      {"POST", "POST /v1/orders HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", "", "", 405,
       "method_not_allowed"},
      {"POST of 100 MB (refused unread)",
       "POST /v1/orders HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n{}", "", "", 405,
       "method_not_allowed"},
      {"unknown path", "", "/nope", auth, 404, "not_found"},
      {"order id with a space", "", "/v1/orders/bad%20id", auth, 400, "invalid_order_id"},
      {"order id of 65", "", "/v1/orders/" + std::string(65, 'o'), auth, 400, "invalid_order_id"},
      {"order id events, bad id", "", "/v1/orders/%FF%FE/events", auth, 400, "invalid_order_id"},
      {"kpis without dates", "", "/v1/kpis", auth, 400, "missing_parameter"},
      {"kpis with a bad date", "", "/v1/kpis?from=2024-02-30&to=2024-03-01", auth, 400,
       "invalid_parameter"},
      {"kpis with invalid UTF-8", "", "/v1/kpis?from=%FF%FE&to=2024-03-01", auth, 400,
       "invalid_parameter"},
      {"kpis backwards", "", "/v1/kpis?from=2024-03-01&to=2024-01-01", auth, 400,
       "invalid_parameter"},
      {"orders limit 0", "", "/v1/orders?limit=0", auth, 400, "invalid_parameter"},
      {"orders limit huge", "", "/v1/orders?limit=99999999999999999999", auth, 400,
       "invalid_parameter"},
      {"orders unknown parameter", "", "/v1/orders?limt=5", auth, 400, "invalid_parameter"},
      {"orders repeated limit", "", "/v1/orders?limit=1&limit=2", auth, 400, "invalid_parameter"},
      {"orders cursor with NUL", "", "/v1/orders?cursor=a%00b", auth, 400, "invalid_parameter"},
      {"orders stage unspecified", "", "/v1/orders?stage=STAGE_UNSPECIFIED", auth, 400,
       "invalid_parameter"},
      {"alerts open=false", "", "/v1/alerts?open=false", auth, 400, "invalid_parameter"},
      {"no token", "", "/v1/alerts", "", 401, "unauthorized"},
      {"basic auth", "", "/v1/alerts", "Authorization: Basic dXNlcjpwYXNz\r\n", 401,
       "unauthorized"},
      {"wrong token", "", "/v1/alerts", "Authorization: Bearer s3cr3t-t0ken-0123456788\r\n", 401,
       "unauthorized"},
      {"token prefix", "", "/v1/alerts", "Authorization: Bearer s3cr3t\r\n", 401, "unauthorized"},
      {"metrics without token", "", "/metrics", "", 401, "unauthorized"},
  };
  for (int round = 0; round < 20; ++round) {
    for (const Case& c : cases) {
      Answer a = c.raw.empty() ? Get(c.target, c.headers) : Parse(Raw(api_->port(), c.raw));
      ASSERT_EQ(a.status, c.status) << c.name << " (round " << round << ")";
      ASSERT_TRUE(a.body.is_object() && a.body["error"]["code"] == c.code)
          << c.name << ": " << a.body.dump();
      ASSERT_TRUE(a.body["error"]["message"].is_string()) << c.name;
    }
  }
  // Still serving, with and without a token where one is needed.
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/readyz").status, 200);
  Answer alerts = Get("/v1/alerts?open=true", auth);
  EXPECT_EQ(alerts.status, 200) << alerts.body.dump();
  EXPECT_TRUE(alerts.body["alerts"].is_array());
  EXPECT_EQ(Get("/v1/orders?limit=5&stage=SHIPPING", auth).status, 200);
  EXPECT_EQ(Get("/v1/kpis?from=2024-01-01&to=2024-01-31", auth).status, 200);
  EXPECT_EQ(Get("/metrics", "authorization: bearer " + std::string(kToken) + "\r\n").status, 200);
}

// Without a configured token every route is open, as before.
TEST_F(QueryApiTest, NoTokenConfiguredMeansOpen) {
  Start("");
  EXPECT_EQ(Get("/v1/alerts").status, 200);
  EXPECT_EQ(Get("/metrics").status, 200);
  EXPECT_EQ(Get("/v1/orders/NOPE").status, 404);
}

// The token check: scheme, whitespace, exact bytes; and which paths need it.
// Invariant: a cached KPI or scorecard answer is served only while the read models are as they
// were when it was computed; once events land, the answer is recomputed.
TEST_F(QueryApiTest, CachedKpiAnswersFollowNewEvents) {
  Start("");
  test::HistoryGenerator gen(21);
  ProjectionOptions options;
  options.now = [] { return test::HistoryGenerator::Now(); };
  int64_t offset = 0;
  auto project = [&](int first, int n) {
    ProjectionBatch batch(*store_, options);
    for (int i = first; i < first + n; ++i) {
      for (const v1::OrderEvent& event : Recorded(gen, "ORD-" + std::to_string(i)))
        ASSERT_TRUE(batch.Apply(event, 0, offset++).ok());
    }
    ASSERT_TRUE(batch.Commit().ok());
  };
  const std::string kpis = "/v1/kpis?from=2022-01-01&to=2030-12-31&group_by=merchandiser";
  const std::string cards = "/v1/scorecards?from=2022-01-01&to=2030-12-31";
  project(0, 20);
  Answer k1 = Get(kpis), c1 = Get(cards);
  ASSERT_EQ(k1.status, 200);
  EXPECT_EQ(Get(kpis).body, k1.body);  // the same data: the same answer (from the cache)
  project(20, 20);
  Answer k2 = Get(kpis), c2 = Get(cards);
  EXPECT_NE(k2.body, k1.body);
  EXPECT_NE(c2.body, c1.body);
  KpiQuery q{*ParseDate("2022-01-01"), *ParseDate("2030-12-31"), std::nullopt,
             GroupKind::kMerchandiser};
  EXPECT_EQ(k2.body, RunKpiQuery(*store_, q));  // what the store answers now
}

// Invariant: a cached order view is served only while the store holds the order as it was when
// the view was checked; once the order's events land (in the writer, or in a follower after its
// Refresh), the next lookup answers the new version.
TEST_F(QueryApiTest, CachedOrderViewsFollowNewEvents) {
  Start("");
  test::HistoryGenerator gen(22);
  ProjectionOptions options;
  options.now = [] { return test::HistoryGenerator::Now(); };
  const std::vector<v1::OrderEvent> accepted_events = Recorded(gen, "ORD-7");
  ASSERT_GE(accepted_events.size(), 4u);
  int64_t offset = 0;
  auto project = [&](size_t from, size_t to) {
    ProjectionBatch batch(*store_, options);
    for (size_t i = from; i < to; ++i)
      ASSERT_TRUE(batch.Apply(accepted_events[i], 0, offset++).ok());
    ASSERT_TRUE(batch.Commit().ok());
  };
  auto follower = ReadModelStore::OpenFollower((dir_ / "models").string(), (dir_ / "f").string());
  ASSERT_TRUE(follower.ok()) << follower.status().message();
  Config c;
  c.serve.listen = "127.0.0.1:0";
  QueryApi follower_api(c, follower->get(), MetricsSources{}, [] { return 0; });
  ASSERT_TRUE(follower_api.Start().ok());
  auto version = [&](int port) {
    return Parse(Raw(port, "GET /v1/orders/ORD-7 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
        .body.value("version", int64_t{-1});
  };
  const size_t half = accepted_events.size() / 2;
  project(0, half);
  ASSERT_TRUE((*follower)->Refresh().ok());
  EXPECT_EQ(version(api_->port()), static_cast<int64_t>(half));
  EXPECT_EQ(version(api_->port()), static_cast<int64_t>(half));  // the cached view
  EXPECT_EQ(version(follower_api.port()), static_cast<int64_t>(half));
  EXPECT_EQ(version(follower_api.port()), static_cast<int64_t>(half));
  project(half, accepted_events.size());
  const auto all = static_cast<int64_t>(accepted_events.size());
  EXPECT_EQ(version(api_->port()), all);
  ASSERT_TRUE((*follower)->Refresh().ok());
  EXPECT_EQ(version(follower_api.port()), all);
  follower_api.Stop();
}

TEST(HttpGuardTest, BearerAndPaths) {
  EXPECT_EQ(CheckBearer("Bearer abc", "abc"), BearerCheck::kOk);
  EXPECT_EQ(CheckBearer("bearer  abc ", "abc"), BearerCheck::kOk);
  EXPECT_EQ(CheckBearer("", "abc"), BearerCheck::kMissing);
  EXPECT_EQ(CheckBearer("Basic abc", "abc"), BearerCheck::kMalformed);
  EXPECT_EQ(CheckBearer("Bearer", "abc"), BearerCheck::kMalformed);
  EXPECT_EQ(CheckBearer("Bearer ab", "abc"), BearerCheck::kWrong);
  EXPECT_EQ(CheckBearer("Bearer abcd", "abc"), BearerCheck::kWrong);
  EXPECT_EQ(CheckBearer("Bearer abd", "abc"), BearerCheck::kWrong);
  EXPECT_FALSE(ConstantTimeEquals("abc", ""));
  EXPECT_FALSE(ConstantTimeEquals("", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abcabc", "abc"));  // b cycled must not match
  for (const char* open : {"/healthz", "/readyz", "/", "/assets/app.js", "/v1x"}) {
    EXPECT_FALSE(NeedsToken(open)) << open;
  }
  for (const char* closed : {"/v1", "/v1/", "/v1/orders", "/v1/kpis", "/metrics"}) {
    EXPECT_TRUE(NeedsToken(closed)) << closed;
  }
}

// Parameter parsing without HTTP: defaults, bounds, and the query a good request yields.
TEST(QueryParamsTest, OrdersAndKpis) {
  auto orders = ParseOrdersQuery({{"stage", "SHIPPING"}, {"at_risk", "true"}, {"limit", "7"}});
  ASSERT_TRUE(std::holds_alternative<OrdersQuery>(orders));
  EXPECT_EQ(std::get<OrdersQuery>(orders).limit, 7u);
  EXPECT_EQ(std::get<OrdersQuery>(orders).filter.at_risk, true);
  EXPECT_EQ(std::get<OrdersQuery>(ParseOrdersQuery({})).limit, 50u);
  for (const char* limit : {"0", "1001", "-1", "+5", "5x", "", "4294967297"}) {
    EXPECT_TRUE(std::holds_alternative<ParamError>(ParseOrdersQuery({{"limit", limit}}))) << limit;
  }
  auto kpis = ParseKpiQuery({{"from", "2024-01-01"}, {"to", "2024-01-31"}, {"bucket", "week"}});
  ASSERT_TRUE(std::holds_alternative<KpiQuery>(kpis));
  EXPECT_EQ(std::get<KpiQuery>(kpis).bucket, Bucket::kWeek);
  auto missing = ParseKpiQuery({{"from", "2024-01-01"}});
  ASSERT_TRUE(std::holds_alternative<ParamError>(missing));
  EXPECT_EQ(std::get<ParamError>(missing).code, "missing_parameter");
  auto bad = ParseKpiQuery({{"from", std::string("\xff\xfe", 2)}, {"to", "2024-01-01"}});
  ASSERT_TRUE(std::holds_alternative<ParamError>(bad));
  EXPECT_NO_THROW((void)Json(std::get<ParamError>(bad).message).dump());
  EXPECT_FALSE(IsOrderId("a/b"));
  EXPECT_FALSE(IsOrderId(std::string(65, 'a')));
  EXPECT_TRUE(IsOrderId("ORD-1:a.b_c"));
}

}  // namespace
}  // namespace gendan

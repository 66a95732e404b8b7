#include <httplib.h>

#include <nlohmann/json.hpp>

#include "consumers/query_params.h"
#include "tests/fuzz/fuzz_entries.h"

namespace gendan::fuzz {
namespace {

std::string CheckError(const ParamError& e) {
  if (e.code != "invalid_parameter" && e.code != "missing_parameter") return "bad code " + e.code;
  if (e.message.empty() || e.message.size() > 1024) return "error message size";
  try {
    (void)nlohmann::json{{"error", {{"code", e.code}, {"message", e.message}}}}.dump();
  } catch (const std::exception& ex) {
    return std::string("error message does not serialize as JSON: ") + ex.what();
  }
  return "";
}

template <typename T, typename Check>
std::string Inspect(const ParsedParams<T>& parsed, Check check) {
  if (auto* e = std::get_if<ParamError>(&parsed)) return CheckError(*e);
  return check(std::get<T>(parsed));
}

}  // namespace

std::string FuzzQueryParams(std::string_view data) {
  if (data.empty()) return "";
  QueryParams params;
  std::string query(data.substr(1));
  httplib::detail::parse_query_text(query, params);
  switch (static_cast<unsigned char>(data[0]) % 4) {
    case 0:
      return Inspect(ParseOrdersQuery(params), [](const OrdersQuery& q) -> std::string {
        if (q.limit < 1 || q.limit > 1000) return "limit out of range";
        if (q.cursor.size() > 256) return "cursor too long";
        return "";
      });
    case 1:
      return Inspect(ParseKpiQuery(params), [](const KpiQuery& q) -> std::string {
        if (q.to < q.from || q.to - q.from > std::chrono::days(3660)) return "bad KPI range";
        return "";
      });
    case 2: {
      auto e = CheckAlertsQuery(params);
      return e ? CheckError(*e) : "";
    }
    default: {
      // The order id route: a decoded segment accepted by IsOrderId is a safe RocksDB key.
      std::string segment = httplib::detail::decode_url(query, false);
      if (IsOrderId(segment) && (segment.size() > 64 || segment.find('/') != std::string::npos)) {
        return "IsOrderId accepted " + segment;
      }
      return "";
    }
  }
}

}  // namespace gendan::fuzz

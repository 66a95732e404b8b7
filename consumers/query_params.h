// Query parameters of the /v1 routes, checked without HTTP: the query API calls these with
// httplib's decoded parameters, and the fuzz target (tests/fuzz/) with arbitrary ones.
//
//   auto q = ParseOrdersQuery(req.params);
//   if (auto* e = std::get_if<ParamError>(&q)) return SendError(res, 400, e->code, e->message);
//   const OrdersQuery& query = std::get<OrdersQuery>(q);
//
// Rules for every route: a parameter the route does not know, or a known one given twice, is
// an error (a typo like group-by= would otherwise return the wrong data silently); values are
// bounded and free of control characters. Pure functions; thread-safe; never throw. Error
// messages quote offending values through PrintableText, so they are valid UTF-8 of bounded
// length whatever the request held.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "projections/kpi.h"
#include "projections/read_model_store.h"

namespace gendan {

// The decoded query string, as httplib::Params (a multimap: a key may repeat).
using QueryParams = std::multimap<std::string, std::string>;

// A 400 answer: code "missing_parameter" or "invalid_parameter", and a message for the caller.
struct ParamError {
  std::string code;
  std::string message;
};

template <typename T>
using ParsedParams = std::variant<T, ParamError>;

// GET /v1/orders?stage=&customer=&merchandiser=&supplier=&at_risk=&limit=&cursor=
struct OrdersQuery {
  OrderFilter filter;  // filter.today and risk_buffer_days are the caller's (clock and config)
  size_t limit = 50;   // 1..1000
  std::string cursor;  // a next_cursor of an earlier page, or empty
};
ParsedParams<OrdersQuery> ParseOrdersQuery(const QueryParams& params);

// GET /v1/kpis?from=&to=[&bucket=][&group_by=]: from <= to, at most ten years apart.
ParsedParams<KpiQuery> ParseKpiQuery(const QueryParams& params);

// GET /v1/alerts[?open=true]: nullopt when acceptable.
std::optional<ParamError> CheckAlertsQuery(const QueryParams& params);

// An order id as a path segment: 1-64 characters of [A-Za-z0-9._:-] (DOMAIN.md §2).
bool IsOrderId(std::string_view segment);

}  // namespace gendan

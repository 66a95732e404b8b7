#include "consumers/query_params.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>

#include "engine/intake.h"

namespace gendan {
namespace {

// Filter values are ids (DecideOptions::max_id_length); a cursor is "<date>/<order id>".
constexpr size_t kMaxIdParam = 128;
constexpr size_t kMaxCursor = 256;
constexpr auto kMaxKpiSpan = std::chrono::days(3660);

ParamError Invalid(std::string message) { return {"invalid_parameter", std::move(message)}; }

std::string Quoted(std::string_view value) { return "'" + PrintableText(value) + "'"; }

// The one rule every route shares: only known names, each at most once.
std::optional<ParamError> CheckNames(const QueryParams& params,
                                     std::initializer_list<std::string_view> known) {
  for (auto it = params.begin(); it != params.end(); it = params.upper_bound(it->first)) {
    const std::string& name = it->first;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return Invalid("unknown parameter " + Quoted(name) + "; this route takes " +
                     (list.empty() ? "none" : list));
    }
    if (params.count(name) > 1) return Invalid(name + " is given more than once");
  }
  return std::nullopt;
}

// The value of `name`, or nullopt when absent.
std::optional<std::string_view> Get(const QueryParams& params, std::string_view name) {
  auto it = params.find(std::string(name));
  if (it == params.end()) return std::nullopt;
  return std::string_view(it->second);
}

bool HasControlChar(std::string_view v) {
  return std::any_of(v.begin(), v.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// An id-like value: bounded and printable (it becomes a RocksDB key prefix and a log field).
std::optional<ParamError> IdValue(std::string_view name, std::string_view v, size_t max) {
  if (v.size() > max) {
    return Invalid(std::string(name) + " must be at most " + std::to_string(max) + " bytes");
  }
  if (HasControlChar(v)) return Invalid(std::string(name) + " must not contain control characters");
  return std::nullopt;
}

std::optional<ParamError> Filters(const QueryParams& params, OrderFilter* f) {
  for (auto [name, field] :
       {std::pair{"customer", &f->customer}, std::pair{"merchandiser", &f->merchandiser},
        std::pair{"supplier", &f->supplier}}) {
    std::string_view v = Get(params, name).value_or("");
    if (auto e = IdValue(name, v, kMaxIdParam)) return e;
    *field = std::string(v);
  }
  std::string_view stage = Get(params, "stage").value_or("");
  v1::Stage::Value value;
  if (!stage.empty() && (!v1::Stage::Value_Parse(std::string(stage), &value) ||
                         value == v1::Stage::STAGE_UNSPECIFIED)) {
    return Invalid("stage must be a stage name such as SHIPPING, got " + Quoted(stage));
  }
  f->stage = std::string(stage);
  if (auto v = Get(params, "at_risk")) {
    if (*v != "true" && *v != "false") return Invalid("at_risk must be true or false");
    f->at_risk = *v == "true";
  }
  return std::nullopt;
}

std::optional<Date> DateValue(const QueryParams& params, std::string_view name, ParamError* error) {
  auto v = Get(params, name);
  if (!v) {
    *error = {"missing_parameter", std::string(name) + " is required (YYYY-MM-DD)"};
    return std::nullopt;
  }
  auto d = ParseDate(*v);
  if (!d) *error = Invalid(std::string(name) + " must be a date YYYY-MM-DD, got " + Quoted(*v));
  return d;
}

}  // namespace

ParsedParams<OrdersQuery> ParseOrdersQuery(const QueryParams& params) {
  if (auto e = CheckNames(params, {"stage", "customer", "merchandiser", "supplier", "at_risk",
                                   "limit", "cursor"})) {
    return *e;
  }
  OrdersQuery q;
  if (auto e = Filters(params, &q.filter)) return *e;
  if (auto v = Get(params, "limit")) {
    unsigned n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (v->empty() || ec != std::errc() || end != v->data() + v->size() || n < 1 || n > 1000) {
      return Invalid("limit must be a whole number from 1 to 1000, got " + Quoted(*v));
    }
    q.limit = n;
  }
  std::string_view cursor = Get(params, "cursor").value_or("");
  if (auto e = IdValue("cursor", cursor, kMaxCursor)) return *e;
  q.cursor = std::string(cursor);
  return q;
}

ParsedParams<KpiQuery> ParseKpiQuery(const QueryParams& params) {
  if (auto e = CheckNames(params, {"from", "to", "bucket", "group_by"})) return *e;
  ParamError error;
  auto from = DateValue(params, "from", &error);
  if (!from) return error;
  auto to = DateValue(params, "to", &error);
  if (!to) return error;
  if (*to < *from) return Invalid("to must not be before from");
  if (*to - *from > kMaxKpiSpan) return Invalid("a KPI query spans at most 10 years");
  KpiQuery q{*from, *to, std::nullopt, GroupKind::kNone};
  if (auto v = Get(params, "bucket")) {
    q.bucket = ParseBucket(*v);
    if (!q.bucket) return Invalid("bucket must be day, week or month, got " + Quoted(*v));
  }
  if (auto v = Get(params, "group_by")) {
    auto g = ParseGroupKind(*v);
    if (!g || *g == GroupKind::kNone) {
      return Invalid("group_by must be merchandiser, customer or supplier, got " + Quoted(*v));
    }
    q.group_by = *g;
  }
  return q;
}

std::optional<ParamError> CheckAlertsQuery(const QueryParams& params) {
  if (auto e = CheckNames(params, {"open"})) return e;
  if (auto v = Get(params, "open"); v && *v != "true") {
    return Invalid(
        "only open alerts are kept here (open=true); the full raised/cleared history is the "
        "gendan.alerts topic");
  }
  return std::nullopt;
}

bool IsOrderId(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  });
}

}  // namespace gendan

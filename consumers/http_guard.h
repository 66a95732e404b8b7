// The query API's request checks that need no store: bearer-token authentication and the
// header budget. Pure functions of the request's parts, so they are tested without sockets.
//
//   if (NeedsToken(path) && CheckBearer(req.get_header_value("Authorization"), token) != kOk)
//     -> 401
//
// Thread-safe; never throw.
#pragma once

#include <cstddef>
#include <string_view>

namespace gendan {

// /v1/... and /metrics need the token when one is configured; /healthz, /readyz (probes) and
// the dashboard's static files (/, /assets/...) stay open: they hold no business data.
bool NeedsToken(std::string_view path);

enum class BearerCheck { kOk, kMissing, kMalformed, kWrong };

// Checks an Authorization header value against the configured token: "Bearer <token>" (the
// scheme case-insensitive, RFC 6750). The comparison takes the same time wherever the first
// difference is, so response timing does not reveal a prefix of the token.
BearerCheck CheckBearer(std::string_view authorization, std::string_view token);

// Equal bytes, in time that depends only on the lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Limits on what a request may carry in headers (the URI is capped by httplib at 8 KiB, and
// each header line at 8 KiB): nothing in this API needs more than a few short headers.
struct HeaderBudget {
  size_t max_count = 64;
  size_t max_total_bytes = 16 * 1024;  // names + values
};

// True when `count` headers of `total_bytes` fit the budget.
inline bool WithinBudget(size_t count, size_t total_bytes, const HeaderBudget& budget = {}) {
  return count <= budget.max_count && total_bytes <= budget.max_total_bytes;
}

}  // namespace gendan

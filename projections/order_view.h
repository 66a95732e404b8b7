// Order status view: the fold of an order's OrderEvents into the OrderStatus of
// gendan.v1 (proto/gendan/v1/status.proto), and its JSON for GET /v1/orders/{id}.
//
//   v1::OrderStatus status;
//   for (const auto& e : events) ApplyToStatus(status, e, offset);
//   nlohmann::json j = StatusJson(status);
//
// Pure functions; thread-safe. Events are applied in version order; one the lifecycle rules
// would have refused is applied as far as it makes sense and never crashes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gendan/v1/events.pb.h"
#include "gendan/v1/status.pb.h"
#include "projections/business_time.h"

namespace gendan {

// Applies one recorded event. `offset` is the business time zone, which decides `on_time`
// (the completion's business date against the commit date).
void ApplyToStatus(v1::OrderStatus& status, const v1::OrderEvent& event, UtcOffset offset);

// The status view of DOMAIN.md §7: enum values by name, instants as RFC 3339 strings, numbers
// as JSON numbers, absent instants as null. Open alerts are added by the caller.
nlohmann::json StatusJson(const v1::OrderStatus& status);

// The values a status is indexed by for GET /v1/orders filters: {"stage", STAGE}, {"customer",
// id}, {"merchandiser", id}, {"supplier", id}, and {"due", commit date} while the commitment is
// open (not completed, cancelled or closed). Empty values are left out.
std::vector<std::pair<std::string, std::string>> IndexTerms(const v1::OrderStatus& status);

// DOMAIN.md §6's delivery risks on `today` (a business date): LATE — the commit date passed and
// the order is not completed; DELIVERY_AT_RISK — not yet READY_TO_SHIP and the commit date is
// within `buffer_days`. Cancelled and closed orders are never at risk. The rules are those of
// the risk monitor (projections/risk.h, DeliveryRisk).
bool AtRisk(const v1::OrderStatus& status, Date today, int buffer_days);

}  // namespace gendan

// The JSON of an alert for GET /v1/alerts, the order view and `gendan alerts`.
#pragma once

#include <nlohmann/json.hpp>

#include "gendan/v1/alert.pb.h"

namespace gendan {

// {"alert_id", "order_id", "kind", "subject", "state", "raised_at", "cleared_at", "message",
//  "merchandiser_id", "customer_id", "supplier_id"}; instants as RFC 3339, absent ones null.
nlohmann::json AlertJson(const v1::Alert& alert);

}  // namespace gendan

#include "projections/alert_view.h"

#include <google/protobuf/util/time_util.h>

namespace gendan {

nlohmann::json AlertJson(const v1::Alert& a) {
  using google::protobuf::util::TimeUtil;
  return {{"alert_id", a.alert_id()},
          {"order_id", a.order_id()},
          {"kind", v1::AlertKind::Value_Name(a.kind())},
          {"subject", a.subject().empty() ? nlohmann::json(nullptr) : nlohmann::json(a.subject())},
          {"state", v1::Alert::State_Name(a.state())},
          {"raised_at",
           a.has_raised_at() ? nlohmann::json(TimeUtil::ToString(a.raised_at())) : nullptr},
          {"cleared_at",
           a.has_cleared_at() ? nlohmann::json(TimeUtil::ToString(a.cleared_at())) : nullptr},
          {"message", a.message()},
          {"merchandiser_id", a.merchandiser_id()},
          {"customer_id", a.customer_id()},
          {"supplier_id", a.supplier_id()}};
}

}  // namespace gendan

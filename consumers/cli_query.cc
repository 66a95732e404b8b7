// `gendan order`, `events`, `alerts`, `kpi` and `scorecard`: read the read models from the command
// line.
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "consumers/cli_common.h"
#include "consumers/projector_service.h"
#include "consumers/scorecard_report.h"
#include "projections/alert_view.h"
#include "projections/order_view.h"
#include "projections/read_model_store.h"
#include "projections/scorecard.h"

namespace gendan::cli {
namespace {

using Json = nlohmann::json;

struct QueryFlags {
  std::string id;
  std::string from, to, bucket, group_by;
  bool json = false;
  bool csv = false;
  bool compare_previous = false;
};

// Opens the read models as a follower, so a running projector keeps its lock.
Result<std::unique_ptr<ReadModelStore>> OpenReader(const Config& config, std::string* scratch) {
  if (!std::filesystem::exists(config.projector.state_dir + "/CURRENT")) {
    return Status::NotFound("no read models in " + config.projector.state_dir +
                            " (run `gendan project` or `gendan run` first, or pass --state-dir)");
  }
  *scratch = std::filesystem::temp_directory_path() / ("gendan-cli-" + std::to_string(getpid()));
  auto store =
      ReadModelStore::OpenFollower(config.projector.state_dir, *scratch, StoreMemoryFrom(config));
  if (store.ok()) (void)(*store)->Refresh();
  return store;
}

std::string Cell(const Json& v) {
  if (v.is_null()) return "-";
  if (v.is_number_float()) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(3) << v.get<double>();
    return out.str();
  }
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// One row per KPI, one column per series entry (group and bucket).
void PrintKpiTable(const Json& result) {
  const Json& series = result["series"];
  std::vector<std::string> headers = {"kpi"};
  for (const Json& s : series) {
    std::string h = s["group"].is_null() ? "" : s["group"].get<std::string>() + " ";
    headers.push_back(h + s["bucket_start"].get<std::string>());
  }
  std::vector<std::vector<std::string>> rows;
  if (!series.empty()) {
    for (const auto& [key, _] : series[0]["kpis"].items()) {
      std::vector<std::string> row = {key};
      for (const Json& s : series) {
        const Json& k = s["kpis"][key];
        std::string text = k.contains("value")
                               ? Cell(k["value"]) + " (" + Cell(k["numerator"]) + "/" +
                                     Cell(k["denominator"]) + ")"
                               : "n=" + Cell(k["count"]) + " mean=" + Cell(k["mean"]) +
                                     " p50=" + Cell(k["p50"]) + " p90=" + Cell(k["p90"]);
        row.push_back(text);
      }
      rows.push_back(row);
    }
  }
  std::vector<size_t> width(headers.size(), 0);
  for (size_t c = 0; c < headers.size(); ++c) {
    width[c] = headers[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c)
      std::cout << std::left << std::setw(int(width[c]) + 2) << cells[c];
    std::cout << "\n";
  };
  std::cout << "KPIs " << result["from"].get<std::string>() << " .. "
            << result["to"].get<std::string>() << "\n";
  line(headers);
  for (const auto& r : rows) line(r);
  if (series.empty()) std::cout << "(no data in this range)\n";
}

int RunOrder(const CommonFlags& common, const QueryFlags& q, bool events) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  std::string scratch;
  auto store = OpenReader(*config, &scratch);
  if (!store.ok()) return Fail(store.status());
  int rc = 0;
  if (events) {
    auto list = (*store)->Events(q.id);
    if (!list.ok()) return Fail(list.status());
    if (list->empty()) rc = Fail(Status::NotFound("no order " + q.id));
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    for (const auto& e : *list) {
      std::string text;
      (void)google::protobuf::util::MessageToJsonString(e, &text, options);
      std::cout << text << "\n";
    }
  } else {
    auto status = (*store)->GetStatus(q.id);
    if (!status.ok()) return Fail(status.status());
    if (!status->has_value()) {
      rc = Fail(Status::NotFound("no order " + q.id));
    } else {
      std::cout << StatusJson(**status).dump(2) << "\n";
    }
  }
  store->reset();
  std::filesystem::remove_all(scratch);
  return rc;
}

int RunKpi(const CommonFlags& common, const QueryFlags& q) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  auto from = ParseDate(q.from), to = ParseDate(q.to);
  if (!from || !to || *to < *from) {
    return Fail(Status::InvalidArgument("--from and --to must be dates YYYY-MM-DD, from <= to"));
  }
  KpiQuery query{*from, *to, std::nullopt, GroupKind::kNone};
  if (!q.bucket.empty() && !(query.bucket = ParseBucket(q.bucket))) {
    return Fail(Status::InvalidArgument("--bucket must be day, week or month"));
  }
  if (!q.group_by.empty()) {
    auto g = ParseGroupKind(q.group_by);
    if (!g || *g == GroupKind::kNone) {
      return Fail(Status::InvalidArgument("--group-by must be merchandiser, customer or supplier"));
    }
    query.group_by = *g;
  }
  std::string scratch;
  auto store = OpenReader(*config, &scratch);
  if (!store.ok()) return Fail(store.status());
  Json result = RunKpiQuery(**store, query);
  if (q.json) {
    std::cout << result.dump() << "\n";
  } else {
    PrintKpiTable(result);
  }
  store->reset();
  std::filesystem::remove_all(scratch);
  return 0;
}

int RunScorecard(const CommonFlags& common, const QueryFlags& q) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  auto from = ParseDate(q.from), to = ParseDate(q.to);
  if (!from || !to || *to < *from) {
    return Fail(Status::InvalidArgument("--from and --to must be dates YYYY-MM-DD, from <= to"));
  }
  ScorecardQuery query{*from, *to, GroupKind::kMerchandiser, q.compare_previous};
  if (!q.group_by.empty()) {
    auto g = ParseScorecardGroupBy(q.group_by);
    if (!g) {
      return Fail(Status::InvalidArgument(
          "--group-by must be merchandiser, customer, supplier or department"));
    }
    query.group_by = *g;
  }
  std::string scratch;
  auto store = OpenReader(*config, &scratch);
  if (!store.ok()) return Fail(store.status());
  const Scorecard& card = config->scorecard.entries;
  Json result = RunScorecardQuery(**store, card, query);
  if (q.json) {
    std::cout << result.dump() << "\n";
  } else if (q.csv) {
    std::cout << ScorecardCsv(result, card);
  } else {
    std::cout << ScorecardTable(result, card);
  }
  store->reset();
  std::filesystem::remove_all(scratch);
  return 0;
}

int RunAlerts(const CommonFlags& common, const QueryFlags& q) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  std::string scratch;
  auto store = OpenReader(*config, &scratch);
  if (!store.ok()) return Fail(store.status());
  auto alerts = (*store)->OpenAlerts();
  if (!alerts.ok()) return Fail(alerts.status());
  if (q.json) {
    Json out = Json::array();
    for (const auto& a : *alerts) out.push_back(AlertJson(a));
    std::cout << Json{{"alerts", out}}.dump() << "\n";
  } else {
    for (const auto& a : *alerts) {
      std::cout << std::left << std::setw(14) << a.order_id() << std::setw(18)
                << v1::AlertKind::Value_Name(a.kind()) << std::setw(26)
                << google::protobuf::util::TimeUtil::ToString(a.raised_at()) << a.message() << "\n";
    }
    std::cout << alerts->size() << " open alerts\n";
  }
  store->reset();
  std::filesystem::remove_all(scratch);
  return 0;
}

void AddReaderFlags(CLI::App* cmd, CommonFlags& common) {
  AddCommonFlags(cmd, &common);
  cmd->add_option_function<std::string>(
      "--state-dir",
      [&common](const std::string& v) { common.settings.push_back("projector.state_dir=" + v); },
      "Read-model folder (projector.state_dir, default data/projections)");
}

}  // namespace

void AddQueryCommands(CLI::App& app, CommonFlags& common) {
  static QueryFlags q;
  CLI::App* order = app.add_subcommand("order", "Print an order's status view as JSON");
  AddReaderFlags(order, common);
  order->add_option("order_id", q.id, "The order id")->required();
  order->callback([&common] { throw CLI::RuntimeError(RunOrder(common, q, false)); });

  CLI::App* events =
      app.add_subcommand("events", "Print an order's recorded events, one JSON per line");
  AddReaderFlags(events, common);
  events->add_option("order_id", q.id, "The order id")->required();
  events->callback([&common] { throw CLI::RuntimeError(RunOrder(common, q, true)); });

  CLI::App* alerts =
      app.add_subcommand("alerts", "List the open risk alerts (a table, or JSON with --json)");
  AddReaderFlags(alerts, common);
  alerts->add_flag("--json", q.json, "Print the /v1/alerts JSON instead of a table");
  alerts->callback([&common] { throw CLI::RuntimeError(RunAlerts(common, q)); });

  CLI::App* kpi =
      app.add_subcommand("kpi", "Print the KPIs of a date range (a table, or JSON with --json)");
  AddReaderFlags(kpi, common);
  kpi->add_option("--from", q.from, "First date, YYYY-MM-DD")->required();
  kpi->add_option("--to", q.to, "Last date, YYYY-MM-DD (inclusive)")->required();
  kpi->add_option("--bucket", q.bucket, "day, week (ISO) or month");
  kpi->add_option("--group-by", q.group_by, "merchandiser, customer or supplier");
  kpi->add_flag("--json", q.json, "Print the /v1/kpis JSON instead of a table");
  kpi->callback([&common] { throw CLI::RuntimeError(RunKpi(common, q)); });

  CLI::App* scorecard = app.add_subcommand(
      "scorecard",
      "Score each merchandiser (or group) against the KPI targets, ranked (DOMAIN §8)");
  AddReaderFlags(scorecard, common);
  scorecard->add_option("--from", q.from, "First date, YYYY-MM-DD")->required();
  scorecard->add_option("--to", q.to, "Last date, YYYY-MM-DD (inclusive)")->required();
  scorecard->add_option("--group-by", q.group_by,
                        "merchandiser (default), customer, supplier or department");
  auto* csv =
      scorecard->add_flag("--csv", q.csv, "Print CSV (one line per entry) for a spreadsheet");
  scorecard->add_flag("--json", q.json, "Print the /v1/scorecards JSON instead of a table")
      ->excludes(csv);
  scorecard->add_flag("--compare-previous", q.compare_previous,
                      "Add each entry's score and attainments in the period of equal length "
                      "just before");
  scorecard->callback([&common] { throw CLI::RuntimeError(RunScorecard(common, q)); });
  scorecard->footer(
      "The scorecard is the config's scorecard.<kpi> entries, or DOMAIN.md's default (see\n"
      "docs/config.md). Exit status: 0 printed, 1 the read models cannot be read, 2 bad usage.");
}

}  // namespace gendan::cli

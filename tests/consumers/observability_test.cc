// Issue 9 without a broker: the /metrics exposition's shape, the metrics listener, JSON log lines,
// the progress line and the config keys behind them. (The live /metrics of a running pipeline is
// checked by promtool in tests/e2e/metrics_e2e.sh.)
#include <gtest/gtest.h>
#include <httplib.h>
#include <spdlog/details/log_msg.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "consumers/config.h"
#include "consumers/logging.h"
#include "consumers/metrics.h"
#include "consumers/metrics_server.h"
#include "consumers/progress.h"

namespace gendan {
namespace {

// ---- config ------------------------------------------------------------------------------

TEST(ObservabilityConfigTest, MetricsAndLogKeys) {
  Config c;
  EXPECT_EQ(c.metrics.listen, "");
  EXPECT_EQ(c.metrics.kpi_window_days, 30);
  EXPECT_EQ(c.log.format, "text");
  Status s = ApplyConfigText(
      &c, "metrics.listen = 0.0.0.0:9464\nmetrics.kpi_window_days = 90\nlog.format = json\n", "g");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.metrics.listen, "0.0.0.0:9464");
  EXPECT_EQ(c.metrics.kpi_window_days, 90);
  EXPECT_EQ(c.log.format, "json");
  EXPECT_NE(ApplyConfigText(&c, "log.format = xml\n", "g").message().find("must be text or json"),
            std::string::npos);
  EXPECT_FALSE(ApplyConfigText(&c, "metrics.kpi_window_days = 0\n", "g").ok());
  EXPECT_EQ(c.log.format, "json");  // the bad file changed nothing
}

// ---- /metrics ----------------------------------------------------------------------------

struct Family {
  std::string type;
  int help = 0, type_lines = 0;
  std::vector<std::string> samples;
};

// Splits an exposition into families, failing the test on a sample outside its family's block.
std::map<std::string, Family> Families(const std::string& text) {
  std::map<std::string, Family> out;
  std::string current;
  std::set<std::string> closed;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      if (name != current) {
        EXPECT_FALSE(closed.contains(name)) << name << " appears in two blocks";
        if (!current.empty()) closed.insert(current);
        current = name;
      }
      if (line[2] == 'H') ++out[name].help;
      if (line[2] == 'T') ++out[name].type_lines, out[name].type = line.substr(line.rfind(' ') + 1);
      continue;
    }
    std::string name = line.substr(0, line.find_first_of("{ "));
    EXPECT_EQ(name.rfind(current, 0), 0u)
        << "sample " << line << " outside the block of " << current;
    out[current].samples.push_back(line);
  }
  return out;
}

TEST(MetricsRenderTest, EveryFamilyOnceWithSamplesOfBothWorkers) {
  EngineMetrics engine;
  ProjectorMetrics projector;
  engine.records = 7;
  engine.rejected[v1::RejectionReason::UNKNOWN_ORDER] = 2;
  engine.worker.lag.Set(0, 3);
  engine.worker.lag.Set(1, 0);
  engine.worker.liveness.Polled();
  projector.worker.lag.Set(0, 5);
  projector.worker.store.Set({11, 2048, 0, 512, 0});
  MetricsSources sources;
  sources.engine = &engine;
  sources.projector = &projector;
  sources.engine_topic = "gendan.inbound";
  sources.projector_topic = "gendan.events";
  auto families = Families(RenderPrometheus(sources));

  for (const auto& [name, f] : families) {
    EXPECT_EQ(f.help, 1) << name;
    EXPECT_EQ(f.type_lines, 1) << name;
    if (f.type == "counter") {
      EXPECT_TRUE(name.ends_with("_total")) << name;
    }
  }
  const auto& lag = families.at("gendan_consumer_lag").samples;
  EXPECT_EQ(
      lag,
      (std::vector<std::string>{
          R"(gendan_consumer_lag{worker="engine",topic="gendan.inbound",partition="0"} 3)",
          R"(gendan_consumer_lag{worker="engine",topic="gendan.inbound",partition="1"} 0)",
          R"(gendan_consumer_lag{worker="projector",topic="gendan.events",partition="0"} 5)"}));
  EXPECT_EQ(families.at("gendan_worker_last_poll_timestamp_seconds").samples.size(), 2u);
  EXPECT_EQ(families.at("gendan_worker_last_progress_timestamp_seconds").samples[0],
            R"(gendan_worker_last_progress_timestamp_seconds{worker="engine"} 0)");
  // Only the projector's store was sampled.
  EXPECT_EQ(families.at("gendan_rocksdb_estimated_keys").samples,
            (std::vector<std::string>{R"(gendan_rocksdb_estimated_keys{store="projector"} 11)"}));
  const auto& rejected = families.at("gendan_engine_rejected_total").samples;
  EXPECT_NE(std::find(rejected.begin(), rejected.end(),
                      R"(gendan_engine_rejected_total{reason="UNKNOWN_ORDER"} 2)"),
            rejected.end());
  EXPECT_EQ(families.at("gendan_engine_records_total").samples[0], "gendan_engine_records_total 7");
}

TEST(MetricsRenderTest, LagSeriesDisappearOnRevoke) {
  EngineMetrics engine;
  engine.worker.lag.Set(4, 1);
  engine.worker.lag.Clear();
  MetricsSources sources;
  sources.engine = &engine;
  EXPECT_EQ(RenderPrometheus(sources).find("gendan_consumer_lag"), std::string::npos);
}

TEST(MetricsServerTest, ServesMetricsAndHealthOnItsOwnPort) {
  MetricsServer server("127.0.0.1:0", [] { return std::string("gendan_up 1\n"); });
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->body, "gendan_up 1\n");
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4");
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  server.Stop();
}

TEST(MetricsServerTest, BadListenAddressIsAConfigError) {
  MetricsServer server("no-port", [] { return std::string(); });
  Status s = server.Start();
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
}

// ---- JSON logs ---------------------------------------------------------------------------

TEST(JsonLogFormatterTest, OneParseableObjectPerLine) {
  JsonLogFormatter formatter;
  std::string payload = "order \"O-1\"\nrejected\t\xff";  // quotes, control chars, bad UTF-8
  spdlog::details::log_msg msg(spdlog::source_loc{}, "", spdlog::level::warn,
                               spdlog::string_view_t(payload.data(), payload.size()));
  spdlog::memory_buf_t buf;
  formatter.format(msg, buf);
  std::string line(buf.data(), buf.size());
  ASSERT_TRUE(line.ends_with("\n"));
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["msg"], "order \"O-1\"\nrejected\t\xEF\xBF\xBD");
  std::string ts = j["ts"];
  EXPECT_EQ(ts.size(), 24u) << ts;  // 2026-11-27T03:59:23.123Z
  EXPECT_EQ(ts.back(), 'Z');
  EXPECT_TRUE(j["thread"].is_number());
}

// ---- progress ----------------------------------------------------------------------------

TEST(ProgressTest, FormatsRateAndEta) {
  EXPECT_EQ(FormatProgress("publish", "events", 120000, 500000, 2.0),
            "publish: 120,000 / 500,000 events (24%), 60,000 events/s, ETA 7 s");
  EXPECT_EQ(FormatProgress("rebuild", "events", 5000, 0, 0.5),
            "rebuild: 5,000 events, 10,000 events/s");
  EXPECT_EQ(FormatProgress("x", "events", 10, 7200, 1.0),
            "x: 10 / 7,200 events (0%), 10 events/s, ETA 11 min 59 s");
  EXPECT_EQ(FormatProgress("x", "events", 0, 10, 0), "x: 0 / 10 events (0%)");
  // an upper-bound total that was overshot: no ETA, at most 100%
  EXPECT_EQ(FormatProgress("x", "events", 12, 10, 1), "x: 12 / 10 events (100%), 12 events/s");
}

std::string Drawn(bool enabled) {
  std::FILE* f = std::tmpfile();
  {
    Progress p("publish", "events", f, enabled);
    for (int i = 1; i <= 3; ++i) p.Update(i * 10, 30);
    p.Finish();
  }
  std::fflush(f);
  std::rewind(f);
  std::string out;
  for (int c; (c = std::fgetc(f)) != EOF;) out += static_cast<char>(c);
  std::fclose(f);
  return out;
}

TEST(ProgressTest, QuietWhenNotATerminal) {
  EXPECT_EQ(Drawn(false), "");
  std::FILE* f = std::tmpfile();  // a file is not a terminal: the isatty check says so
  EXPECT_FALSE(Progress("x", "events", f).enabled());
  std::fclose(f);
}

TEST(ProgressTest, RedrawsInPlaceOnATerminal) {
  std::string out = Drawn(true);
  EXPECT_EQ(out.front(), '\r');
  EXPECT_EQ(out.back(), '\n');
  EXPECT_NE(out.find("publish: 30 / 30 events (100%)"), std::string::npos) << out;
  EXPECT_EQ(out.find('\n'), out.size() - 1) << "one line, redrawn";
}

}  // namespace
}  // namespace gendan

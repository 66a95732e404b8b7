#include "consumers/cli.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "consumers/cli_common.h"
#include "consumers/config.h"
#include "consumers/engine_service.h"
#include "consumers/kafka_client.h"
#include "consumers/metrics.h"
#include "consumers/metrics_server.h"
#include "consumers/progress.h"
#include "consumers/publish.h"

namespace gendan {
namespace {

using cli::CommonFlags;
using cli::Fail;
using cli::ResolveConfig;

struct PublishFlags {
  std::string input = "-";
};

int RunPublish(const CommonFlags& common, const PublishFlags& flags) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  std::ifstream file;
  std::istream* in = &std::cin;
  if (flags.input != "-") {
    file.open(flags.input);
    if (!file) return Fail(Status::NotFound("cannot read " + flags.input));
    in = &file;
  }
  Status up = CheckBroker(*config, 10'000);
  if (!up.ok()) return Fail(up);
  // A file's size gives an ETA: lines so far scaled by the share of bytes read.
  std::error_code size_error;
  const auto file_bytes =
      flags.input == "-"
          ? 0
          : static_cast<int64_t>(std::filesystem::file_size(flags.input, size_error));
  Progress bar("publish", "events");
  auto report = PublishJsonLines(*config, *in, [&](const PublishProgress& p) {
    int64_t total =
        size_error || file_bytes <= 0 || p.bytes <= 0 ? 0 : p.events * file_bytes / p.bytes;
    bar.Update(p.events, total);
  });
  bar.Finish();
  if (!report.ok()) return Fail(report.status());
  const std::string source = flags.input == "-" ? "stdin" : flags.input;
  for (const BadLine& bad : report->bad_lines) {
    std::cerr << source << ":" << bad.line_no << ": not sent: " << bad.reason << "\n";
  }
  std::cout << "sent " << report->sent << " events to " << config->Topic("inbound");
  if (!report->bad_lines.empty())
    std::cout << "; " << report->bad_lines.size() << " bad lines not sent";
  std::cout << "\n";
  return report->bad_lines.empty() ? 0 : 1;
}

int RunEngine(const CommonFlags& common) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  cli::InstallStopHandlers();
  EngineMetrics metrics;
  EngineService engine(*config, &metrics);
  MetricsSources sources;
  sources.engine = &metrics;
  sources.engine_topic = config->Topic("inbound");
  MetricsServer metrics_server(
      config->metrics.listen, [&] { return RenderPrometheus(sources); }, config->serve.auth_token);
  if (!config->metrics.listen.empty()) {
    Status up = metrics_server.Start();
    if (!up.ok()) return Fail(up);
  }
  Status s = engine.Run(cli::g_stop);
  int64_t rejected = 0;
  for (const auto& r : metrics.rejected) rejected += r.load();
  spdlog::info(
      "engine: stopped after {} records: {} accepted, {} rejected, {} duplicates, {} transactions",
      metrics.records.load(), metrics.accepted.load(), rejected, metrics.duplicates.load(),
      metrics.transactions_committed.load());
  if (!s.ok()) return Fail(s);
  return 0;
}

struct TopicsFlags {
  int partitions = 6;
};

// The topics of DOMAIN.md §1 with the configs deploy/local/topics.sh gives them.
int RunTopicsCreate(const CommonFlags& common, const TopicsFlags& flags) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  std::vector<TopicSpec> specs = {
      {config->Topic("inbound"), flags.partitions, {{"retention.ms", "604800000"}}},
      {config->Topic("events"),
       flags.partitions,
       {{"retention.ms", "-1"}, {"retention.bytes", "-1"}}},
      {config->Topic("rejections"), flags.partitions, {{"retention.ms", "2592000000"}}},
      {config->Topic("status"), flags.partitions, {{"cleanup.policy", "compact"}}},
      {config->Topic("alerts"), flags.partitions, {{"retention.ms", "7776000000"}}},
  };
  Status s = CreateTopics(*config, specs);
  if (!s.ok()) return Fail(s);
  for (const auto& t : specs) std::cout << "topic " << t.name << " ready\n";
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv) {
  CLI::App app{"gendan — event-sourced order follow-up (跟单) on Kafka and RocksDB"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "gendan 0.1.0");

  CommonFlags common;
  PublishFlags publish_flags;
  CLI::App* publish = app.add_subcommand(
      "publish", "Send InboundEvents (JSON Lines) to the inbound topic, keyed by order_id");
  cli::AddCommonFlags(publish, &common);
  publish->add_option("input", publish_flags.input, "JSON Lines file, or - for stdin (default)");
  publish->callback([&] { throw CLI::RuntimeError(RunPublish(common, publish_flags)); });
  publish->footer(
      "Each line is the protobuf JSON of one gendan.v1.InboundEvent. Bad lines are reported with\n"
      "their line number and not sent; the good ones are still sent. Exit status: 0 all sent,\n"
      "1 some lines bad or Kafka failed, 2 bad usage or config.");

  CLI::App* engine = app.add_subcommand(
      "engine", "Decide inbound facts into gendan.events / gendan.rejections, exactly once");
  cli::AddCommonFlags(engine, &common);
  engine->add_option_function<std::string>(
      "--state-dir",
      [&](const std::string& v) { common.settings.push_back("engine.state_dir=" + v); },
      "RocksDB order-state folder (engine.state_dir, default data/engine)");
  engine->add_option_function<std::string>(
      "--instance", [&](const std::string& v) { common.settings.push_back("instance_id=" + v); },
      "Instance id within the group; the transactional id is <group>-<instance> (default 0)");
  engine->callback([&] { throw CLI::RuntimeError(RunEngine(common)); });
  engine->footer(
      "Runs until SIGTERM/SIGINT, then commits the open batch and leaves the group.\n"
      "Exit status: 0 clean stop, 1 fatal Kafka or store error (logged), 2 bad config.");

  TopicsFlags topics_flags;
  CLI::App* topics =
      app.add_subcommand("topics", "Create gendan's topics (existing ones are left alone)");
  cli::AddCommonFlags(topics, &common);
  topics->add_option("--partitions", topics_flags.partitions, "Partitions per topic (default 6)")
      ->check(CLI::Range(1, 10000));
  topics->callback([&] { throw CLI::RuntimeError(RunTopicsCreate(common, topics_flags)); });

  cli::AddServiceCommands(app, common);
  cli::AddQueryCommands(app, common);
  cli::AddSimulateCommand(app, common);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}

}  // namespace gendan

// `gendan project`, `gendan serve` and `gendan run`: the long-running roles.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "consumers/cli_common.h"
#include "consumers/engine_service.h"
#include "consumers/lag_probe.h"
#include "consumers/metrics_server.h"
#include "consumers/progress.h"
#include "consumers/projector_service.h"
#include "consumers/query_api.h"
#include "consumers/rebuild.h"

namespace gendan::cli {
namespace {

Result<std::unique_ptr<ReadModelStore>> OpenWriter(const Config& config) {
  std::filesystem::path parent = std::filesystem::path(config.projector.state_dir).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  return ReadModelStore::OpenWriter(config.projector.state_dir, StoreMemoryFrom(config));
}

int RunProject(const CommonFlags& common) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  auto store = OpenWriter(*config);
  if (!store.ok()) return Fail(store.status());
  InstallStopHandlers();
  ProjectorMetrics metrics;
  ProjectorService projector(*config, store->get(), &metrics);
  MetricsSources sources;
  sources.projector = &metrics;
  sources.projector_topic = config->Topic("events");
  MetricsServer metrics_server(
      config->metrics.listen, [&] { return RenderPrometheus(sources); }, config->serve.auth_token);
  if (!config->metrics.listen.empty()) {
    Status up = metrics_server.Start();
    if (!up.ok()) return Fail(up);
  }
  Status s = projector.Run(g_stop);
  spdlog::info("projector: stopped after {} events in {} batches", metrics.events.load(),
               metrics.batches.load());
  return s.ok() ? 0 : Fail(s);
}

int RunServe(const CommonFlags& common) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  std::string scratch =
      std::filesystem::temp_directory_path() / ("gendan-serve-" + std::to_string(getpid()));
  auto store =
      ReadModelStore::OpenFollower(config->projector.state_dir, scratch, StoreMemoryFrom(*config));
  if (!store.ok()) return Fail(store.status());
  InstallStopHandlers();
  LagProbe probe(*config, store->get());
  QueryApi api(*config, store->get(), MetricsSources{}, [&probe] { return probe.Lag(); });
  Status s = api.Start();
  if (!s.ok()) return Fail(s);
  while (!g_stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  api.Stop();
  std::filesystem::remove_all(scratch);
  return 0;
}

// Engine, projector and query API in one process, for a single machine.
int RunAll(const CommonFlags& common) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  auto store = OpenWriter(*config);
  if (!store.ok()) return Fail(store.status());
  InstallStopHandlers();
  EngineMetrics engine_metrics;
  ProjectorMetrics projector_metrics;
  EngineService engine(*config, &engine_metrics);
  ProjectorService projector(*config, store->get(), &projector_metrics);
  LagProbe probe(*config, store->get());
  MetricsSources sources;
  sources.engine = &engine_metrics;
  sources.projector = &projector_metrics;
  QueryApi api(*config, store->get(), sources, [&probe] { return probe.Lag(); });
  Status api_status = api.Start();
  if (!api_status.ok()) return Fail(api_status);
  std::cout << "gendan run: query API on http://"
            << config->serve.listen.substr(0, config->serve.listen.rfind(':')) << ":" << api.port()
            << "/  (Ctrl-C to stop)" << std::endl;
  // A role that fails stops the others: a half-running pipeline would look healthy and lie.
  Status engine_status, projector_status;
  std::thread engine_thread([&] {
    engine_status = engine.Run(g_stop);
    g_stop.store(true);
  });
  std::thread projector_thread([&] {
    projector_status = projector.Run(g_stop);
    g_stop.store(true);
  });
  engine_thread.join();
  projector_thread.join();
  api.Stop();
  if (!engine_status.ok()) return Fail(engine_status);
  if (!projector_status.ok()) return Fail(projector_status);
  return 0;
}

int RunRebuild(const CommonFlags& common) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  // The total is an upper bound (transaction markers take offsets too), so the ETA errs long.
  Progress bar("rebuild", "events");
  auto report = Rebuild(*config, [&bar](const RebuildProgress& p) { bar.Update(p.done, p.total); });
  bar.Finish();
  if (!report.ok()) return Fail(report.status());
  std::cout << "rebuilt " << report->events << " events in " << report->seconds
            << " s; live read models: " << report->generation << "\n";
  return 0;
}

void AddStateDirFlag(CLI::App* cmd, CommonFlags& common) {
  cmd->add_option_function<std::string>(
      "--state-dir",
      [&common](const std::string& v) { common.settings.push_back("projector.state_dir=" + v); },
      "Read-model folder (projector.state_dir, default data/projections)");
}

}  // namespace

void AddServiceCommands(CLI::App& app, CommonFlags& common) {
  CLI::App* project =
      app.add_subcommand("project", "Apply gendan.events to the RocksDB read models");
  AddCommonFlags(project, &common);
  AddStateDirFlag(project, common);
  project->callback([&common] { throw CLI::RuntimeError(RunProject(common)); });
  project->footer(
      "Runs until SIGTERM/SIGINT. Resumes from the offsets stored with the read models.");

  CLI::App* serve =
      app.add_subcommand("serve", "Serve the query API (/v1, /metrics) over the read models");
  AddCommonFlags(serve, &common);
  AddStateDirFlag(serve, common);
  serve->add_option_function<std::string>(
      "--listen",
      [&common](const std::string& v) { common.settings.push_back("serve.listen=" + v); },
      "host:port to listen on (serve.listen, default 127.0.0.1:8080)");
  serve->callback([&common] { throw CLI::RuntimeError(RunServe(common)); });
  serve->footer("Follows the folder a `gendan project` process writes; runs until SIGTERM/SIGINT.");

  CLI::App* rebuild = app.add_subcommand(
      "rebuild", "Build fresh read models from offset 0 beside the live ones and swap them in");
  AddCommonFlags(rebuild, &common);
  AddStateDirFlag(rebuild, common);
  rebuild->callback([&common] { throw CLI::RuntimeError(RunRebuild(common)); });
  rebuild->footer(
      "The live read models keep serving while the new ones are built; running projectors and\n"
      "servers move to the new ones when the link is swapped. Use it after changing\n"
      "projector.utc_offset or the SLAs, or to check a store against the log. It reads\n"
      "projector.rebuild_batch_events (1000000) events at a time, ~3 GB at its peak for a\n"
      "1 000 000-order book; pass -X projector.rebuild_batch_events=200000 on a smaller machine.\n"
      "The new read models are compacted once at the end, before the swap.");

  CLI::App* run = app.add_subcommand("run", "Engine, projector and query API in one process");
  AddCommonFlags(run, &common);
  run->add_option_function<std::string>(
      "--data-dir",
      [&common](const std::string& v) {
        common.settings.push_back("engine.state_dir=" + v + "/engine");
        common.settings.push_back("projector.state_dir=" + v + "/projections");
      },
      "Folder for the engine's and the projector's RocksDB stores (default data/)");
  run->add_option_function<std::string>(
      "--listen",
      [&common](const std::string& v) { common.settings.push_back("serve.listen=" + v); },
      "host:port of the query API (default 127.0.0.1:8080)");
  run->callback([&common] { throw CLI::RuntimeError(RunAll(common)); });
  run->footer(
      "Runs until SIGTERM/SIGINT; a role that fails stops the others and the exit status is 1.");
}

}  // namespace gendan::cli

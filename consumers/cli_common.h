// Internal to the CLI: what every subcommand shares (flags, config resolution, exit codes,
// stop signals) and the registration of each group of subcommands.
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <string>
#include <vector>

#include "consumers/config.h"
#include "engine/status.h"

namespace gendan::cli {

// Flags every subcommand takes; they override the config file, which overrides the defaults.
struct CommonFlags {
  std::string config_file;
  std::string bootstrap;
  std::string topic_prefix;
  bool topic_prefix_set = false;
  std::vector<std::string> settings;  // key=value, as in the config file
  std::string log_level = "info";
};

void AddCommonFlags(CLI::App* app, CommonFlags* flags);

// Builds the effective Config: defaults < file < environment < flags.
Result<Config> ResolveConfig(const CommonFlags& flags);

// Logs the error and returns the exit status for it: 2 for bad input or config, else 1.
int Fail(const Status& s);

// Set by SIGTERM/SIGINT once InstallStopHandlers ran: services finish their batch and stop.
extern std::atomic<bool> g_stop;
void InstallStopHandlers();

// Subcommand groups, each adding its subcommands to `app` (defined in cli_*.cc).
void AddServiceCommands(CLI::App& app, CommonFlags& common);  // project, serve, run
void AddQueryCommands(CLI::App& app, CommonFlags& common);  // order, events, alerts, kpi, scorecard
void AddSimulateCommand(CLI::App& app, CommonFlags& common);  // simulate

}  // namespace gendan::cli

#include "consumers/cli_common.h"

#include <spdlog/spdlog.h>

#include <csignal>

#include "consumers/logging.h"

namespace gendan::cli {

void AddCommonFlags(CLI::App* app, CommonFlags* flags) {
  app->add_option("-c,--config", flags->config_file,
                  "Config file (key = value lines; see docs/config.md)")
      ->envname("GENDAN_CONFIG");
  app->add_option("-b,--bootstrap", flags->bootstrap,
                  "Kafka bootstrap servers (default 127.0.0.1:9092, env GENDAN_BOOTSTRAP)");
  app->add_option_function<std::string>(
      "--topic-prefix",
      [flags](const std::string& v) { flags->topic_prefix = v, flags->topic_prefix_set = true; },
      "Prefix of every topic name (default 'gendan.')");
  app->add_option("-X,--set", flags->settings,
                  "Override one config key: -X key=value (repeatable)");
  app->add_option("--log-level", flags->log_level, "trace|debug|info|warn|error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
  app->add_option_function<std::string>(
         "--log-format",
         [flags](const std::string& v) { flags->settings.push_back("log.format=" + v); },
         "text|json: JSON lines on stderr for log shippers (log.format, default text)")
      ->check(CLI::IsMember({"text", "json"}));
}

Result<Config> ResolveConfig(const CommonFlags& flags) {
  Config config;
  if (!flags.config_file.empty()) {
    auto loaded = LoadConfigFile(flags.config_file);
    if (!loaded.ok()) return loaded.status();
    config = std::move(*loaded);
  }
  ApplyEnvironment(&config);
  if (!flags.bootstrap.empty()) config.kafka.bootstrap = flags.bootstrap;
  if (flags.topic_prefix_set) config.kafka.topic_prefix = flags.topic_prefix;
  for (const std::string& kv : flags.settings) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos)
      return Status::InvalidArgument("--set " + kv + ": expected key=value");
    Status s = ApplySetting(&config, kv.substr(0, eq), kv.substr(eq + 1), "--set");
    if (!s.ok()) return s;
  }
  spdlog::set_level(spdlog::level::from_str(flags.log_level));
  ConfigureLogging(config.log);
  return config;
}

int Fail(const Status& s) {
  spdlog::error("{}", s.ToString());
  return s.code() == Status::Code::kInvalidArgument ? 2 : 1;
}

std::atomic<bool> g_stop{false};

namespace {
void OnSignal(int) { g_stop.store(true); }
}  // namespace

// SIGTERM and SIGINT ask the running service to finish its batch and leave cleanly.
void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

}  // namespace gendan::cli

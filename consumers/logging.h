// Logging: how gendan's log lines look (log.format, --log-format).
//
//   ConfigureLogging(config.log);   // after the config is resolved, before the role starts
//
// "text" is spdlog's default pattern on stdout. "json" writes one JSON object per line to stderr
// (so a command's own output on stdout stays apart), for log shippers (Loki, Elasticsearch,
// journald's JSON export):
//   {"ts":"2026-11-27T03:59:23.123Z","level":"info","thread":4242,"msg":"engine: assigned ..."}
// Messages are escaped as JSON strings; bytes that are not UTF-8 become U+FFFD.
#pragma once

#include <spdlog/formatter.h>

#include <memory>

#include "consumers/config.h"

namespace gendan {

// spdlog formatter writing the JSON lines above (public for tests).
class JsonLogFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

// Applies options.format to every logger.
void ConfigureLogging(const LogOptions& options);

}  // namespace gendan

#include "consumers/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace gendan {
namespace {

// RFC 3339 in UTC with milliseconds, e.g. 2026-11-27T03:59:23.123Z.
std::string Rfc3339(spdlog::log_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  nlohmann::ordered_json line;
  line["ts"] = Rfc3339(msg.time);
  auto level = spdlog::level::to_string_view(msg.level);
  line["level"] = std::string(level.data(), level.size());
  if (msg.logger_name.size() > 0) {
    line["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
  }
  line["thread"] = msg.thread_id;
  line["msg"] = std::string(msg.payload.data(), msg.payload.size());
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  dest.append(text.data(), text.data() + text.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
  return std::make_unique<JsonLogFormatter>();
}

void ConfigureLogging(const LogOptions& options) {
  if (options.format == "json") {
    // On stderr, so that a command's own output on stdout never interleaves with the JSON lines.
    auto level = spdlog::get_level();
    auto logger =
        std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_formatter(std::make_unique<JsonLogFormatter>());
    logger->set_level(level);
    spdlog::set_default_logger(logger);
  } else {
    spdlog::set_pattern("%+");  // spdlog's default
  }
}

}  // namespace gendan

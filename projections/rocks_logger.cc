#include "projections/rocks_logger.h"

#include <spdlog/spdlog.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>

namespace gendan {
namespace {

class SpdlogRocksLogger : public rocksdb::Logger {
 public:
  SpdlogRocksLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    // Header lines are the options dump of every open: noise in gendan's log.
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    // Opening a store that does not exist yet: RocksDB reports the missing folder at error
    // level before it creates it. Not an error for gendan, which opens with create_if_missing.
    if (std::strstr(line, "Error when reading") != nullptr &&
        std::strstr(line, "dir NotFound") != nullptr) {
      return;
    }
    spdlog::log(
        level >= rocksdb::InfoLogLevel::ERROR_LEVEL ? spdlog::level::err : spdlog::level::warn,
        "rocksdb: {}", line);
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> RocksLogger() {
  static const auto logger = std::make_shared<SpdlogRocksLogger>();
  return logger;
}

}  // namespace gendan

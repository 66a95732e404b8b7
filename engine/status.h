// Status and Result: how fallible calls report failure on gendan's I/O paths.
//
//   Status s = store.Write(batch);
//   if (!s.ok()) return s;
//   Result<Config> c = LoadConfig(path);
//   if (!c.ok()) return c.status();
//
// Retryable failures (kTryAgain: a broker hiccup, an aborted transaction) are told apart from
// fatal ones (kFatal: fenced producer, corrupt store) so callers can choose to retry or stop.
// Cheap to copy when ok. Not thread-safe; treat as a value.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace gendan {

class [[nodiscard]] Status {
 public:
  enum class Code { kOk, kInvalidArgument, kNotFound, kIoError, kTryAgain, kFatal };

  Status() = default;
  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status TryAgain(std::string msg) { return {Code::kTryAgain, std::move(msg)}; }
  static Status Fatal(std::string msg) { return {Code::kFatal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  bool retryable() const { return code_ == Code::kTryAgain; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "ok" or "<code name>: <message>", for logs and test failures.
  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design, like std::optional
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "a Result built from a Status must carry an error");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace gendan

// WriteWithRetry's health report (consumers/store_retry.h): the worker is not ready while any of
// its writers is retrying a refused write, and ready again once every one of them landed.

#include "consumers/store_retry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace gendan {
namespace {

StoreRetryOptions Quick(int retries) {
  StoreRetryOptions options;
  options.write_retries = retries;
  options.retry_backoff = std::chrono::milliseconds(1);
  return options;
}

const auto kResume = [] { return Status::Ok(); };

TEST(StoreRetryTest, AWriteThatLandsOnARetryLeavesTheStoreHealthy) {
  StoreHealth health;
  int calls = 0;
  Status s = WriteWithRetry(
      Quick(3), &health, nullptr, "test",
      [&] { return ++calls < 3 ? Status::IoError("disk full") : Status::Ok(); }, kResume);
  EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(calls, 3);
  EXPECT_FALSE(health.Failing());
  EXPECT_EQ(health.write_errors.load(), 2);
}

TEST(StoreRetryTest, AWriteRefusedEveryTimeIsFatalAndLeavesTheStoreFailing) {
  StoreHealth health;
  Status s = WriteWithRetry(
      Quick(2), &health, nullptr, "engine: order store",
      [] { return Status::IoError("read-only file system"); }, kResume);
  EXPECT_EQ(s.code(), Status::Code::kFatal);
  EXPECT_NE(s.message().find("refused a write 3 times"), std::string::npos) << s.message();
  EXPECT_TRUE(health.Failing());
  EXPECT_EQ(health.write_errors.load(), 3);
}

// The engine's committer and a partition's catch-up write the same store from two threads: one
// landing must not report the store healthy while the other still retries.
TEST(StoreRetryTest, OneWriterLandingDoesNotHideAnotherStillRetrying) {
  StoreHealth health;
  std::atomic<bool> release{false};
  std::thread retrying([&] {
    Status s = WriteWithRetry(
        Quick(1'000), &health, nullptr, "catch-up",
        [&] { return release.load() ? Status::Ok() : Status::IoError("disk full"); }, kResume);
    EXPECT_TRUE(s.ok()) << s.message();
  });
  while (!health.Failing()) std::this_thread::yield();  // refused at least once
  Status other = WriteWithRetry(
      Quick(3), &health, nullptr, "committer", [] { return Status::Ok(); }, kResume);
  EXPECT_TRUE(other.ok());
  EXPECT_TRUE(health.Failing());  // the catch-up still retries
  release = true;
  retrying.join();
  EXPECT_FALSE(health.Failing());
}

}  // namespace
}  // namespace gendan

#include "engine/status.h"

#include <gtest/gtest.h>

namespace gendan {
namespace {

// A Status tells retryable failures from fatal ones and renders readably.
TEST(StatusTest, RetryableIsOnlyTryAgain) {
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_TRUE(Status::TryAgain("broker busy").retryable());
  EXPECT_FALSE(Status::Fatal("fenced").retryable());
  EXPECT_EQ(Status::Fatal("fenced").ToString(), "fatal: fenced");
}

// A Result holds either a value or the error that explains its absence.
TEST(StatusTest, ResultCarriesValueOrError) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = Status::NotFound("no such order");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace gendan

#include "consumers/http_guard.h"

#include <algorithm>
#include <cctype>

namespace gendan {

bool NeedsToken(std::string_view path) {
  return path == "/v1" || path.starts_with("/v1/") || path == "/metrics";
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Every byte of `a` is compared (against b's bytes cycled), and the length difference is
  // folded in, so the loop neither stops early nor branches on content.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    const unsigned char other = b.empty() ? 0 : static_cast<unsigned char>(b[i % b.size()]);
    diff |= static_cast<unsigned char>(static_cast<unsigned char>(a[i]) ^ other);
  }
  return diff == 0;
}

BearerCheck CheckBearer(std::string_view authorization, std::string_view token) {
  if (authorization.empty()) return BearerCheck::kMissing;
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), authorization.begin(), [](char s, char c) {
        return s == std::tolower(static_cast<unsigned char>(c));
      })) {
    return BearerCheck::kMalformed;
  }
  std::string_view presented = authorization.substr(kScheme.size());
  while (!presented.empty() && presented.front() == ' ') presented.remove_prefix(1);
  while (!presented.empty() && presented.back() == ' ') presented.remove_suffix(1);
  // Compare against the configured token's length: the work depends on what the server holds,
  // not on what the caller sent.
  return ConstantTimeEquals(token, presented) ? BearerCheck::kOk : BearerCheck::kWrong;
}

}  // namespace gendan

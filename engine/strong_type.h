// StrongType: a value with a tag, so an order version can never be passed where a Kafka offset
// is expected (after Redpanda's named_type).
//
//   using Version = StrongType<int64_t, struct VersionTag>;
//   Version v{3};  v.value() == 3;  Version{1} < v;
#pragma once

#include <compare>
#include <functional>
#include <utility>

namespace gendan {

template <typename T, typename Tag>
class StrongType {
 public:
  using value_type = T;
  constexpr StrongType() = default;
  constexpr explicit StrongType(T v) : value_(std::move(v)) {}
  constexpr const T& value() const { return value_; }
  constexpr auto operator<=>(const StrongType&) const = default;

 private:
  T value_{};
};

}  // namespace gendan

template <typename T, typename Tag>
struct std::hash<gendan::StrongType<T, Tag>> {
  size_t operator()(const gendan::StrongType<T, Tag>& v) const { return std::hash<T>{}(v.value()); }
};

// Internal to engine/: builds Rejected values from message pieces.
//
//   if (state.stage != CONFIRMED) return Reject(INVALID_TRANSITION, "needs ", ..., n);
//
// Messages are only built on the rejection path, so plain appends are fast enough and keep
// the rules readable without a formatting library.
#pragma once

#include <concepts>
#include <optional>
#include <string>
#include <string_view>

#include "engine/decide.h"

namespace gendan::internal {

// nullopt when a check passes; the rejection when it fails. Chains like Status:
//   if (auto r = CheckX(...)) return r;
using Check = std::optional<Rejected>;

template <typename T>
void AppendPiece(std::string& out, const T& piece) {
  if constexpr (std::integral<T> && !std::same_as<T, char> && !std::same_as<T, bool>) {
    out += std::to_string(piece);
  } else {
    out += std::string_view(piece);
  }
}

template <typename... Pieces>
Rejected Reject(v1::RejectionReason::Value reason, const Pieces&... pieces) {
  Rejected r{reason, {}};
  (AppendPiece(r.message, pieces), ...);
  return r;
}

}  // namespace gendan::internal

#include "consumers/dashboard.h"

#include <algorithm>

namespace gendan {

// Defined in the generated dashboard_assets.cc (cmake/embed_assets.cmake), sorted by name.
extern const DashboardAsset kDashboardAssets[];
extern const std::size_t kDashboardAssetCount;

std::span<const DashboardAsset> DashboardAssets() {
  return {kDashboardAssets, kDashboardAssetCount};
}

const DashboardAsset* FindDashboardAsset(std::string_view name) {
  auto assets = DashboardAssets();
  auto it =
      std::lower_bound(assets.begin(), assets.end(), name,
                       [](const DashboardAsset& a, std::string_view n) { return a.name < n; });
  return it != assets.end() && it->name == name ? &*it : nullptr;
}

}  // namespace gendan

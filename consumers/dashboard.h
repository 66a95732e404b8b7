// The dashboard's static files (web/src and web/vendor), compiled into the binary so that
// `gendan serve` and `gendan run` serve GET / with no CDN and nothing installed beside them.
//
//   const DashboardAsset* a = FindDashboardAsset("app.js");   // nullptr when there is none
//   if (a) res.set_content(std::string(a->body), std::string(a->content_type));
//
// The bytes come from cmake/embed_assets.cmake, which turns every file of web/src and
// web/vendor into a generated source at build time (docs/dashboard.md). Immutable; thread-safe.
#pragma once

#include <span>
#include <string_view>

namespace gendan {

struct DashboardAsset {
  std::string_view name;          // the file name, e.g. "index.html", "chart.umd.min.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;          // the file's bytes
};

// Every embedded file, in name order.
std::span<const DashboardAsset> DashboardAssets();

// The asset with this file name, or nullptr.
const DashboardAsset* FindDashboardAsset(std::string_view name);

}  // namespace gendan

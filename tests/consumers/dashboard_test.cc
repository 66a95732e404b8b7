#include "consumers/dashboard.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace gendan {
namespace {

std::string ReadSource(const std::string& path) {
  std::ifstream in(std::string(GENDAN_SOURCE_DIR) + "/" + path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Invariant: the binary carries web/src and web/vendor byte for byte.
TEST(DashboardTest, EmbedsTheFilesOfWeb) {
  for (const char* path : {"web/src/index.html", "web/src/app.js", "web/src/style.css",
                           "web/vendor/chart.umd.min.js"}) {
    std::string name = std::string(path).substr(std::string(path).rfind('/') + 1);
    const DashboardAsset* a = FindDashboardAsset(name);
    ASSERT_NE(a, nullptr) << name;
    EXPECT_EQ(a->body, ReadSource(path)) << name;
  }
  EXPECT_EQ(FindDashboardAsset("index.html")->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(FindDashboardAsset("app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(FindDashboardAsset("style.css")->content_type, "text/css; charset=utf-8");
}

// Invariant: lookups find exactly the embedded names (sorted, so the binary search works).
TEST(DashboardTest, FindsOnlyEmbeddedNames) {
  auto assets = DashboardAssets();
  ASSERT_GE(assets.size(), 4u);
  for (size_t i = 1; i < assets.size(); ++i) EXPECT_LT(assets[i - 1].name, assets[i].name);
  for (const auto& a : assets) EXPECT_EQ(FindDashboardAsset(a.name), &a);
  EXPECT_EQ(FindDashboardAsset("nope.js"), nullptr);
  EXPECT_EQ(FindDashboardAsset(""), nullptr);
  EXPECT_EQ(FindDashboardAsset("../index.html"), nullptr);
}

// Invariant: every file the page asks for (/assets/... in the HTML, './x.js' imports in the
// modules) is embedded, and nothing is fetched from another origin.
TEST(DashboardTest, EveryReferenceResolvesToAnEmbeddedFile) {
  std::set<std::string> wanted;
  const std::regex asset_ref(R"re((?:src|href)="/assets/([^"]+)")re");
  std::string html(FindDashboardAsset("index.html")->body);
  for (std::sregex_iterator it(html.begin(), html.end(), asset_ref), end; it != end; ++it)
    wanted.insert((*it)[1]);
  EXPECT_TRUE(wanted.count("app.js"));
  EXPECT_TRUE(wanted.count("chart.umd.min.js"));
  const std::regex import_ref(R"re(from '\./([^']+)')re");
  for (const auto& a : DashboardAssets()) {
    if (!a.name.ends_with(".js") || a.name == "chart.umd.min.js") continue;
    std::string js(a.body);
    for (std::sregex_iterator it(js.begin(), js.end(), import_ref), end; it != end; ++it)
      wanted.insert((*it)[1]);
    EXPECT_EQ(js.find("http://"), std::string::npos) << a.name;
    EXPECT_EQ(js.find("https://"), std::string::npos) << a.name;
  }
  EXPECT_EQ(html.find("https://"), std::string::npos);
  for (const auto& name : wanted) EXPECT_NE(FindDashboardAsset(name), nullptr) << name;
}

}  // namespace
}  // namespace gendan

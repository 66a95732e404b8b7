// The scorecard.<kpi> config keys (docs/config.md): the default card, replacing it, and errors
// that name the file, line and entry.
#include <gtest/gtest.h>

#include <fstream>

#include "consumers/config.h"

namespace gendan {
namespace {

// Without scorecard keys the card is DOMAIN.md §8's default.
TEST(ScorecardConfigTest, DefaultCard) {
  Config c;
  ASSERT_TRUE(ApplyConfigText(&c, "bootstrap = a:1\n", "g.conf").ok());
  EXPECT_EQ(c.scorecard.entries, DefaultScorecard());
  EXPECT_EQ(c.scorecard.entries.size(), 7u);
}

// The default card as docs/config.md prints it parses to the default: the docs stay true.
TEST(ScorecardConfigTest, DocumentedDefaultIsTheDefault) {
  std::ifstream docs(GENDAN_SOURCE_DIR "/docs/config.md");
  ASSERT_TRUE(docs) << "docs/config.md";
  std::string text, line;
  while (std::getline(docs, line)) {
    if (line.starts_with("scorecard.") && !line.starts_with("scorecard.<")) text += line + "\n";
  }
  Config c;
  Status s = ApplyConfigText(&c, text, "docs/config.md");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(c.scorecard.customised);
  EXPECT_EQ(c.scorecard.entries, DefaultScorecard()) << text;
}

// The first scorecard line replaces the default card; a later line for the same KPI replaces
// that entry; -X/--set adds to (or replaces in) the file's card.
TEST(ScorecardConfigTest, EntriesReplaceTheDefault) {
  Config c;
  Status s = ApplyConfigText(&c,
                             "scorecard.otif_rate = target=0.9 weight=2 direction=higher\n"
                             "# a comment\n"
                             "scorecard.cycle_time_days = target=20 weight=1 direction=lower\n"
                             "scorecard.otif_rate = target=0.85 weight=3 direction=higher\n",
                             "g.conf");
  ASSERT_TRUE(s.ok()) << s.ToString();
  Scorecard want = {{KpiKey::kOtifRate, 0.85, 3, Direction::kHigher},
                    {KpiKey::kCycleTimeDays, 20, 1, Direction::kLower}};
  EXPECT_EQ(c.scorecard.entries, want);

  ASSERT_TRUE(
      ApplySetting(&c, "scorecard.csat", "target=0.8 weight=1 direction=higher", "--set").ok());
  want.push_back({KpiKey::kCsat, 0.8, 1, Direction::kHigher});
  EXPECT_EQ(c.scorecard.entries, want);

  Config only_flag;  // a flag alone also starts a card of its own
  ASSERT_TRUE(
      ApplySetting(&only_flag, "scorecard.rating", "target=4 weight=1 direction=higher", "--set")
          .ok());
  EXPECT_EQ(only_flag.scorecard.entries, (Scorecard{{KpiKey::kRating, 4, 1, Direction::kHigher}}));
}

// A bad entry stops start-up with an error naming file, line and entry; nothing is applied.
TEST(ScorecardConfigTest, BadEntriesNameTheLineAndEntry) {
  struct Bad {
    const char* line;
    const char* message;
  };
  for (const Bad& bad : std::vector<Bad>{
           {"scorecard.otif_ratio = target=0.9 weight=1 direction=higher",
            "g.conf:2: scorecard.otif_ratio: unknown KPI 'otif_ratio'"},
           {"scorecard.csat = target=0.9 weight=0 direction=higher",
            "g.conf:2: scorecard.csat: weight must be a number > 0, got '0'"},
           {"scorecard.csat = target=-0.9 weight=1 direction=higher",
            "g.conf:2: scorecard.csat: target must be a number > 0, got '-0.9'"},
           {"scorecard.csat = target=0.9 weight=1 direction=sideways",
            "g.conf:2: scorecard.csat: direction must be higher or lower, got 'sideways'"},
           {"scorecard.csat = target=0.9 weight=1", "g.conf:2: scorecard.csat: missing direction"},
           {"scorecard. = target=0.9 weight=1 direction=higher",
            "g.conf:2: scorecard.: unknown KPI"},
       }) {
    Config c;
    Status s = ApplyConfigText(
        &c, std::string("scorecard.csat = target=0.5 weight=1 direction=higher\n") + bad.line,
        "g.conf");
    ASSERT_FALSE(s.ok()) << bad.line;
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
    EXPECT_NE(s.message().find(bad.message), std::string::npos)
        << s.message() << "\n wanted: " << bad.message;
    EXPECT_EQ(c.scorecard.entries, DefaultScorecard()) << "nothing of the file is applied";
  }
}

}  // namespace
}  // namespace gendan

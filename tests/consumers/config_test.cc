#include "consumers/config.h"

#include <gtest/gtest.h>

namespace gendan {
namespace {

// Every known key lands in its field; kafka.* passes through to librdkafka.
TEST(ConfigTest, AppliesKnownKeysAndKafkaPassThrough) {
  Config c;
  Status s = ApplyConfigText(&c,
                             "# comment\n\nbootstrap = 10.0.0.1:9092\ntopic_prefix = acme.\n"
                             "kafka.linger.ms = 7\nengine.commit_interval_ms=250\n",
                             "gendan.conf");
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.kafka.bootstrap, "10.0.0.1:9092");
  EXPECT_EQ(c.Topic("events"), "acme.events");
  EXPECT_EQ(c.kafka.properties.at("linger.ms"), "7");
  EXPECT_EQ(c.engine.commit_interval.count(), 250);
}

// A bad line is an error naming file and line, and nothing of the file is applied.
TEST(ConfigTest, BadLineNamesTheLineAndAppliesNothing) {
  Config c;
  Status s = ApplyConfigText(&c, "bootstrap = a:1\nengine.commit_interval_ms = soon\n", "g.conf");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("g.conf:2"), std::string::npos) << s.message();
  EXPECT_EQ(c.kafka.bootstrap, "127.0.0.1:9092");
  EXPECT_NE(ApplyConfigText(&c, "no equals sign\n", "g.conf").message().find("g.conf:1"),
            std::string::npos);
  EXPECT_NE(ApplyConfigText(&c, "\n\nengin.typo = 1\n", "g.conf")
                .message()
                .find("g.conf:3: engin.typo: unknown key"),
            std::string::npos);
}

}  // namespace
}  // namespace gendan

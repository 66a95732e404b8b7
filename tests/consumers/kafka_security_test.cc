// Kafka TLS/SASL settings pass through to librdkafka, and their secrets never reach a log line or
// an error message: not gendan's, not librdkafka's (its logs and errors go through spdlog,
// redacted), not a config file error.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>
#include <thread>

#include "consumers/config.h"
#include "consumers/kafka_client.h"

namespace gendan {
namespace {

constexpr char kSecret[] = "Pa55-w0rd-NEVER-LOGGED-7f3a";

// Captures everything spdlog's default logger writes while alive.
class CapturedLog {
 public:
  CapturedLog() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous_); }
  std::string text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream out_;
};

// A SASL client against the plaintext test broker: librdkafka logs its configuration (debug
// "conf") and the failing SASL handshake; none of it shows the password.
TEST(KafkaSecurityTest, SaslPasswordNeverLogged) {
  Config c;
  c.kafka.bootstrap =
      std::getenv("GENDAN_BOOTSTRAP") ? std::getenv("GENDAN_BOOTSTRAP") : "127.0.0.1:9092";
  c.kafka.properties = {{"security.protocol", "SASL_PLAINTEXT"},
                        {"sasl.mechanism", "PLAIN"},
                        {"sasl.username", "gendan"},
                        {"sasl.password", kSecret},
                        {"debug", "conf,security,broker"}};
  CapturedLog log;
  {
    auto producer = MakeProducer(c, {});
    ASSERT_TRUE(producer.ok()) << producer.status().message();
    RdKafka::Metadata* md = nullptr;
    (void)(*producer)->metadata(true, nullptr, &md, 3000);  // fails: the broker speaks no SASL
    delete md;
    (*producer)->poll(100);
  }
  std::string text = log.text();
  EXPECT_NE(text.find("kafka: "), std::string::npos) << "librdkafka logged nothing through spdlog";
  EXPECT_NE(text.find("sasl.username"), std::string::npos) << "the conf dump did not happen";
  EXPECT_EQ(text.find(kSecret), std::string::npos) << text.substr(0, 4000);
}

// A TLS client whose key cannot be loaded: the error names the problem, not the key password.
TEST(KafkaSecurityTest, TlsKeyPasswordNotInErrors) {
  Config c;
  c.kafka.properties = {{"security.protocol", "SSL"},
                        {"ssl.key.location", "/nonexistent/client.key"},
                        {"ssl.certificate.location", "/nonexistent/client.pem"},
                        {"ssl.key.password", kSecret}};
  CapturedLog log;
  auto producer = MakeProducer(c, {});
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.status().message().find(kSecret), std::string::npos)
      << producer.status().message();
  EXPECT_EQ(log.text().find(kSecret), std::string::npos);
  // A secret property librdkafka refuses is reported without its value.
  Config bad;
  bad.kafka.properties = {{"ssl.key.password", kSecret}, {"client.secret.typo", kSecret}};
  auto refused = MakeConsumer(bad, {{"group.id", "g"}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().find(kSecret), std::string::npos)
      << refused.status().message();
}

// Config file errors do not quote a line that may hold a secret; the auth token is not echoed.
TEST(KafkaSecurityTest, ConfigErrorsDoNotEchoSecrets) {
  Config c;
  Status typo =
      ApplyConfigText(&c, std::string("kafka.sasl.password: ") + kSecret + "\n", "secure.conf");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.message().find(kSecret), std::string::npos) << typo.message();
  EXPECT_NE(typo.message().find("secure.conf:1"), std::string::npos) << typo.message();
  Status short_token = ApplyConfigText(&c, "serve.auth_token = short-secret\n", "secure.conf");
  ASSERT_FALSE(short_token.ok());
  EXPECT_EQ(short_token.message().find("short-secret"), std::string::npos);
  ASSERT_TRUE(ApplyConfigText(&c,
                              std::string("kafka.security.protocol = SASL_SSL\n"
                                          "kafka.sasl.password = ") +
                                  kSecret + "\nserve.auth_token = 0123456789abcdef\n",
                              "secure.conf")
                  .ok());
  EXPECT_EQ(c.kafka.properties.at("sasl.password"), kSecret);  // passed through untouched
  EXPECT_EQ(c.serve.auth_token, "0123456789abcdef");
  EXPECT_TRUE(IsSecretKafkaProperty("sasl.password"));
  EXPECT_TRUE(IsSecretKafkaProperty("ssl.keystore.password"));
  EXPECT_TRUE(IsSecretKafkaProperty("sasl.oauthbearer.client.secret"));
  EXPECT_FALSE(IsSecretKafkaProperty("sasl.username"));
  (void)MakeProducer(c, {});  // a client built from the config makes its secrets known
  EXPECT_EQ(RedactSecrets(std::string("x ") + kSecret + " y"), "x [redacted] y");
}

}  // namespace
}  // namespace gendan

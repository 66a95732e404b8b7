// Several `gendan engine` processes in one consumer group (issue 10, item 1): instances stop,
// die and join while a workload flows over every partition, and the event log still holds every
// accepted event exactly once with versions 1..n per order.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "consumers/kafka_client.h"
#include "engine/describe.h"
#include "tests/consumers/broker_fixture.h"
#include "tests/engine/history_generator.h"
#include "tests/engine/test_events.h"

namespace gendan {
namespace {

using gendan::test::Event;
using gendan::test::HistoryGenerator;
using gendan::testing::BrokerTest;
using gendan::testing::Record;
using Clock = std::chrono::steady_clock;

// What is sent, and what the engine must make of it.
struct Workload {
  std::vector<v1::InboundEvent> sent;      // in publishing order
  std::vector<v1::InboundEvent> accepted;  // every valid history event, once
  std::set<std::string> unknown_order;     // event ids that must be rejected as UNKNOWN_ORDER
};

// `orders` generated histories, published round-robin (one event of each order in turn, so every
// partition has traffic all along), with a fact about an unknown order every `reject_every`.
Workload MakeWorkload(uint64_t seed, int orders, size_t reject_every) {
  HistoryGenerator gen(seed);
  std::vector<std::vector<v1::InboundEvent>> histories;
  for (int i = 0; i < orders; ++i) histories.push_back(gen.Next("S-" + std::to_string(i)));
  Workload w;
  for (size_t step = 0;; ++step) {
    bool any = false;
    for (const auto& h : histories) {
      if (step >= h.size()) continue;
      any = true;
      w.sent.push_back(h[step]);
      w.accepted.push_back(h[step]);
      if (w.sent.size() % reject_every == 0) {
        v1::InboundEvent bogus = Event(R"(order_confirmed { promised_date: "2024-03-05" })");
        const std::string n = std::to_string(w.unknown_order.size());
        bogus.set_order_id("NOPE-" + n);
        bogus.set_event_id("nope-" + n);
        w.unknown_order.insert(bogus.event_id());
        w.sent.push_back(std::move(bogus));
      }
    }
    if (!any) break;
  }
  return w;
}

// A `gendan engine` child process with its own instance id and state dir, logging to a file.
class EngineProcess {
 public:
  EngineProcess(const std::string& bin, const Config& config, const std::string& instance,
                const std::string& log_path, const std::string& strategy)
      : log_path_(log_path) {
    std::vector<std::string> args = {
        bin, "engine", "--log-level", "info", "--bootstrap", config.kafka.bootstrap,
        "--topic-prefix", config.kafka.topic_prefix, "--state-dir",
        config.engine.state_dir + "-" + instance, "--instance", instance, "-X",
        "engine.commit_interval_ms=200", "-X", "engine.group_id=" + config.engine.group_id,
        // A stopped static member keeps its partitions until its session ends (it sends no
        // LeaveGroup); a killed one's open transaction blocks gendan.events until it times out.
        "-X", "kafka.session.timeout.ms=6000", "-X", "kafka.transaction.timeout.ms=10000"};
    if (!strategy.empty()) {
      args.insert(args.end(), {"-X", "kafka.partition.assignment.strategy=" + strategy});
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
  }
  ~EngineProcess() {
    if (pid_ > 0) Signal(SIGKILL);
  }
  EngineProcess(const EngineProcess&) = delete;
  EngineProcess& operator=(const EngineProcess&) = delete;

  // Sends `signal` and waits for the exit; returns the wait status (that of an earlier exit
  // when Exited() found one).
  int Signal(int signal) {
    if (!exited_) {
      kill(pid_, signal);
      waitpid(pid_, &status_, 0);
      exited_ = true;
    }
    pid_ = -1;
    return status_;
  }
  // True once the process has exited by itself (a waiting test fails at once, with its log).
  bool Exited() {
    if (!exited_ && pid_ > 0 && waitpid(pid_, &status_, WNOHANG) == pid_) exited_ = true;
    return exited_;
  }
  std::string ExitDescription() const {
    return WIFEXITED(status_)     ? "exited with status " + std::to_string(WEXITSTATUS(status_))
           : WIFSIGNALED(status_) ? "died of signal " + std::to_string(WTERMSIG(status_))
                                  : "ended";
  }

  // The engine's own log lines about its partitions, from the log file at `path`.
  static std::vector<std::string> RebalanceLines(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
      if (line.find("engine: assigned") != std::string::npos ||
          line.find(" caught up (") != std::string::npos ||
          line.find("engine: revoked") != std::string::npos ||
          line.find("engine: lost") != std::string::npos) {
        out.push_back(line.substr(line.find("engine: ")));
      }
    }
    return out;
  }
  // The last lines of its log, to show why it failed.
  std::string Tail() const { return Tail(log_path_); }
  static std::string Tail(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::string out;
    for (size_t i = lines.size() > 15 ? lines.size() - 15 : 0; i < lines.size(); ++i) {
      out += lines[i] + "\n";
    }
    return out;
  }
  // The partitions it owns by its latest log line ("owns [..]" when assigned, "now owns [..]"
  // once a new partition is caught up, "still owns [..]" after a revoke).
  std::string Owns() const {
    std::vector<std::string> lines = RebalanceLines(log_path_);
    if (lines.empty()) return "";
    static const std::regex owns(R"(owns (\[[0-9,]*\]))");
    std::smatch m;
    return std::regex_search(lines.back(), m, owns) ? m[1].str() : "";
  }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

class EngineScaleoutIT : public BrokerTest {
 protected:
  int partitions() const override { return 6; }
  // Runs the scenario with `strategy` ("" = gendan's default) and checks the log it leaves.
  void StopKillJoinAndCheck(const std::string& strategy, const std::string& protocol);
};

void EngineScaleoutIT::StopKillJoinAndCheck(const std::string& strategy,
                                            const std::string& protocol) {
  const Workload w = MakeWorkload(17, 500, 97);
  const std::string log_dir = scratch_dir();
  // A copy of the binary: a rebuild while the test runs must not change it between spawns.
  const std::string bin = log_dir + "gendan";
  std::filesystem::copy_file(std::string(GENDAN_BINARY_DIR) + "/gendan", bin);
  std::map<std::string, std::unique_ptr<EngineProcess>> engines;
  std::vector<std::string> logs;
  auto start = [&](const std::string& name) {
    logs.push_back(log_dir + name + "." + std::to_string(logs.size()) + ".log");
    engines[name] = std::make_unique<EngineProcess>(bin, config(), name, logs.back(), strategy);
  };
  // An instance that exited on its own fails the test at once, with its log.
  auto exited = [&](const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& name : names) {
      if (engines[name]->Exited()) {
        out += name + " " + engines[name]->ExitDescription() + "; its log ends:\n" +
               engines[name]->Tail();
      }
    }
    return out;
  };
  for (const char* name : {"a", "b", "c"}) start(name);
  // Generous: on a loaded CI machine three processes start, wait for their topics' metadata
  // (up to 15 s), join and catch up; only the end state is checked, not how long it took.
  const bool shared = gendan::testing::WaitFor(
      [&] {
        if (!exited({"a", "b", "c"}).empty()) return true;
        for (const auto& [name, e] : engines) {
          if (e->Owns().size() <= 2) return false;  // "[]": not yet
        }
        return true;
      },
      120'000);
  const std::string died = exited({"a", "b", "c"});
  ASSERT_TRUE(shared && died.empty())
      << died << "three instances did not share the partitions; a's log ends:\n"
      << engines["a"]->Tail() << "b's:\n"
      << engines["b"]->Tail() << "c's:\n"
      << engines["c"]->Tail();

  // Publish in 100 ms ticks for ~25 s; meanwhile b stops cleanly, c is SIGKILLed, d joins and b
  // comes back (with its old, now stale state dir).
  auto producer = MakeProducer(config(), {{"enable.idempotence", "true"}, {"linger.ms", "5"}});
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  const size_t ticks = 250;
  const size_t per_tick = (w.sent.size() + ticks - 1) / ticks;
  const auto t0 = Clock::now();
  const int64_t t0_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  int b_stop_status = 0;
  for (size_t tick = 0; tick < ticks; ++tick) {
    std::this_thread::sleep_until(t0 + std::chrono::milliseconds(100 * tick));
    for (size_t i = tick * per_tick; i < std::min(w.sent.size(), (tick + 1) * per_tick); ++i) {
      ASSERT_EQ(ProduceWaiting(**producer, config().Topic("inbound"), RdKafka::Topic::PARTITION_UA,
                               w.sent[i].order_id(), w.sent[i].SerializeAsString()),
                RdKafka::ERR_NO_ERROR);
    }
    (*producer)->poll(0);
    if (tick == 50) b_stop_status = engines["b"]->Signal(SIGTERM);
    if (tick == 100) {
      int status = engines["c"]->Signal(SIGKILL);
      ASSERT_TRUE(WIFSIGNALED(status)) << "c had already exited with " << WEXITSTATUS(status);
    }
    if (tick == 150) start("d");
    if (tick == 200) start("b");
  }
  // Every event again: all of them are duplicates now, decided by whichever instance owns them.
  for (const v1::InboundEvent& e : w.accepted) {
    ASSERT_EQ(ProduceWaiting(**producer, config().Topic("inbound"), RdKafka::Topic::PARTITION_UA,
                             e.order_id(), e.SerializeAsString()),
              RdKafka::ERR_NO_ERROR);
  }
  ASSERT_EQ((*producer)->flush(30'000), RdKafka::ERR_NO_ERROR);
  const double publish_s = std::chrono::duration<double>(Clock::now() - t0).count();
  EXPECT_TRUE(WIFEXITED(b_stop_status) && WEXITSTATUS(b_stop_status) == 0)
      << "b stops cleanly on SIGTERM; its log ends:\n"
      << EngineProcess::Tail(logs[1]);

  std::vector<Record> events = ReadAll(config().Topic("events"), w.accepted.size(), 180'000);
  std::vector<Record> rejections =
      ReadAll(config().Topic("rejections"), w.unknown_order.size(), 60'000);
  // The group settles with every live instance owning partitions (so a has given some up).
  const bool settled = gendan::testing::WaitFor(
      [&] {
        if (!exited({"a", "b", "d"}).empty()) return true;
        for (const char* name : {"a", "b", "d"}) {
          if (engines[name]->Owns().size() <= 2) return false;
        }
        return true;
      },
      120'000);
  const std::string died_late = exited({"a", "b", "d"});
  EXPECT_TRUE(settled && died_late.empty()) << died_late << "a, b and d do not all own partitions";
  for (const char* name : {"a", "b", "d"}) {
    int status = engines[name]->Signal(SIGTERM);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << name << " stops cleanly; its log ends:\n"
        << engines[name]->Tail();
  }

  // Exactly once: each accepted event recorded once, versions 1..n per order with no gap.
  std::map<std::string, int> count;
  std::map<std::string, int64_t> version;
  int jumps = 0;
  std::map<int32_t, std::vector<std::pair<int64_t, int64_t>>> recorded_at;  // partition → offsets
  for (const Record& r : events) {
    v1::OrderEvent e;
    ASSERT_TRUE(e.ParseFromString(r.value));
    ++count[e.event_id()];
    int64_t& v = version[e.order_id()];
    const int64_t at_ms = e.recorded_at().seconds() * 1000 + e.recorded_at().nanos() / 1'000'000;
    if (e.version() != v + 1 && ++jumps <= 5) {
      ADD_FAILURE() << "order " << e.order_id() << " jumps from v" << v << " at " << Describe(e)
                    << " (partition " << r.partition << " offset " << r.offset
                    << ", recorded at t=" << (at_ms - t0_unix_ms) / 1000.0 << " s)";
    }
    v = e.version();
    recorded_at[r.partition].emplace_back(r.offset, at_ms);
  }
  EXPECT_EQ(jumps, 0) << "orders whose versions are not 1..n";
  int missing = 0, doubled = 0;
  for (const v1::InboundEvent& e : w.accepted) {
    missing += count[e.event_id()] == 0;
    doubled += count[e.event_id()] > 1;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(doubled, 0);
  EXPECT_EQ(events.size(), w.accepted.size());

  // Rejections: exactly the facts about unknown orders, each once.
  std::map<std::string, int> rejected;
  std::map<std::string, std::string> rejected_where;  // event id → where each rejection came from
  for (const Record& r : rejections) {
    v1::Rejection rejection;
    ASSERT_TRUE(rejection.ParseFromString(r.value));
    EXPECT_EQ(rejection.reason(), v1::RejectionReason::UNKNOWN_ORDER) << rejection.message();
    ++rejected[rejection.inbound().event_id()];
    const int64_t at_ms =
        rejection.rejected_at().seconds() * 1000 + rejection.rejected_at().nanos() / 1'000'000;
    rejected_where[rejection.inbound().event_id()] +=
        " [inbound " + std::to_string(rejection.partition()) + "@" +
        std::to_string(rejection.offset()) + ", rejections " + std::to_string(r.partition) + "@" +
        std::to_string(r.offset) + ", t=" + std::to_string((at_ms - t0_unix_ms) / 1000.0) + " s]";
  }
  EXPECT_EQ(rejections.size(), w.unknown_order.size());
  for (const std::string& id : w.unknown_order) {
    EXPECT_EQ(rejected[id], 1) << id << rejected_where[id];
  }

  // The protocol: every assignment and revocation logged says which one ran.
  int incremental_revokes = 0;
  int64_t longest_revoke_ms = 0;
  static const std::regex revoke(R"(still owns \[([0-9,]*)\].* in ([0-9]+) ms)");
  for (size_t i = 0; i < logs.size(); ++i) {
    for (const std::string& line : EngineProcess::RebalanceLines(logs[i])) {
      std::cout << "[ NOTE ] " << logs[i].substr(log_dir.size()) << ": " << line << "\n";
      if (line.find(" caught up (") == std::string::npos) {  // assigned, revoked, lost
        EXPECT_NE(line.find("(" + protocol + ")"), std::string::npos) << line;
      }
      std::smatch m;
      if (std::regex_search(line, m, revoke)) {
        longest_revoke_ms = std::max<int64_t>(longest_revoke_ms, std::stoll(m[2].str()));
        if (!m[1].str().empty()) ++incremental_revokes;
      }
    }
  }
  if (protocol == "COOPERATIVE") {
    EXPECT_GT(incremental_revokes, 0) << "no instance gave up some partitions and kept others";
  }
  if (HasFailure()) {  // the scratch dir goes in TearDown; the engines' logs stay for a look
    const std::string keep = ::testing::TempDir() + "engine-scaleout-" + protocol + "/";
    std::filesystem::remove_all(keep);
    std::filesystem::create_directories(keep);
    for (const std::string& path : logs) {
      std::filesystem::copy_file(path, keep + path.substr(log_dir.size()));
    }
    std::cout << "[ NOTE ] the engines' logs are in " << keep << "\n";
  }

  // The pause each events partition saw while publishing: the longest gap between consecutive
  // recorded events (b stopped at 5 s, c killed at 10 s, d joined at 15 s, b back at 20 s).
  std::cout << "[ NOTE ] " << protocol << ": " << w.sent.size() << " inbound records, "
            << w.accepted.size() << " accepted, " << w.unknown_order.size()
            << " unknown-order rejections, published in " << publish_s
            << " s; longest revoke callback " << longest_revoke_ms << " ms\n";
  for (auto& [partition, recs] : recorded_at) {
    std::sort(recs.begin(), recs.end());
    int64_t gap = 0, at = 0;
    for (size_t i = 1; i < recs.size(); ++i) {
      if (recs[i].second - recs[i - 1].second > gap) {
        gap = recs[i].second - recs[i - 1].second;
        at = recs[i - 1].second - t0_unix_ms;
      }
    }
    std::cout << "[ NOTE ] " << protocol << ": events partition " << partition << " longest gap "
              << gap << " ms, from t=" << at / 1000.0 << " s\n";
  }
}

// cooperative-sticky (the default): moved partitions only; the others keep flowing.
TEST_F(EngineScaleoutIT, CooperativeGroupLosesAndDoublesNothing) {
  StopKillJoinAndCheck("", "COOPERATIVE");
}

// A user's eager assignor (kafka.partition.assignment.strategy=range) still works.
TEST_F(EngineScaleoutIT, EagerGroupLosesAndDoublesNothing) {
  StopKillJoinAndCheck("range", "EAGER");
}

}  // namespace
}  // namespace gendan

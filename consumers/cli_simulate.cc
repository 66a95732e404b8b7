// `gendan simulate`: a generated order book (simulator/simulator.h) as JSON Lines — the format
// `gendan publish` reads — or straight to the inbound topic, optionally paced to a rate.
#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "consumers/cli_common.h"
#include "consumers/kafka_client.h"
#include "consumers/progress.h"
#include "projections/business_time.h"
#include "simulator/simulator.h"

namespace gendan::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct SimulateFlags {
  sim::SimOptions options;
  std::string utc_offset;  // empty: the config's projector.utc_offset
  std::string output = "-";
  bool publish = false;
  double rate = 0;  // events/s; 0 = as fast as possible
};

// Where the facts go: a JSON Lines stream or the inbound topic.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Write(const v1::InboundEvent& e) = 0;
  virtual Status Close() = 0;
};

class JsonLinesSink : public Sink {
 public:
  explicit JsonLinesSink(std::ostream& out) : out_(out) {
    options_.preserve_proto_field_names = true;
  }
  Status Write(const v1::InboundEvent& e) override {
    line_.clear();
    auto st = google::protobuf::util::MessageToJsonString(e, &line_, options_);
    if (!st.ok()) return Status::InvalidArgument(std::string(st.message()));
    line_ += '\n';
    out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
    return out_ ? Status::Ok() : Status::IoError("writing the JSON Lines output failed");
  }
  Status Close() override {
    out_.flush();
    return out_ ? Status::Ok() : Status::IoError("writing the JSON Lines output failed");
  }

 private:
  std::ostream& out_;
  google::protobuf::util::JsonPrintOptions options_;
  std::string line_;
};

class DeliveryCounter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override {
    if (m.err() == RdKafka::ERR_NO_ERROR) {
      ++delivered;
    } else if (failed++ == 0) {
      first_error = m.errstr();
    }
  }
  int64_t delivered = 0, failed = 0;
  std::string first_error;
};

// Keyed by order_id with an idempotent producer, as `gendan publish` sends.
class KafkaSink : public Sink {
 public:
  static Result<std::unique_ptr<KafkaSink>> Open(const Config& config) {
    auto sink = std::unique_ptr<KafkaSink>(new KafkaSink(config.Topic("inbound")));
    auto producer = MakeProducer(config,
                                 {{"enable.idempotence", "true"},
                                  {"acks", "all"},
                                  {"linger.ms", "10"},
                                  {"compression.type", "lz4"},
                                  {"queue.buffering.max.messages", "1000000"}},
                                 &sink->counter_);
    if (!producer.ok()) return producer.status();
    sink->producer_ = std::move(*producer);
    return sink;
  }
  Status Write(const v1::InboundEvent& e) override {
    e.SerializeToString(&bytes_);
    if (auto err =
            ProduceWaiting(*producer_, topic_, RdKafka::Topic::PARTITION_UA, e.order_id(), bytes_);
        err != RdKafka::ERR_NO_ERROR) {
      return Status::IoError("producing to " + topic_ + ": " + RdKafka::err2str(err));
    }
    ++produced_;
    producer_->poll(0);
    return counter_.failed == 0 ? Status::Ok() : Failed();
  }
  Status Close() override {
    while (producer_->outq_len() > 0 && counter_.delivered + counter_.failed < produced_) {
      producer_->flush(1000);
    }
    return counter_.failed == 0 ? Status::Ok() : Failed();
  }
  const std::string& topic() const { return topic_; }

 private:
  explicit KafkaSink(std::string topic) : topic_(std::move(topic)) {}
  Status Failed() const {
    return Status::IoError(std::to_string(counter_.failed) + " events were not delivered to " +
                           topic_ + ": " + counter_.first_error);
  }
  std::string topic_;
  DeliveryCounter counter_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::string bytes_;
  int64_t produced_ = 0;
};

// Sleeps just enough that n events take n / rate seconds since the first.
void Pace(double rate, int64_t n, Clock::time_point start) {
  if (rate <= 0) return;
  auto due = start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(static_cast<double>(n) / rate));
  if (due > Clock::now() + std::chrono::milliseconds(1)) std::this_thread::sleep_until(due);
}

std::string Summary(const sim::Simulator& s, const sim::SimOptions& o) {
  const sim::SimStats& st = s.stats();
  return "simulated " + std::to_string(st.orders_placed) + " orders (" +
         std::to_string(st.orders_cancelled) + " cancelled, " +
         std::to_string(st.orders_delivered) + " delivered, " + std::to_string(st.orders_closed) +
         " closed) over " + s.FirstDate() + ".." + s.LastDate() + ", seed " +
         std::to_string(o.seed) + ": " + std::to_string(st.events) + " valid facts, " +
         std::to_string(st.invalid) + " invalid";
}

int RunSimulate(const CommonFlags& common, SimulateFlags flags) {
  auto config = ResolveConfig(common);
  if (!config.ok()) return Fail(config.status());
  auto offset =
      UtcOffset::Parse(flags.utc_offset.empty() ? config->projector.utc_offset : flags.utc_offset);
  if (!offset.ok())
    return Fail(Status::InvalidArgument("--utc-offset: " + offset.status().message()));
  flags.options.utc_offset_minutes = offset->minutes();
  if (Status s = sim::CheckOptions(flags.options); !s.ok()) return Fail(s);

  sim::Simulator simulator(flags.options);
  std::unique_ptr<Sink> sink;
  std::ofstream file;
  std::string where = flags.output == "-" ? "stdout" : flags.output;
  if (flags.publish) {
    if (Status up = CheckBroker(*config, 10'000); !up.ok()) return Fail(up);
    auto kafka = KafkaSink::Open(*config);
    if (!kafka.ok()) return Fail(kafka.status());
    where = (*kafka)->topic();
    sink = std::move(*kafka);
    auto now = std::chrono::system_clock::now().time_since_epoch();
    if (flags.options.finish ||
        simulator.EndSeconds() > std::chrono::duration_cast<std::chrono::seconds>(now).count()) {
      std::fprintf(stderr,
                   "simulate: warning: the book reaches past now (span ends %s%s); the engine "
                   "rejects facts from the future as FUTURE_EVENT (use --until)\n",
                   simulator.LastDate().c_str(), flags.options.finish ? ", --finish" : "");
    }
  } else if (flags.output == "-") {
    sink = std::make_unique<JsonLinesSink>(std::cout);
  } else {
    file.open(flags.output, std::ios::binary | std::ios::trunc);
    if (!file) return Fail(Status::NotFound("cannot write " + flags.output));
    sink = std::make_unique<JsonLinesSink>(file);
  }

  InstallStopHandlers();
  Progress progress("simulate", "events");
  const auto start = Clock::now();
  int64_t written = 0;
  Status s;
  sim::SimEvent e;
  while (!g_stop.load() && simulator.Next(&e)) {
    s = sink->Write(e.event);
    if (!s.ok()) break;
    ++written;
    Pace(flags.rate, written, start);
    // The total is an estimate: facts so far scaled by the share of the span simulated.
    double p = simulator.Progress();
    if ((written & 255) == 0)
      progress.Update(written, p > 0.01 ? static_cast<int64_t>(written / p) : 0);
  }
  progress.Update(written, written);
  progress.Finish();
  Status closed = sink->Close();
  if (s.ok()) s = closed;
  if (!s.ok()) return Fail(s);
  std::fprintf(stderr, "%s; %lld written to %s%s\n", Summary(simulator, flags.options).c_str(),
               static_cast<long long>(written), where.c_str(),
               g_stop.load() ? " (stopped early)" : "");
  return 0;
}

void AddRateFlag(CLI::App* cmd, const std::string& name, double* rate, const std::string& what) {
  cmd->add_option(name, *rate, what + " (default " + std::to_string(*rate).substr(0, 4) + ")")
      ->check(CLI::Range(0.0, 1.0));
}

}  // namespace

void AddSimulateCommand(CLI::App& app, CommonFlags& common) {
  // Owned by the callback, which lives as long as `app`; the options write into it.
  auto flags_ptr = std::make_shared<SimulateFlags>();
  SimulateFlags& flags = *flags_ptr;
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Generate a realistic order book of InboundEvents (JSON Lines or to Kafka)");
  AddCommonFlags(cmd, &common);
  sim::SimOptions& o = flags.options;
  cmd->add_option("--seed", o.seed, "Random seed: the same seed and flags give the same book");
  cmd->add_option("-n,--orders", o.orders, "Orders placed over the span (default 1000)")
      ->check(CLI::Range(int64_t{0}, int64_t{1'000'000'000}));
  cmd->add_option("--start", o.start_date,
                  "First day of the span, YYYY-MM-DD (default 2025-01-06)");
  cmd->add_option("--until", o.end_date,
                  "Last day of the span instead, YYYY-MM-DD (e.g. yesterday, for a live engine)");
  cmd->add_option("--days", o.business_days, "Business days (Mon-Fri) in the span (default 65)")
      ->check(CLI::Range(1, 100'000));
  cmd->add_option("--utc-offset", flags.utc_offset,
                  "Business time zone, e.g. +08:00 (default projector.utc_offset)");
  cmd->add_option("--customers", o.customers, "Customers (Zipf-skewed volumes; default 200)")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--merchandisers", o.merchandisers, "Merchandisers (default 12)")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--suppliers", o.suppliers, "Suppliers / factories (default 40)")
      ->check(CLI::Range(1, 1'000'000));
  cmd->add_option("--zipf", o.zipf_s, "Zipf exponent of party volumes (default 1.1; 0 = even)")
      ->check(CLI::Range(0.0, 5.0));
  cmd->add_option("--max-lines", o.max_lines, "Most lines per order (default 6)")
      ->check(CLI::Range(1, 100));
  sim::SimRates& r = o.rates;
  AddRateFlag(cmd, "--cancel-rate", &r.cancel, "Share of orders cancelled before shipping");
  AddRateFlag(cmd, "--hold-rate", &r.hold, "Share of orders put on hold and released");
  AddRateFlag(cmd, "--amend-rate", &r.amend, "Share of orders amended (every reason occurs)");
  AddRateFlag(cmd, "--slip-rate", &r.slip, "Share of orders whose materials or production slip");
  AddRateFlag(cmd, "--interruption-rate", &r.interruption, "Share with production interrupted");
  AddRateFlag(cmd, "--fail-rate", &r.inspection_fail, "Chance a FINAL inspection fails");
  AddRateFlag(cmd, "--partial-rate", &r.partial_shipment, "Share shipped in 2-3 lots");
  AddRateFlag(cmd, "--damage-rate", &r.damage, "Chance a shipment arrives damaged");
  AddRateFlag(cmd, "--delay-rate", &r.logistics_delay, "Chance a shipment is delayed");
  AddRateFlag(cmd, "--issue-rate", &r.issue, "Share of orders with another issue");
  AddRateFlag(cmd, "--complaint-rate", &r.complaint, "Share of delivered orders complained about");
  AddRateFlag(cmd, "--reopen-rate", &r.reopen, "Chance a resolved issue is reopened");
  AddRateFlag(cmd, "--feedback-rate", &r.feedback, "Share of delivered orders rated");
  AddRateFlag(cmd, "--handoff-rate", &r.handoff, "Chance of a handoff at each hand-over point");
  AddRateFlag(cmd, "--correction-rate", &r.correction, "Chance a document is corrected");
  AddRateFlag(cmd, "--invalid-rate", &o.invalid_rate,
              "Share of facts followed by a deliberately invalid one");
  cmd->add_flag("--finish", o.finish, "Let every order run to its end past the span");
  cmd->add_option("--order-prefix", o.order_prefix, "Order ids are <prefix><8 digits> (ORD-)");
  cmd->add_option("-o,--output", flags.output, "JSON Lines file, or - for stdout (default)");
  cmd->add_flag("--publish", flags.publish,
                "Send to the inbound topic (keyed by order_id) instead of writing JSON Lines");
  cmd->add_option("--rate", flags.rate, "Target events per second (default 0: as fast as possible)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->callback([&common, flags_ptr] { throw CLI::RuntimeError(RunSimulate(common, *flags_ptr)); });
  cmd->footer(
      "Facts come in occurred_at order, in working hours (08:00-18:00, Mon-Fri) of the business\n"
      "time zone, and every valid one is accepted by the engine in that order. A summary goes to\n"
      "stderr, and a progress line (rate, count, ETA) when stderr is a terminal.\n"
      "Examples:\n"
      "  gendan simulate --orders 200 --seed 7 > book.jsonl && gendan publish book.jsonl\n"
      "  gendan simulate --orders 100000 --until $(date -u -d yesterday +%F) --publish --rate "
      "5000\n"
      "Exit status: 0 done, 1 Kafka or write failure, 2 bad usage.");
}

}  // namespace gendan::cli

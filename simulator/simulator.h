// Simulator: a deterministic, realistic order book as a stream of gendan.v1 InboundEvents.
//
//   SimOptions options;  options.seed = 7;  options.orders = 5000;  options.business_days = 65;
//   Simulator sim(options);                       // CheckOptions(options) must be ok
//   SimEvent e;
//   while (sim.Next(&e)) Publish(e.event);        // in occurred_at order, each order's in log
//   order
//
// Customers, merchandisers and suppliers have Zipf-skewed volumes; each order has several lines,
// a time-and-action plan, production with slips and interruptions, inspections with failures and
// re-inspections, partial shipments, amendments of every reason, holds, cancellations, issues of
// every category and severity with resolutions and reopens, complaints, feedback and handoffs.
// Orders are placed on the business days (Mon–Fri) of the span, facts happen in working hours
// (08:00–18:00 in the business time zone) and the book is cut at the end of the span (orders
// still open stay open), unless `finish` lets every order run to its end.
//
// Every fact the simulator marks valid is one the engine accepts (DOMAIN.md §4): an order model
// of its own, checked against engine Decide/Evolve in tests/simulator/. A share `invalid_rate`
// of deliberately invalid facts is mixed in, each marked with the reason the engine must give.
// Pure (no I/O, no clock): the same options give the same events, byte for byte. Not
// thread-safe; one Simulator per thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/status.h"
#include "gendan/v1/events.pb.h"

namespace gendan::sim {

// Chances per order (or per opportunity, as noted), 0..1. The defaults give a book where most
// orders go smoothly and every kind of trouble appears.
struct SimRates {
  double cancel = 0.04;            // the order is cancelled before it ships
  double hold = 0.08;              // put on hold (credit, payment) and released days later
  double amend = 0.25;             // amended at least once (reason drawn from all four)
  double slip = 0.20;              // materials or production run late and the plan is re-planned
  double interruption = 0.08;      // production stops for days (PRODUCTION_INTERRUPTION issue)
  double inspection_fail = 0.12;   // per FINAL inspection; scaled by the supplier's reliability
  double partial_shipment = 0.30;  // shipped in two or three lots
  double damage = 0.04;            // per shipment: delivered with damaged units
  double logistics_delay = 0.08;   // per shipment: LOGISTICS_DELAY issue and a late arrival
  double issue = 0.30;             // other issues (documentation, material, quality, other)
  double complaint = 0.08;         // a CUSTOMER_COMPLAINT after delivery
  double reopen = 0.10;            // per resolution: the issue is reopened later
  double feedback = 0.60;          // the customer rates the delivered order
  double handoff = 0.50;           // per hand-over point: a handoff to another department
  double correction = 0.05;        // per document: corrected later
};

struct SimOptions {
  // Same seed, same options: same events. Different seeds give unrelated books.
  uint64_t seed = 1;
  // Orders placed over the span, spread over its business days.
  int64_t orders = 1000;
  // First day of the span ("YYYY-MM-DD", business time zone); a weekend start moves to Monday.
  std::string start_date = "2025-01-06";
  // Last day of the span instead ("YYYY-MM-DD"; a weekend end moves back to Friday): when set,
  // the span is the `business_days` business days up to it and start_date is ignored.
  std::string end_date;
  // Business days (Mon–Fri) in the span. Facts after the span are not generated unless `finish`.
  int business_days = 65;
  // The business time zone as minutes east of UTC (projector.utc_offset): working hours and
  // every *_date are in it.
  int utc_offset_minutes = 0;
  // Parties. Volumes follow Zipf(zipf_s) over each list, so a few customers, merchandisers and
  // suppliers carry most orders, as in a real department.
  int customers = 200;
  int merchandisers = 12;
  int suppliers = 40;
  double zipf_s = 1.1;
  int max_lines = 6;  // lines per order: 1..max_lines, small counts likelier
  SimRates rates;
  // Share of emitted facts that are deliberately invalid (each carries its expected reason).
  double invalid_rate = 0;
  // Let every order run to its end past the span instead of cutting the book at its end.
  bool finish = false;
  // Order ids are "<order_prefix><8 digits>"; event ids "<source>-<order id>-<n>".
  std::string order_prefix = "ORD-";
};

// InvalidArgument naming the first option out of range.
Status CheckOptions(const SimOptions& options);

// One generated fact. `expected` is REJECTION_REASON_UNSPECIFIED for a valid fact (the engine
// accepts it), else the reason code the engine must reject it with.
struct SimEvent {
  v1::InboundEvent event;
  v1::RejectionReason::Value expected = v1::RejectionReason::REJECTION_REASON_UNSPECIFIED;
  bool valid() const { return expected == v1::RejectionReason::REJECTION_REASON_UNSPECIFIED; }
};

struct SimStats {
  int64_t events = 0;   // valid facts emitted
  int64_t invalid = 0;  // invalid facts emitted
  int64_t orders_placed = 0;
  int64_t orders_cancelled = 0;
  int64_t orders_delivered = 0;
  int64_t orders_closed = 0;
  // Valid facts per payload (InboundEvent::PayloadCase) and invalid ones per expected reason.
  std::array<int64_t, 128> by_payload{};
  std::array<int64_t, 16> by_reason{};
};

class Simulator {
 public:
  explicit Simulator(const SimOptions& options);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // The next fact in occurred_at order (ties in a fixed order); false when the book is done.
  bool Next(SimEvent* out);

  // How far through the span the book is, 0..1 (by simulated time); 1 once Next returned false.
  double Progress() const;
  const SimStats& stats() const;
  // The span as dates in the business time zone, "YYYY-MM-DD".
  std::string FirstDate() const;
  std::string LastDate() const;
  // UTC seconds of the first instant after the span (facts without `finish` are before it).
  int64_t EndSeconds() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gendan::sim

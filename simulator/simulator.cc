// The scheduler: orders arrive over the span's business days, each with its own agenda
// (order_model.h); a heap of (next action time, order) hands out facts in time order. Memory
// grows with the orders open at a time, not with the size of the book.
#include "simulator/simulator.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <deque>
#include <optional>
#include <queue>
#include <utility>
#include <vector>

#include "simulator/order_model.h"

namespace gendan::sim {

using internal::Calendar;
using internal::Order;
using internal::Rng;
using internal::World;

namespace internal {

World::World(const SimOptions& o)
    : options(o),
      calendar(o.utc_offset_minutes),
      customer_zipf(o.customers, o.zipf_s),
      supplier_zipf(o.suppliers, o.zipf_s) {
  Rng rng(MixSeed(o.seed, ~uint64_t{0}));
  // Account owners: a Zipf draw per customer, so merchandisers' books are skewed too.
  Zipf owners(o.merchandisers, 0.8);
  for (int c = 0; c < o.customers; ++c) account_owner.push_back(owners.Sample(rng));
  for (int s = 0; s < o.suppliers; ++s) supplier_quality.push_back(0.4 + 1.6 * rng.Uniform());
  for (int m = 0; m < o.merchandisers; ++m) diligence.push_back(0.3 + 0.7 * rng.Uniform());
}

}  // namespace internal

Status CheckOptions(const SimOptions& o) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument("simulate: " + what); };
  int64_t day = 0;
  if (!Calendar::ParseDate(o.start_date, &day)) return bad("start date is not YYYY-MM-DD");
  if (!o.end_date.empty() && !Calendar::ParseDate(o.end_date, &day))
    return bad("end date is not YYYY-MM-DD");
  if (o.orders < 0) return bad("orders must be >= 0");
  if (o.business_days < 1 || o.business_days > 100'000) return bad("days must be 1..100000");
  if (o.utc_offset_minutes < -14 * 60 || o.utc_offset_minutes > 14 * 60)
    return bad("utc offset must be within -14:00..+14:00");
  if (o.customers < 1 || o.merchandisers < 1 || o.suppliers < 1)
    return bad("customers, merchandisers and suppliers must be >= 1");
  if (o.zipf_s < 0 || o.zipf_s > 5) return bad("zipf exponent must be 0..5");
  if (o.max_lines < 1 || o.max_lines > 100) return bad("max lines must be 1..100");
  if (o.order_prefix.size() > 40) return bad("order prefix must be at most 40 characters");
  for (char c : o.order_prefix) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' &&
        c != '-')
      return bad("order prefix must be characters of [A-Za-z0-9._:-]");
  }
  const SimRates& r = o.rates;
  for (double v : {r.cancel, r.hold, r.amend, r.slip, r.interruption, r.inspection_fail,
                   r.partial_shipment, r.damage, r.logistics_delay, r.issue, r.complaint, r.reopen,
                   r.feedback, r.handoff, r.correction, o.invalid_rate}) {
    if (!(v >= 0 && v <= 1)) return bad("every rate must be within 0..1");
  }
  return Status::Ok();
}

class Simulator::Impl {
 public:
  explicit Impl(const SimOptions& options)
      : world_(options), arrivals_rng_(internal::MixSeed(options.seed, ~uint64_t{1})) {
    int64_t day = 0;
    if (options.end_date.empty()) {
      Calendar::ParseDate(options.start_date, &day);
      first_day_ = Calendar::NextBusinessDay(day);
    } else {  // count back from the last business day on or before the end date
      Calendar::ParseDate(options.end_date, &day);
      while (!Calendar::IsBusinessDay(day)) --day;
      for (int n = options.business_days - 1; n > 0; --n) {
        do --day;
        while (!Calendar::IsBusinessDay(day));
      }
      first_day_ = day;
    }
    last_day_ = Calendar::AddBusinessDays(first_day_, options.business_days - 1);
    begin_ = world_.calendar.At(first_day_, 0);
    end_ = world_.calendar.At(last_day_ + 1, 0);
    next_day_ = first_day_;
  }

  bool Next(SimEvent* out) {
    if (pending_) {
      *out = std::move(*pending_);
      pending_.reset();
      return true;
    }
    for (;;) {
      while (arrivals_.empty() && day_index_ < world_.options.business_days) PlanDay();
      bool have_arrival = !arrivals_.empty();
      bool have_action = !heap_.empty() && (world_.options.finish || heap_.top().first < end_);
      if (!have_arrival && !have_action) {
        done_ = true;
        return false;
      }
      if (have_arrival && (!have_action || arrivals_.front() <= heap_.top().first)) {
        int64_t at = arrivals_.front();
        arrivals_.pop_front();
        Order& o = NewOrder();
        now_ = at;
        internal::Place(world_, o, at, &out->event);
        ++stats_.orders_placed;
        Emit(o, at, out);
        Requeue(slot_of_last_);
        return true;
      }
      auto [at, slot] = heap_.top();
      heap_.pop();
      Order& o = *orders_[static_cast<size_t>(slot)];
      now_ = at;
      v1::Stage::Value before = o.stage;
      bool emitted = internal::Step(world_, o, &out->event);
      if (emitted) {
        Count(before, o.stage);
        Emit(o, at, out);
      }
      Requeue(slot);  // may retire the order
      if (emitted) return true;
    }
  }

  double Progress() const {
    if (done_) return 1;
    double span = static_cast<double>(end_ - begin_);
    return std::clamp(static_cast<double>(now_ - begin_) / span, 0.0, 1.0);
  }

  SimStats stats_;
  int64_t first_day_ = 0, last_day_ = 0, begin_ = 0, end_ = 0;

 private:
  // Today's placements: an equal share of the orders, at random working minutes, in order.
  void PlanDay() {
    const SimOptions& o = world_.options;
    int64_t from = o.orders * day_index_ / o.business_days;
    int64_t to = o.orders * (day_index_ + 1) / o.business_days;
    std::vector<int64_t> times;
    for (int64_t i = from; i < to; ++i) {
      times.push_back(
          world_.calendar.At(next_day_, Calendar::kOpenMinute) +
          arrivals_rng_.Between(0, (Calendar::kCloseMinute - Calendar::kOpenMinute) * 60 - 1));
    }
    std::sort(times.begin(), times.end());
    arrivals_.assign(times.begin(), times.end());
    ++day_index_;
    next_day_ = Calendar::NextBusinessDay(next_day_ + 1);
  }

  Order& NewOrder() {
    int64_t index = next_order_++;
    int32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<int32_t>(orders_.size());
      orders_.emplace_back();
    }
    auto& o = orders_[static_cast<size_t>(slot)];
    o = std::make_unique<Order>(
        internal::MixSeed(world_.options.seed, static_cast<uint64_t>(index)));
    char id[64];
    std::snprintf(id, sizeof id, "%s%08lld", world_.options.order_prefix.c_str(),
                  static_cast<long long>(index + 1));
    o->id = id;
    slot_of_last_ = slot;
    return *o;
  }

  // Back on the heap at its next action, or retired when it has none (or none in the span).
  void Requeue(int32_t slot) {
    auto& o = orders_[static_cast<size_t>(slot)];
    if (o->agenda.empty() || (!world_.options.finish && o->agenda.front().at >= end_)) {
      o.reset();
      free_.push_back(slot);
      return;
    }
    heap_.push({o->agenda.front().at, slot});
  }

  void Count(v1::Stage::Value before, v1::Stage::Value after) {
    if (before == after) return;
    if (after == v1::Stage::CANCELLED) ++stats_.orders_cancelled;
    if (after == v1::Stage::DELIVERED) ++stats_.orders_delivered;
    if (after == v1::Stage::CLOSED) ++stats_.orders_closed;
  }

  // The valid fact goes out now; an invalid one, when drawn, right after it.
  void Emit(Order& o, int64_t at, SimEvent* out) {
    out->expected = v1::RejectionReason::REJECTION_REASON_UNSPECIFIED;
    ++stats_.events;
    ++stats_.by_payload[static_cast<size_t>(out->event.payload_case()) % stats_.by_payload.size()];
    if (world_.options.invalid_rate > 0 && arrivals_rng_.Chance(world_.options.invalid_rate)) {
      SimEvent bad;
      bad.expected = internal::MakeInvalid(world_, o, at, &bad.event);
      ++stats_.invalid;
      ++stats_.by_reason[static_cast<size_t>(bad.expected) % stats_.by_reason.size()];
      pending_ = std::move(bad);
    }
  }

  World world_;
  Rng arrivals_rng_;
  std::vector<std::unique_ptr<Order>> orders_;
  std::vector<int32_t> free_;
  using Entry = std::pair<int64_t, int32_t>;  // (time, slot): ties go to the lower slot
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::deque<int64_t> arrivals_;
  int day_index_ = 0;
  int64_t next_day_ = 0;
  int64_t next_order_ = 0;
  int32_t slot_of_last_ = 0;
  int64_t now_ = 0;
  bool done_ = false;
  std::optional<SimEvent> pending_;
};

Simulator::Simulator(const SimOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Simulator::~Simulator() = default;
bool Simulator::Next(SimEvent* out) { return impl_->Next(out); }
double Simulator::Progress() const { return impl_->Progress(); }
const SimStats& Simulator::stats() const { return impl_->stats_; }
std::string Simulator::FirstDate() const { return Calendar::Date(impl_->first_day_); }
std::string Simulator::LastDate() const { return Calendar::Date(impl_->last_day_); }
int64_t Simulator::EndSeconds() const { return impl_->end_; }

}  // namespace gendan::sim

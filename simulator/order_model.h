// Internal to simulator/: one order's story as an agenda of timed actions, and the model of the
// order that decides whether an action is still a fact the engine will accept when its time
// comes (DOMAIN.md §4). An action whose rule no longer holds is dropped or deferred, never
// emitted: the model mirrors engine/decide.cc, and tests/simulator/ checks it against Decide.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gendan/v1/events.pb.h"
#include "simulator/calendar.h"
#include "simulator/random.h"
#include "simulator/simulator.h"

namespace gendan::sim::internal {

enum class Act : uint8_t {
  kConfirm,
  kPlan,
  kMaterials,
  kStart,
  kComplete,
  kFinal,
  kDispatch,
  kDeliver,
  kClose,
  kCancel,
  kHold,
  kRelease,
  kAmend,
  kIssue,
  kResolve,
  kReopen,
  kDocument,
  kCorrect,
  kContact,
  kFeedback,
  kHandoff,
  kAck,
  kHandoffDone,
  kInspect,
};

struct Action {
  int64_t at = 0;  // UTC seconds
  Act act = Act::kConfirm;
  int32_t arg = 0;  // milestone, issue/shipment/handoff/document index, category, ...
  // Min-heap order; ties broken by content so the order is the same on every run.
  bool operator>(const Action& o) const {
    if (at != o.at) return at > o.at;
    if (act != o.act) return act > o.act;
    return arg > o.arg;
  }
};

struct Shipment {
  int64_t units = 0;
  bool delivered = false;
};
struct Issue {
  v1::IssueCategory::Value category = v1::IssueCategory::OTHER;
  bool open = true;
};
enum class HandoffState : uint8_t { kRequested, kAcknowledged, kCompleted };

// What the engine knows of the order (stage, hold, ids, quantities) plus the story's plans.
struct Order {
  explicit Order(uint64_t seed) : rng(seed) {}
  std::string id;
  Rng rng;
  int64_t version = 0;  // accepted facts so far, as the engine counts them
  int64_t emitted = 0;  // facts emitted, valid or not (event id numbers)
  v1::Stage::Value stage = v1::Stage::STAGE_UNSPECIFIED;
  bool held = false;
  int customer = 0, merchandiser = 0, supplier = 0;
  std::vector<int64_t> ordered, shipped;  // per line "L<i+1>"
  std::vector<Shipment> shipments;        // "S<i+1>"
  std::vector<Issue> issues;              // "I<i+1>"
  std::vector<HandoffState> handoffs;     // "H<i+1>"
  std::vector<v1::DocumentType::Value> documents;
  int inspections = 0, final_attempts = 0, lots_left = 1, close_deferrals = 0;
  int64_t requested_day = 0, promise_day = 0;  // local days; promise_day 0 before confirmation
  std::array<int64_t, 7> plan{};               // planned local day per Milestone value
  bool damaged = false, late = false, shortage = false;
  std::vector<Action> agenda;  // a min-heap

  bool Terminal() const { return stage == v1::Stage::CLOSED || stage == v1::Stage::CANCELLED; }
  // Open for everything but after-sales-only facts: exists and neither CLOSED nor CANCELLED.
  bool Open() const { return stage != v1::Stage::STAGE_UNSPECIFIED && !Terminal(); }
  bool Before(v1::Stage::Value s) const { return stage < s; }
  bool NothingShipped() const {
    return stage >= v1::Stage::PLACED && stage <= v1::Stage::READY_TO_SHIP;
  }
  void Schedule(int64_t at, Act act, int32_t arg = 0);
  Action PopAction();
};

// Read-only during a step: options, calendar and the parties' traits.
struct World {
  explicit World(const SimOptions& o);
  SimOptions options;
  Calendar calendar;
  Zipf customer_zipf, supplier_zipf;
  std::vector<int> account_owner;        // customer → merchandiser
  std::vector<double> supplier_quality;  // multiplies failure and slip chances, 0.4..2.0
  std::vector<double> diligence;         // merchandiser: chance of proactive status updates
};

// Timing of the story (story.cc): every result is in working hours and after t, so that an
// order's facts keep their order in time.
int64_t DaysLater(const World& w, Order& o, int64_t t, int days);  // `days` business days on
int64_t OnDay(const World& w, Order& o, int64_t day, int64_t not_before);  // on local `day`
int64_t HoursLater(const World& w, int64_t t, double hours);               // working hours on
// "<kind><index + 1>": the ids inside an order (L1, S2, I3, H1, D4, Q2).
std::string Id(char kind, size_t index);

// Runs a side-story action (side_story.cc); true when it produced a fact in *e.
bool SideStep(const World& w, Order& o, const Action& a, v1::InboundEvent* e);

// Creates the order at `at`: fills its order_placed fact into *out and schedules its story.
void Place(const World& w, Order& o, int64_t at, v1::InboundEvent* out);

// Runs the order's earliest action; true when it produced a fact in *out.
bool Step(const World& w, Order& o, v1::InboundEvent* out);

// A fact about the order as it now stands that the engine must reject; returns the reason.
v1::RejectionReason::Value MakeInvalid(const World& w, Order& o, int64_t at, v1::InboundEvent* out);

// The envelope of the order's next fact (event id, order id, occurred_at, source, actor).
void Envelope(const World& w, Order& o, int64_t at, const char* source, v1::InboundEvent* out);

std::string PartyId(const char* kind, int index);

}  // namespace gendan::sim::internal

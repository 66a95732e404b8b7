// Progress: a one-line rate and ETA for long CLI jobs (publish, rebuild, simulate), on stderr.
//
//   Progress progress("publish", "events");      // draws only when stderr is a terminal
//   for (...) progress.Update(done, total);      // total 0 = unknown (no percentage, no ETA)
//   progress.Finish();                           // final line + newline (terminal only)
//
// On a terminal the line is redrawn in place at most 5 times a second:
//   publish: 120,000 / 500,000 events (24%), 41,200 events/s, ETA 9 s
// When stderr is not a terminal (piped, a log file, CI) it prints nothing: the job's own
// summary on stdout is what scripts read. Not thread-safe: one job, one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace gendan {

// The progress line for `done` of `total` (0: unknown) after `seconds`. Pure, for tests.
std::string FormatProgress(const std::string& label, const std::string& unit, int64_t done,
                           int64_t total, double seconds);

class Progress {
 public:
  // Draws on `out` when it is a terminal; `enabled` overrides the check (for tests).
  Progress(std::string label, std::string unit, std::FILE* out = stderr);
  Progress(std::string label, std::string unit, std::FILE* out, bool enabled);

  void Update(int64_t done, int64_t total = 0);
  void Finish();
  bool enabled() const { return enabled_; }

 private:
  using Clock = std::chrono::steady_clock;
  void Draw();

  std::string label_, unit_;
  std::FILE* out_;
  bool enabled_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
  int64_t done_ = 0, total_ = 0;
  bool drawn_ = false;
};

}  // namespace gendan

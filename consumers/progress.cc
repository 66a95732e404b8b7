#include "consumers/progress.h"

#include <unistd.h>

#include <cmath>

namespace gendan {
namespace {

// 1234567 -> "1,234,567": a long job's counts are read at a glance.
std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string Duration(double seconds) {
  auto s = static_cast<int64_t>(std::ceil(seconds));
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
  return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
}

}  // namespace

std::string FormatProgress(const std::string& label, const std::string& unit, int64_t done,
                           int64_t total, double seconds) {
  std::string line = label + ": " + Grouped(done);
  if (total > 0) {
    line += " / " + Grouped(total) + " " + unit + " (" +
            std::to_string(std::min<int64_t>(100, done * 100 / total)) + "%)";
  } else {
    line += " " + unit;
  }
  if (seconds <= 0) return line;
  const double rate = done / seconds;
  line += ", " + Grouped(std::llround(rate)) + " " + unit + "/s";
  if (total > done && rate > 0) line += ", ETA " + Duration((total - done) / rate);
  return line;
}

Progress::Progress(std::string label, std::string unit, std::FILE* out)
    : Progress(std::move(label), std::move(unit), out, isatty(fileno(out)) != 0) {}

Progress::Progress(std::string label, std::string unit, std::FILE* out, bool enabled)
    : label_(std::move(label)), unit_(std::move(unit)), out_(out), enabled_(enabled) {}

void Progress::Update(int64_t done, int64_t total) {
  done_ = done;
  total_ = total;
  if (!enabled_) return;
  auto now = Clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  Draw();
}

void Progress::Finish() {
  if (!enabled_) return;
  Draw();
  std::fputc('\n', out_);
  std::fflush(out_);
  drawn_ = false;
}

void Progress::Draw() {
  double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
  // \r and clear-to-end-of-line: the new line may be shorter than the one it replaces.
  std::fprintf(out_, "\r%s\033[K", FormatProgress(label_, unit_, done_, total_, seconds).c_str());
  std::fflush(out_);
  drawn_ = true;
}

}  // namespace gendan

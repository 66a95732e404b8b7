// Cell keys, cells (rate parts and a subtractable DDSketch-style distribution) and their JSON.
#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "projections/kpi.h"
#include "projections/kpi_codec.h"

namespace gendan {
namespace {

using kpi_codec::CodecReader;
using kpi_codec::PutSigned;
using kpi_codec::PutVarint;

// ---- The sketch's buckets ---------------------------------------------------------------
// Log bucket i holds (γ^(i-1), γ^i] and answers with 2γ^i/(γ+1), within α = (γ-1)/(γ+1) of
// anything in it. α = 0.5% keeps nearest-rank answers well inside DOMAIN.md's 1%.
constexpr double kAlpha = 0.005;
const double kGamma = (1 + kAlpha) / (1 - kAlpha);
const double kLogGamma = std::log(kGamma);
constexpr int32_t kMaxExact = 1000;  // integral samples up to this are kept by value
constexpr int32_t kMaxIndex = 1 << 30;
constexpr int32_t kZeroGroup = INT32_MIN;  // sorts before every log bucket

int32_t LogIndex(double x) {
  double i = std::ceil(std::log(x) / kLogGamma);
  return static_cast<int32_t>(std::clamp<double>(i, -kMaxIndex, kMaxIndex));
}

double Representative(int32_t index) { return 2 * std::exp(index * kLogGamma) / (kGamma + 1); }

// The log bucket an exact value sorts with; 0 sorts before everything.
int32_t GroupOfExact(int32_t value) { return value == 0 ? kZeroGroup : LogIndex(value); }

// A sample as the sketch keeps it: negative (and NaN) as 0.
double Clamp(double x) { return x > 0 ? x : 0; }

bool IsExact(double x) { return x <= kMaxExact && x == std::floor(x); }

constexpr char kCellVersion = 1;
constexpr uint64_t kHasRate = 1 << 0, kHasDistribution = 1 << 1;

void PutBuckets(std::string& out, const std::vector<std::pair<int32_t, int64_t>>& buckets) {
  PutVarint(out, buckets.size());
  int64_t prev = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (i == 0) {
      PutSigned(out, buckets[i].first);
    } else {
      PutVarint(out, uint64_t(int64_t{buckets[i].first} - prev));
    }
    prev = buckets[i].first;
    PutSigned(out, buckets[i].second);
  }
}

bool ParseBuckets(CodecReader& r, int64_t min, int64_t max,
                  std::vector<std::pair<int32_t, int64_t>>* buckets) {
  size_t n = 0;
  if (!r.Count(&n)) return false;
  buckets->resize(n);
  int64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t index = 0, count = 0;
    if (i == 0) {
      if (!r.Signed(&index)) return false;
    } else {
      uint64_t step = 0;
      if (!r.Varint(&step) || step == 0 || step > uint64_t(max - prev)) return r.Fail();
      index = prev + int64_t(step);
    }
    if (!r.Signed(&count) || count == 0 || index < min || index > max) return r.Fail();
    (*buckets)[i] = {static_cast<int32_t>(index), count};
    prev = index;
  }
  return true;
}

// Merges src × sign into dst (both sorted, no zero counts) in one pass.
void MergeBuckets(std::vector<std::pair<int32_t, int64_t>>& dst,
                  const std::vector<std::pair<int32_t, int64_t>>& src, int sign) {
  if (src.empty()) return;
  if (dst.empty()) {  // the first cell into a query's accumulator: a copy
    dst = src;
    if (sign != 1) {
      for (auto& b : dst) b.second *= sign;
    }
    return;
  }
  // A query merges thousands of cells: the merged buckets go to a per-thread buffer and are
  // copied back, so the merge allocates only when dst must grow, and then to the size it needs.
  // (Swapping the buffer in instead handed its capacity, grown by the largest merge so far, to
  // whichever cell came next: the projector's cached cells took twice the memory.)
  thread_local std::vector<std::pair<int32_t, int64_t>> out;
  out.clear();
  out.reserve(dst.size() + src.size());
  size_t i = 0, j = 0;
  while (i < dst.size() || j < src.size()) {
    if (j == src.size() || (i < dst.size() && dst[i].first < src[j].first)) {
      out.push_back(dst[i++]);
    } else if (i == dst.size() || src[j].first < dst[i].first) {
      out.emplace_back(src[j].first, sign * src[j].second);
      ++j;
    } else {
      int64_t sum = dst[i].second + sign * src[j].second;
      if (sum != 0) out.emplace_back(dst[i].first, sum);
      ++i;
      ++j;
    }
  }
  dst.assign(out.begin(), out.end());
}

}  // namespace

// ---- CellKey --------------------------------------------------------------------------------

namespace {
constexpr uint8_t kMonthFlag = 0x40;
}  // namespace

std::string CellKey::RangeStart(GroupKind kind, Date from, bool month) {
  std::string s;
  s.push_back(static_cast<char>(static_cast<uint8_t>(kind) | (month ? kMonthFlag : 0)));
  auto biased =
      static_cast<uint32_t>(int64_t{from.time_since_epoch().count()} + (int64_t{1} << 31));
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>(biased >> shift));
  return s;
}

std::string CellKey::RangeEnd(GroupKind kind, Date to, bool month) {
  return RangeStart(kind, to + std::chrono::days(1), month);
}

std::string CellKey::Encode() const {
  std::string s = RangeStart(kind, date, month);
  s.reserve(s.size() + group.size() + 2);
  s.append(group);
  s.push_back('\0');
  s.push_back(static_cast<char>(key));
  return s;
}

std::optional<CellKey> CellKey::Decode(std::string_view bytes) {
  if (bytes.size() < 7 || bytes[bytes.size() - 2] != '\0') return std::nullopt;
  auto kind = static_cast<uint8_t>(bytes[0]);
  const bool month = (kind & kMonthFlag) != 0;
  kind &= static_cast<uint8_t>(~kMonthFlag);
  auto key = static_cast<uint8_t>(bytes.back());
  if (kind >= kAllGroupKinds.size() || key >= kKpiCount) return std::nullopt;
  uint32_t biased = 0;
  for (int i = 1; i <= 4; ++i) biased = (biased << 8) | static_cast<uint8_t>(bytes[i]);
  CellKey k;
  k.kind = static_cast<GroupKind>(kind);
  k.date = Date(std::chrono::days(int64_t{biased} - (int64_t{1} << 31)));
  k.group.assign(bytes.substr(5, bytes.size() - 7));
  k.key = static_cast<KpiKey>(key);
  k.month = month;
  return k;
}

bool CellKey::operator<(const CellKey& o) const {
  return std::tie(month, kind, date, group, key) <
         std::tie(o.month, o.kind, o.date, o.group, o.key);
}

std::string Describe(const CellKey& k) {
  return std::string(GroupKindName(k.kind)) + "/" + k.group + "/" + (k.month ? "month:" : "") +
         FormatDate(k.date) + "/" + std::string(KpiName(k.key));
}

void AddMonthRollups(CellMap* delta) {
  CellMap months;
  for (const auto& [key, cell] : *delta) {
    if (key.month) continue;
    CellKey m = key;
    m.month = true;
    m.date = BucketStart(key.date, Bucket::kMonth);
    months[m].Merge(cell);
  }
  for (auto& [key, cell] : months) (*delta)[key].Merge(cell);
}

// ---- Cell -----------------------------------------------------------------------------------

void Cell::AddTo(Buckets& buckets, int32_t index, int64_t delta) {
  auto it = std::lower_bound(buckets.begin(), buckets.end(), index,
                             [](const auto& b, int32_t i) { return b.first < i; });
  if (it != buckets.end() && it->first == index) {
    it->second += delta;
    if (it->second == 0) buckets.erase(it);
  } else if (delta != 0) {
    buckets.insert(it, {index, delta});
  }
}

Cell::Cell(const Cell& other)
    : num_(other.num_),
      den_(other.den_),
      count_(other.count_),
      sum_ticks_(other.sum_ticks_),
      sketch_(other.sketch_ ? std::make_unique<Sketch>(*other.sketch_) : nullptr) {}

Cell& Cell::operator=(const Cell& other) {
  if (this != &other) *this = Cell(other);
  return *this;
}

bool Cell::operator==(const Cell& other) const {
  return num_ == other.num_ && den_ == other.den_ && count_ == other.count_ &&
         sum_ticks_ == other.sum_ticks_ && exact() == other.exact() && log() == other.log();
}

const Cell::Buckets& Cell::exact() const {
  static const Buckets kNone;
  return sketch_ ? sketch_->exact : kNone;
}

const Cell::Buckets& Cell::log() const {
  static const Buckets kNone;
  return sketch_ ? sketch_->log : kNone;
}

Cell::Sketch& Cell::MutableSketch() {
  if (!sketch_) sketch_ = std::make_unique<Sketch>();
  return *sketch_;
}

void Cell::DropEmptySketch() {
  if (sketch_ && sketch_->exact.empty() && sketch_->log.empty()) sketch_.reset();
}

void Cell::Add(const Contribution& c, int sign) {
  num_ += sign * c.num;
  den_ += sign * c.den;
  if (!c.sample) return;
  const double x = Clamp(*c.sample);
  count_ += sign;
  double ticks = std::min(x * double(TicksPerUnit(c.key)), 9e18);
  sum_ticks_ += sign * std::llround(ticks);
  if (IsExact(x)) {
    AddTo(MutableSketch().exact, static_cast<int32_t>(x), sign);
  } else {
    AddTo(MutableSketch().log, LogIndex(x), sign);
  }
  DropEmptySketch();
}

void Cell::Merge(const Cell& other, int sign) {
  num_ += sign * other.num_;
  den_ += sign * other.den_;
  count_ += sign * other.count_;
  sum_ticks_ += sign * other.sum_ticks_;
  if (!other.sketch_) return;
  MergeBuckets(MutableSketch().exact, other.sketch_->exact, sign);
  MergeBuckets(sketch_->log, other.sketch_->log, sign);
  DropEmptySketch();
}

bool Cell::Empty() const {
  return num_ == 0 && den_ == 0 && count_ == 0 && sum_ticks_ == 0 && !sketch_;
}

// Walks the samples in the order of their log bucket (exact values sort into the bucket that
// would hold them). The bucket holding rank r also holds the true r-th value, so its
// representative is within α; a bucket of exact values only is walked value by value, exactly.
std::optional<double> Cell::Quantile(int q_num, int q_den) const {
  const Buckets& exacts = exact();
  const Buckets& logs = log();
  int64_t n = 0;
  for (const auto& b : exacts) n += std::max<int64_t>(b.second, 0);
  for (const auto& b : logs) n += std::max<int64_t>(b.second, 0);
  if (n <= 0 || q_den <= 0) return std::nullopt;
  const int64_t rank = std::max<int64_t>(1, (q_num * n + q_den - 1) / q_den);
  int64_t seen = 0;
  size_t a = 0, b = 0;
  while (a < exacts.size() || b < logs.size()) {
    int64_t ga = a < exacts.size() ? GroupOfExact(exacts[a].first) : INT64_MAX;
    int64_t gb = b < logs.size() ? logs[b].first : INT64_MAX;
    const int64_t group = std::min(ga, gb);
    size_t a_end = a;
    int64_t exact_in_group = 0;
    while (a_end < exacts.size() && GroupOfExact(exacts[a_end].first) == group) {
      exact_in_group += std::max<int64_t>(exacts[a_end++].second, 0);
    }
    int64_t log_in_group = gb == group ? std::max<int64_t>(logs[b].second, 0) : 0;
    if (seen + exact_in_group + log_in_group >= rank) {
      if (log_in_group > 0) return Representative(static_cast<int32_t>(group));
      for (; a < a_end; ++a) {
        seen += std::max<int64_t>(exacts[a].second, 0);
        if (seen >= rank) return double(exacts[a].first);
      }
    }
    seen += exact_in_group + log_in_group;
    a = a_end;
    if (gb == group) ++b;
  }
  return std::nullopt;  // unreachable: rank <= n
}

std::string Cell::Serialize() const {
  std::string out;
  out.push_back(kCellVersion);
  bool rate = num_ != 0 || den_ != 0;
  bool dist = count_ != 0 || sum_ticks_ != 0 || sketch_;
  PutVarint(out, (rate ? kHasRate : 0) | (dist ? kHasDistribution : 0));
  if (rate) {
    PutSigned(out, num_);
    PutSigned(out, den_);
  }
  if (dist) {
    PutSigned(out, count_);
    PutSigned(out, sum_ticks_);
    PutBuckets(out, exact());
    PutBuckets(out, log());
  }
  return out;
}

Result<Cell> Cell::Parse(std::string_view bytes) {
  if (bytes.empty() || bytes.front() != kCellVersion) {
    return Status::Fatal("kpi cell: unknown format version");
  }
  CodecReader r(bytes.substr(1));
  Cell c;
  uint64_t flags = 0;
  bool ok = r.Varint(&flags) && flags <= (kHasRate | kHasDistribution);
  if (ok && (flags & kHasRate)) ok = r.Signed(&c.num_) && r.Signed(&c.den_);
  if (ok && (flags & kHasDistribution)) {
    Sketch& sketch = c.MutableSketch();
    ok = r.Signed(&c.count_) && r.Signed(&c.sum_ticks_) &&
         ParseBuckets(r, 0, kMaxExact, &sketch.exact) &&
         ParseBuckets(r, -kMaxIndex, kMaxIndex, &sketch.log);
    c.DropEmptySketch();
  }
  if (!ok || !r.done()) return Status::Fatal("kpi cell: corrupt or truncated encoding");
  return c;
}

std::string Cell::ToString() const {
  std::string s;
  if (num_ != 0 || den_ != 0) s = std::to_string(num_) + "/" + std::to_string(den_);
  if (count_ != 0 || sum_ticks_ != 0 || sketch_) {
    if (!s.empty()) s += " ";
    s += "n=" + std::to_string(count_) + " sum=" + std::to_string(sum_ticks_);
    for (const auto& [value, count] : exact()) {
      s += " " + std::to_string(value) + ":" + std::to_string(count);
    }
    for (const auto& [index, count] : log()) {
      char buf[48];
      std::snprintf(buf, sizeof buf, " ~%.4g:%lld", Representative(index),
                    static_cast<long long>(count));
      s += buf;
    }
  }
  return s.empty() ? "empty" : s;
}

nlohmann::json KpiJson(KpiKey key, const Cell& cell) {
  using nlohmann::json;
  if (IsDistribution(key)) {
    json out = {{"count", cell.count()}, {"mean", nullptr}, {"p50", nullptr}, {"p90", nullptr}};
    if (cell.count() > 0) {
      out["mean"] = double(cell.sum_ticks()) / double(TicksPerUnit(key)) / double(cell.count());
      if (auto p50 = cell.Quantile(1, 2)) out["p50"] = *p50;
      if (auto p90 = cell.Quantile(9, 10)) out["p90"] = *p90;
    }
    return out;
  }
  json value = nullptr;
  if (cell.den() != 0) {
    double ratio = double(cell.num()) / double(cell.den());
    value = key == KpiKey::kDefectPpm ? ratio * 1e6 : ratio;
  }
  return {{"value", value}, {"numerator", cell.num()}, {"denominator", cell.den()}};
}

}  // namespace gendan

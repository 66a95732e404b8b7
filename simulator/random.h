// Internal to simulator/: the random numbers of the simulation. SplitMix64 and a table-driven
// Zipf sampler give the same sequence on every platform (std distributions do not).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace gendan::sim::internal {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 1), from the top 53 bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  int64_t Between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }
  // A skewed positive duration: median `median`, long right tail (log-normal, sigma ~0.8).
  double Skewed(double median) {
    double u1 = std::max(Uniform(), 1e-12), u2 = Uniform();
    double normal = std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    return median * std::exp(0.8 * normal);
  }

 private:
  uint64_t state_;
};

// A stream of its own per (seed, index), so that one order's story does not depend on others.
inline uint64_t MixSeed(uint64_t seed, uint64_t index) {
  Rng r(seed * 0x9e3779b97f4a7c15ULL + index);
  r.Next();
  return r.Next();
}

// Ranks 0..n-1 with P(k) proportional to 1/(k+1)^s.
class Zipf {
 public:
  Zipf(int n, double s) {
    cdf_.reserve(static_cast<size_t>(n));
    double sum = 0;
    for (int k = 1; k <= n; ++k) cdf_.push_back(sum += 1 / std::pow(k, s));
    for (double& c : cdf_) c /= sum;
  }
  int Sample(Rng& rng) const {
    auto it = std::upper_bound(cdf_.begin(), cdf_.end(), rng.Uniform());
    return static_cast<int>(std::min<ptrdiff_t>(it - cdf_.begin(), std::ssize(cdf_) - 1));
  }

 private:
  std::vector<double> cdf_;
};

}  // namespace gendan::sim::internal

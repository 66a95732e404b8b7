// Varint codec shared by the KPI encodings (OrderFacts, Cell). Internal to projections/kpi*.
//
//   std::string out;  PutVarint(out, 7);  PutSigned(out, -3);  PutBytes(out, "id");
//   CodecReader r(out);  uint64_t u;  int64_t s;  std::string_view b;
//   if (!r.Varint(&u) || !r.Signed(&s) || !r.Bytes(&b)) ...corrupt...
//
// A reader that fails stays failed, so a parse can check ok() once at the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gendan::kpi_codec {

inline void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Zigzag, so small negative numbers stay short.
inline void PutSigned(std::string& out, int64_t v) {
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

inline void PutBytes(std::string& out, std::string_view s) {
  PutVarint(out, s.size());
  out.append(s);
}

class CodecReader {
 public:
  explicit CodecReader(std::string_view in) : in_(in) {}

  bool ok() const { return ok_; }
  bool done() const { return in_.empty(); }
  size_t remaining() const { return in_.size(); }

  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; ok_ && shift < 64; shift += 7) {
      if (in_.empty()) break;
      auto byte = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      result |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return Fail();
  }

  bool Signed(int64_t* v) {
    uint64_t u = 0;
    if (!Varint(&u)) return false;
    *v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }

  bool Bytes(std::string_view* s) {
    uint64_t n = 0;
    if (!Varint(&n) || n > in_.size()) return Fail();
    *s = in_.substr(0, n);
    in_.remove_prefix(n);
    return true;
  }

  bool String(std::string* s) {
    std::string_view view;
    if (!Bytes(&view)) return false;
    s->assign(view);
    return true;
  }

  // A count of items each at least one byte long: more than the bytes left is corrupt, which
  // also keeps a corrupt count from reserving gigabytes.
  bool Count(size_t* n) {
    uint64_t v = 0;
    if (!Varint(&v) || v > in_.size()) return Fail();
    *n = static_cast<size_t>(v);
    return true;
  }

  bool Fail() {
    ok_ = false;
    in_ = {};
    return false;
  }

 private:
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace gendan::kpi_codec

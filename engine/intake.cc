#include "engine/intake.h"

#include "engine/reject.h"

namespace gendan {
namespace {

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlongs,
// no surrogates, nothing above U+10FFFF), or 0 when it does not start with one.
size_t Utf8SequenceLength(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto continuation = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  const unsigned char b = byte(0);
  if (b < 0x80) return 1;
  if (b >= 0xC2 && b <= 0xDF) return continuation(1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (!continuation(1) || !continuation(2)) return 0;
    if (b == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
    if (b == 0xED && byte(1) >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (!continuation(1) || !continuation(2) || !continuation(3)) return 0;
    if (b == 0xF0 && byte(1) < 0x90) return 0;   // overlong
    if (b == 0xF4 && byte(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

void AppendEscaped(std::string& out, unsigned char b) {
  constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[b >> 4];
  out += kHex[b & 0xF];
}

}  // namespace

std::string PrintableText(std::string_view bytes, size_t limit) {
  std::string out;
  size_t i = 0;
  while (i < bytes.size()) {
    size_t n = Utf8SequenceLength(bytes.substr(i));
    if (i + std::max<size_t>(n, 1) > limit) break;
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (n == 0 || b < 0x20 || b == 0x7f) {
      AppendEscaped(out, b);
      i += 1;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  if (i < bytes.size()) out += "...";
  return out;
}

std::optional<RecordRefusal> ParseRecord(std::string_view value,
                                         std::optional<std::string_view> key,
                                         const DecideOptions& options, v1::InboundEvent* inbound) {
  using internal::Reject;
  using v1::RejectionReason;
  if (value.size() > options.max_record_bytes) {
    return RecordRefusal{Reject(RejectionReason::INVALID_EVENT, "record of ", value.size(),
                                " bytes exceeds the ", options.max_record_bytes, "-byte limit"),
                         false};
  }
  if (!inbound->ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return RecordRefusal{Reject(RejectionReason::MALFORMED, "the record's ", value.size(),
                                " bytes are not a gendan.v1.InboundEvent (wire format, "
                                "truncation or invalid UTF-8 in a string field)"),
                         false};
  }
  if (key.has_value() && !inbound->order_id().empty() && *key != inbound->order_id()) {
    // Keys place an order's facts in one partition; a stray key would split its history.
    return RecordRefusal{Reject(RejectionReason::INVALID_EVENT, "record key '", PrintableText(*key),
                                "' differs from order_id '", PrintableText(inbound->order_id()),
                                "'; publish with key = order_id"),
                         true};
  }
  return std::nullopt;
}

}  // namespace gendan

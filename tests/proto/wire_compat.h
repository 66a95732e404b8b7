// Wire- and JSON-compatibility check between two descriptor sets of the gendan.v1 schema.
//
//   FileDescriptorSet old_set = ...;  // proto/snapshot/gendan_v1.descriptor.txtpb
//   FileDescriptorSet now_set = ...;  // ${build}/proto/gendan_v1.descriptor.pb
//   for (const std::string& b : WireBreaks(old_set, now_set)) ADD_FAILURE() << b;
//
// Every message and enum of `old` (nested ones included, matched by full name) must still be in
// `now`, and:
//   - a field keeps its number, type (and message/enum type name), label and real-oneof membership;
//   - a field that is gone had its number AND its name reserved (the number guards the binary
//     encoding; the name guards the JSON keys, which DOMAIN.md makes binding);
//   - so a rename (same number, new name) is a break;
//   - an enum value keeps its number; a value that is gone had its number and name reserved;
//   - a reservation once made stays made.
// Adding messages, enums, fields and values is allowed. A field gaining or losing proto3
// `optional` is not reported (binary-compatible, presence only).
//
// Pure function; the result is sorted, one human-readable line per break, empty when compatible.
#pragma once

#include <google/protobuf/descriptor.pb.h>

#include <string>
#include <vector>

namespace gendan::wire_compat {

std::vector<std::string> WireBreaks(const google::protobuf::FileDescriptorSet& old_set,
                                    const google::protobuf::FileDescriptorSet& now_set);

}  // namespace gendan::wire_compat

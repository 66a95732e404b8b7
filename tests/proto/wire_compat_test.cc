#include "tests/proto/wire_compat.h"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace gendan::wire_compat {
namespace {

using google::protobuf::DescriptorProto;
using google::protobuf::EnumDescriptorProto;
using google::protobuf::FieldDescriptorProto;
using google::protobuf::FileDescriptorSet;
using Breaks = std::vector<std::string>;

::testing::AssertionResult HasSubstr(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

constexpr char kSnapshotPath[] = GENDAN_SOURCE_DIR "/proto/snapshot/gendan_v1.descriptor.txtpb";
constexpr char kBuiltPath[] = GENDAN_BINARY_DIR "/proto/gendan_v1.descriptor.pb";

// A small schema in the shape of gendan.v1: an envelope with a oneof, a nested message, an
// enum in a wrapper message, and a top-level enum.
constexpr char kBase[] = R"pb(
  file {
    name: "t/v1/t.proto"
    package: "t.v1"
    syntax: "proto3"
    message_type {
      name: "Event"
      field {
        name: "event_id"
        number: 1
        label: LABEL_OPTIONAL
        type: TYPE_STRING
        json_name: "eventId"
      }
      field {
        name: "quantity"
        number: 2
        label: LABEL_OPTIONAL
        type: TYPE_INT64
        json_name: "quantity"
      }
      field {
        name: "placed"
        number: 20
        label: LABEL_OPTIONAL
        type: TYPE_MESSAGE
        type_name: ".t.v1.Placed"
        oneof_index: 0
        json_name: "placed"
      }
      field {
        name: "closed"
        number: 21
        label: LABEL_OPTIONAL
        type: TYPE_MESSAGE
        type_name: ".t.v1.Closed"
        oneof_index: 0
        json_name: "closed"
      }
      field {
        name: "lines"
        number: 3
        label: LABEL_REPEATED
        type: TYPE_MESSAGE
        type_name: ".t.v1.Event.Line"
        json_name: "lines"
      }
      nested_type {
        name: "Line"
        field {
          name: "line_id"
          number: 1
          label: LABEL_OPTIONAL
          type: TYPE_STRING
          json_name: "lineId"
        }
        field { name: "sku" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING json_name: "sku" }
      }
      oneof_decl { name: "payload" }
    }
    message_type { name: "Placed" }
    message_type { name: "Closed" }
    message_type {
      name: "Reason"
      enum_type {
        name: "Value"
        value { name: "REASON_UNSPECIFIED" number: 0 }
        value { name: "CUSTOMER_REQUEST" number: 1 }
        value { name: "ENTRY_ERROR" number: 2 }
        value { name: "OTHER" number: 3 }
      }
    }
    enum_type {
      name: "Kind"
      value { name: "KIND_UNSPECIFIED" number: 0 }
      value { name: "A" number: 1 }
    }
  }
)pb";

FileDescriptorSet Parse(const std::string& text) {
  FileDescriptorSet set;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &set)) << text;
  return set;
}

FileDescriptorSet Base() { return Parse(kBase); }

DescriptorProto* Message(FileDescriptorSet* set, const std::string& name) {
  for (auto& m : *set->mutable_file(0)->mutable_message_type()) {
    if (m.name() == name) return &m;
  }
  ADD_FAILURE() << "no message " << name;
  return nullptr;
}

FieldDescriptorProto* Field(DescriptorProto* m, const std::string& name) {
  for (auto& f : *m->mutable_field()) {
    if (f.name() == name) return &f;
  }
  ADD_FAILURE() << "no field " << name;
  return nullptr;
}

void RemoveField(DescriptorProto* m, const std::string& name) {
  auto* fields = m->mutable_field();
  for (int i = 0; i < fields->size(); ++i) {
    if (fields->Get(i).name() == name) {
      fields->DeleteSubrange(i, 1);
      return;
    }
  }
  ADD_FAILURE() << "no field " << name;
}

EnumDescriptorProto* ReasonEnum(FileDescriptorSet* set) {
  return Message(set, "Reason")->mutable_enum_type(0);
}

void RemoveValue(EnumDescriptorProto* e, const std::string& name) {
  auto* values = e->mutable_value();
  for (int i = 0; i < values->size(); ++i) {
    if (values->Get(i).name() == name) {
      values->DeleteSubrange(i, 1);
      return;
    }
  }
  ADD_FAILURE() << "no value " << name;
}

TEST(WireBreaksTest, IdenticalSetsAreCompatible) {
  EXPECT_EQ(WireBreaks(Base(), Base()), Breaks{});
}

TEST(WireBreaksTest, AddingFieldsMessagesAndValuesIsAllowed) {
  FileDescriptorSet now = Base();
  DescriptorProto* event = Message(&now, "Event");
  auto* f = event->add_field();
  f->set_name("source");
  f->set_number(4);
  f->set_label(FieldDescriptorProto::LABEL_OPTIONAL);
  f->set_type(FieldDescriptorProto::TYPE_STRING);
  auto* payload = event->add_field();  // a new member of the existing oneof
  payload->set_name("held");
  payload->set_number(22);
  payload->set_label(FieldDescriptorProto::LABEL_OPTIONAL);
  payload->set_type(FieldDescriptorProto::TYPE_MESSAGE);
  payload->set_type_name(".t.v1.Held");
  payload->set_oneof_index(0);
  now.mutable_file(0)->add_message_type()->set_name("Held");
  auto* v = ReasonEnum(&now)->add_value();
  v->set_name("SUPPLY_CONSTRAINT");
  v->set_number(4);
  EXPECT_EQ(WireBreaks(Base(), now), Breaks{});
}

TEST(WireBreaksTest, ChangedFieldNumberIsABreak) {
  FileDescriptorSet now = Base();
  Field(Message(&now, "Event"), "quantity")->set_number(7);
  EXPECT_EQ(WireBreaks(Base(), now),
            (Breaks{"message .t.v1.Event: field 'quantity' (2) changed number to 7"}));
}

TEST(WireBreaksTest, ChangedFieldTypeIsABreak) {
  FileDescriptorSet now = Base();
  Field(Message(&now, "Event"), "quantity")->set_type(FieldDescriptorProto::TYPE_INT32);
  EXPECT_EQ(WireBreaks(Base(), now),
            (Breaks{"message .t.v1.Event: field 'quantity' (2) changed type from "
                    "LABEL_OPTIONAL TYPE_INT64 to LABEL_OPTIONAL TYPE_INT32"}));
}

TEST(WireBreaksTest, ChangedMessageTypeNameIsABreak) {
  FileDescriptorSet now = Base();
  Field(Message(&now, "Event"), "closed")->set_type_name(".t.v1.Placed");
  std::vector<std::string> breaks = WireBreaks(Base(), now);
  ASSERT_EQ(breaks.size(), 1u);
  EXPECT_TRUE(HasSubstr(breaks[0], "field 'closed' (21) changed type"));
  EXPECT_TRUE(HasSubstr(breaks[0], ".t.v1.Closed to LABEL_OPTIONAL TYPE_MESSAGE .t.v1.Placed"));
}

TEST(WireBreaksTest, ChangedLabelIsABreak) {
  FileDescriptorSet now = Base();
  Field(Message(&now, "Event"), "event_id")->set_label(FieldDescriptorProto::LABEL_REPEATED);
  std::vector<std::string> breaks = WireBreaks(Base(), now);
  ASSERT_EQ(breaks.size(), 1u);
  EXPECT_TRUE(HasSubstr(breaks[0], "field 'event_id' (1) changed type"));
}

TEST(WireBreaksTest, MovingAFieldOutOfItsOneofIsABreak) {
  FileDescriptorSet now = Base();
  Field(Message(&now, "Event"), "closed")->clear_oneof_index();
  EXPECT_EQ(WireBreaks(Base(), now),
            (Breaks{"message .t.v1.Event: field 'closed' (21) moved from oneof 'payload' "
                    "to oneof ''"}));
}

TEST(WireBreaksTest, MakingAFieldProto3OptionalIsAllowed) {
  FileDescriptorSet now = Base();
  DescriptorProto* event = Message(&now, "Event");
  event->add_oneof_decl()->set_name("_quantity");
  FieldDescriptorProto* quantity = Field(event, "quantity");
  quantity->set_oneof_index(1);
  quantity->set_proto3_optional(true);
  EXPECT_EQ(WireBreaks(Base(), now), Breaks{});
}

TEST(WireBreaksTest, RemovedFieldWithoutReservationIsABreak) {
  FileDescriptorSet now = Base();
  RemoveField(Message(&now, "Event"), "quantity");
  EXPECT_EQ(
      WireBreaks(Base(), now),
      (Breaks{"message .t.v1.Event: field 'quantity' (2) was removed without reserving name "
              "'quantity'",
              "message .t.v1.Event: field 'quantity' (2) was removed without reserving number "
              "2"}));
}

TEST(WireBreaksTest, RemovedFieldWithNumberAndNameReservedIsAllowed) {
  FileDescriptorSet now = Base();
  DescriptorProto* event = Message(&now, "Event");
  RemoveField(event, "quantity");
  auto* range = event->add_reserved_range();  // reserved 2; is [2, 3)
  range->set_start(2);
  range->set_end(3);
  event->add_reserved_name("quantity");
  EXPECT_EQ(WireBreaks(Base(), now), Breaks{});
}

TEST(WireBreaksTest, RemovedFieldNeedsItsNameReservedToo) {
  // The number keeps the binary safe; the name keeps the JSON key (binding) from being reused.
  FileDescriptorSet now = Base();
  DescriptorProto* event = Message(&now, "Event");
  RemoveField(event, "quantity");
  auto* range = event->add_reserved_range();  // reserved 1 to 4; covers 2
  range->set_start(1);
  range->set_end(5);
  EXPECT_EQ(WireBreaks(Base(), now),
            (Breaks{"message .t.v1.Event: field 'quantity' (2) was removed without "
                    "reserving name 'quantity'"}));
}

TEST(WireBreaksTest, ReservedRangeEndIsExclusiveForMessages) {
  FileDescriptorSet now = Base();
  DescriptorProto* event = Message(&now, "Event");
  RemoveField(event, "quantity");
  auto* range = event->add_reserved_range();  // [1, 2) does not cover 2
  range->set_start(1);
  range->set_end(2);
  event->add_reserved_name("quantity");
  EXPECT_EQ(WireBreaks(Base(), now),
            (Breaks{"message .t.v1.Event: field 'quantity' (2) was removed without "
                    "reserving number 2"}));
}

TEST(WireBreaksTest, RenamedFieldIsABreak) {
  FileDescriptorSet now = Base();
  FieldDescriptorProto* f = Field(Message(&now, "Event"), "quantity");
  f->set_name("qty");
  f->set_json_name("qty");
  EXPECT_EQ(WireBreaks(Base(), now),
            (Breaks{"message .t.v1.Event: field 'quantity' (2) was renamed or its number "
                    "reused by field 'qty'"}));
}

TEST(WireBreaksTest, ChangedJsonNameIsABreak) {
  FileDescriptorSet now = Base();
  Field(Message(&now, "Event"), "event_id")->set_json_name("id");
  EXPECT_EQ(WireBreaks(Base(), now),
            (Breaks{"message .t.v1.Event: field 'event_id' (1) changed JSON name from "
                    "'eventId' to 'id'"}));
}

TEST(WireBreaksTest, RemovedNestedMessageFieldIsABreak) {
  FileDescriptorSet now = Base();
  RemoveField(Message(&now, "Event")->mutable_nested_type(0), "sku");
  std::vector<std::string> breaks = WireBreaks(Base(), now);
  ASSERT_EQ(breaks.size(), 2u);
  EXPECT_TRUE(HasSubstr(breaks[0], "message .t.v1.Event.Line: field 'sku' (2) was removed"));
}

TEST(WireBreaksTest, RemovedMessageIsABreak) {
  FileDescriptorSet now = Base();
  auto* messages = now.mutable_file(0)->mutable_message_type();
  messages->DeleteSubrange(2, 1);  // Closed
  // The field that referenced it is retyped in the same change; both are reported.
  Field(Message(&now, "Event"), "closed")->set_type_name(".t.v1.Placed");
  std::vector<std::string> breaks = WireBreaks(Base(), now);
  ASSERT_EQ(breaks.size(), 2u);
  EXPECT_EQ(breaks[0], "message .t.v1.Closed was removed");
  EXPECT_TRUE(HasSubstr(breaks[1], "field 'closed' (21) changed type"));
}

TEST(WireBreaksTest, RemovedEnumValueWithoutReservationIsABreak) {
  FileDescriptorSet now = Base();
  RemoveValue(ReasonEnum(&now), "ENTRY_ERROR");
  EXPECT_EQ(WireBreaks(Base(), now),
            (Breaks{"enum .t.v1.Reason.Value: value ENTRY_ERROR (2) was removed without "
                    "reserving name 'ENTRY_ERROR'",
                    "enum .t.v1.Reason.Value: value ENTRY_ERROR (2) was removed without "
                    "reserving number 2"}));
}

TEST(WireBreaksTest, RemovedEnumValueWithReservationIsAllowed) {
  FileDescriptorSet now = Base();
  EnumDescriptorProto* reason = ReasonEnum(&now);
  RemoveValue(reason, "ENTRY_ERROR");
  auto* range = reason->add_reserved_range();  // enum ranges are inclusive: reserved 2; is [2, 2]
  range->set_start(2);
  range->set_end(2);
  reason->add_reserved_name("ENTRY_ERROR");
  EXPECT_EQ(WireBreaks(Base(), now), Breaks{});
}

TEST(WireBreaksTest, ChangedEnumValueNumberIsABreak) {
  FileDescriptorSet now = Base();
  EnumDescriptorProto* reason = ReasonEnum(&now);
  reason->mutable_value(1)->set_number(5);  // CUSTOMER_REQUEST 1 -> 5
  EXPECT_EQ(WireBreaks(Base(), now),
            (Breaks{"enum .t.v1.Reason.Value: value CUSTOMER_REQUEST (1) changed number "
                    "to 5"}));
}

TEST(WireBreaksTest, RenamedEnumValueIsABreak) {
  // JSON carries enum values by name, so a rename breaks every JSON producer and consumer.
  FileDescriptorSet now = Base();
  ReasonEnum(&now)->mutable_value(3)->set_name("MISC");
  EXPECT_EQ(WireBreaks(Base(), now),
            (Breaks{"enum .t.v1.Reason.Value: value OTHER (3) was renamed or its number "
                    "reused by MISC"}));
}

TEST(WireBreaksTest, RemovedTopLevelEnumIsABreak) {
  FileDescriptorSet now = Base();
  now.mutable_file(0)->clear_enum_type();
  EXPECT_EQ(WireBreaks(Base(), now), (Breaks{"enum .t.v1.Kind was removed"}));
}

TEST(WireBreaksTest, DroppedReservationIsABreak) {
  FileDescriptorSet old_set = Base();
  DescriptorProto* event = Message(&old_set, "Event");
  auto* range = event->add_reserved_range();
  range->set_start(9);
  range->set_end(10);
  event->add_reserved_name("legacy");
  FileDescriptorSet now = Base();  // neither reservation survives; 9 is reused
  auto* reuse = Message(&now, "Event")->add_field();
  reuse->set_name("legacy");
  reuse->set_number(9);
  reuse->set_label(FieldDescriptorProto::LABEL_OPTIONAL);
  reuse->set_type(FieldDescriptorProto::TYPE_STRING);
  EXPECT_EQ(WireBreaks(old_set, now),
            (Breaks{"message .t.v1.Event: reserved name 'legacy' is no longer reserved",
                    "message .t.v1.Event: reserved number 9 is no longer reserved"}));
}

TEST(WireBreaksTest, MovingADefinitionToAnotherFileIsAllowed) {
  // Messages are matched by full name, not by file.
  FileDescriptorSet now = Base();
  auto* other = now.add_file();
  other->set_name("t/v1/other.proto");
  other->set_package("t.v1");
  *other->add_message_type() = *Message(&now, "Closed");
  now.mutable_file(0)->mutable_message_type()->DeleteSubrange(2, 1);
  EXPECT_EQ(WireBreaks(Base(), now), Breaks{});
}

// ---- The real schema against the committed snapshot ------------------------------------------

std::string ReadFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool HasMessage(const FileDescriptorSet& set, const std::string& file, const std::string& message) {
  for (const auto& f : set.file()) {
    if (f.name() != file) continue;
    for (const auto& m : f.message_type()) {
      if (m.name() == message) return true;
    }
  }
  return false;
}

class SchemaSnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string text = ReadFile(kSnapshotPath);
    ASSERT_FALSE(text.empty()) << "cannot read " << kSnapshotPath;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &snapshot_)) << kSnapshotPath;
    const std::string bytes = ReadFile(kBuiltPath);
    ASSERT_FALSE(bytes.empty()) << "cannot read " << kBuiltPath
                                << " (build target gendan_proto_descriptor)";
    ASSERT_TRUE(built_.ParseFromString(bytes)) << kBuiltPath;
  }
  FileDescriptorSet snapshot_, built_;
};

// Guards the guard: an empty or stale-path snapshot would make the check vacuous.
TEST_F(SchemaSnapshotTest, SnapshotHoldsTheGendanSchema) {
  EXPECT_TRUE(HasMessage(snapshot_, "gendan/v1/events.proto", "InboundEvent"));
  EXPECT_TRUE(HasMessage(snapshot_, "gendan/v1/events.proto", "OrderEvent"));
  EXPECT_TRUE(HasMessage(snapshot_, "gendan/v1/events.proto", "Rejection"));
  EXPECT_TRUE(HasMessage(snapshot_, "gendan/v1/payloads.proto", "OrderPlaced"));
  EXPECT_TRUE(HasMessage(snapshot_, "gendan/v1/enums.proto", "RejectionReason"));
  EXPECT_TRUE(HasMessage(built_, "gendan/v1/events.proto", "InboundEvent"));
}

// The schema being built does not break the recorded one. If this fails, the .proto change would
// make events already in gendan.events (never compacted) or upstream JSON decode wrongly: restore
// the field/value, or remove it with `reserved <number>; reserved "<name>";`. Do not re-snapshot
// to make it pass.
TEST_F(SchemaSnapshotTest, BuiltSchemaIsWireCompatibleWithSnapshot) {
  for (const std::string& b : WireBreaks(snapshot_, built_)) ADD_FAILURE() << b;
}

// Additions are allowed without a new snapshot, but are not guarded until one is taken. Say so,
// without failing.
TEST_F(SchemaSnapshotTest, ReportsWhenSnapshotIsBehind) {
  FileDescriptorSet own;
  for (const auto& f : built_.file()) {
    if (f.name().rfind("google/protobuf/", 0) != 0) *own.add_file() = f;
  }
  FileDescriptorSet snapshot = snapshot_;
  for (auto* set : {&own, &snapshot}) {
    for (auto& f : *set->mutable_file()) f.clear_source_code_info();
  }
  google::protobuf::util::MessageDifferencer differ;
  differ.set_repeated_field_comparison(google::protobuf::util::MessageDifferencer::AS_SET);
  if (!differ.Compare(snapshot, own)) {
    std::cout << "[   NOTE   ] proto/snapshot/gendan_v1.descriptor.txtpb differs from the built "
                 "schema (compatible additions?). Run proto/snapshot/update.sh once the change is "
                 "reviewed, so the additions are guarded too.\n";
  }
}

}  // namespace
}  // namespace gendan::wire_compat

#include "tests/proto/wire_compat.h"

#include <algorithm>
#include <map>
#include <string>

namespace gendan::wire_compat {
namespace {

using google::protobuf::DescriptorProto;
using google::protobuf::EnumDescriptorProto;
using google::protobuf::FieldDescriptorProto;
using google::protobuf::FileDescriptorSet;

struct Index {
  std::map<std::string, const DescriptorProto*> messages;
  std::map<std::string, const EnumDescriptorProto*> enums;
};

void IndexMessage(const std::string& scope, const DescriptorProto& m, Index* index) {
  const std::string name = scope + "." + m.name();
  index->messages[name] = &m;
  for (const auto& nested : m.nested_type()) IndexMessage(name, nested, index);
  for (const auto& e : m.enum_type()) index->enums[name + "." + e.name()] = &e;
}

Index IndexSet(const FileDescriptorSet& set) {
  Index index;
  for (const auto& file : set.file()) {
    const std::string scope = file.package().empty() ? "" : "." + file.package();
    for (const auto& m : file.message_type()) IndexMessage(scope, m, &index);
    for (const auto& e : file.enum_type()) index.enums[scope + "." + e.name()] = &e;
  }
  return index;
}

// Message reserved ranges are [start, end); enum reserved ranges are [start, end].
bool MessageReservesNumber(const DescriptorProto& m, int number) {
  return std::any_of(m.reserved_range().begin(), m.reserved_range().end(),
                     [&](const auto& r) { return number >= r.start() && number < r.end(); });
}
bool EnumReservesNumber(const EnumDescriptorProto& e, int number) {
  return std::any_of(e.reserved_range().begin(), e.reserved_range().end(),
                     [&](const auto& r) { return number >= r.start() && number <= r.end(); });
}
template <typename Names>
bool ReservesName(const Names& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

const FieldDescriptorProto* FieldByName(const DescriptorProto& m, const std::string& name) {
  for (const auto& f : m.field()) {
    if (f.name() == name) return &f;
  }
  return nullptr;
}
const FieldDescriptorProto* FieldByNumber(const DescriptorProto& m, int number) {
  for (const auto& f : m.field()) {
    if (f.number() == number) return &f;
  }
  return nullptr;
}

// The name of the real (not proto3-optional synthetic) oneof a field belongs to, or "".
std::string RealOneof(const DescriptorProto& m, const FieldDescriptorProto& f) {
  if (!f.has_oneof_index() || f.proto3_optional()) return "";
  return m.oneof_decl(f.oneof_index()).name();
}

std::string TypeName(const FieldDescriptorProto& f) {
  std::string s =
      FieldDescriptorProto::Label_Name(f.label()) + " " + FieldDescriptorProto::Type_Name(f.type());
  if (!f.type_name().empty()) s += " " + f.type_name();
  return s;
}

void CheckMessage(const std::string& name, const DescriptorProto& old_m,
                  const DescriptorProto& now_m, std::vector<std::string>* breaks) {
  auto report = [&](const std::string& what) {
    breaks->push_back("message " + name + ": " + what);
  };
  for (const auto& old_f : old_m.field()) {
    const std::string field =
        "field '" + old_f.name() + "' (" + std::to_string(old_f.number()) + ")";
    const FieldDescriptorProto* now_f = FieldByName(now_m, old_f.name());
    if (now_f == nullptr) {
      if (const FieldDescriptorProto* reuse = FieldByNumber(now_m, old_f.number())) {
        report(field + " was renamed or its number reused by field '" + reuse->name() + "'");
        continue;
      }
      if (!MessageReservesNumber(now_m, old_f.number())) {
        report(field + " was removed without reserving number " + std::to_string(old_f.number()));
      }
      if (!ReservesName(now_m.reserved_name(), old_f.name())) {
        report(field + " was removed without reserving name '" + old_f.name() + "'");
      }
      continue;
    }
    if (now_f->number() != old_f.number()) {
      report(field + " changed number to " + std::to_string(now_f->number()));
    }
    if (now_f->type() != old_f.type() || now_f->type_name() != old_f.type_name() ||
        now_f->label() != old_f.label()) {
      report(field + " changed type from " + TypeName(old_f) + " to " + TypeName(*now_f));
    }
    const std::string old_oneof = RealOneof(old_m, old_f), now_oneof = RealOneof(now_m, *now_f);
    if (old_oneof != now_oneof) {
      report(field + " moved from oneof '" + old_oneof + "' to oneof '" + now_oneof + "'");
    }
    if (old_f.has_json_name() && now_f->has_json_name() &&
        old_f.json_name() != now_f->json_name()) {
      report(field + " changed JSON name from '" + old_f.json_name() + "' to '" +
             now_f->json_name() + "'");
    }
  }
  for (const auto& r : old_m.reserved_range()) {
    for (int n = r.start(); n < r.end(); ++n) {
      if (!MessageReservesNumber(now_m, n)) {
        report("reserved number " + std::to_string(n) + " is no longer reserved");
        break;  // one line per range is enough
      }
    }
  }
  for (const auto& reserved : old_m.reserved_name()) {
    if (!ReservesName(now_m.reserved_name(), reserved)) {
      report("reserved name '" + reserved + "' is no longer reserved");
    }
  }
}

const google::protobuf::EnumValueDescriptorProto* ValueByName(const EnumDescriptorProto& e,
                                                              const std::string& name) {
  for (const auto& v : e.value()) {
    if (v.name() == name) return &v;
  }
  return nullptr;
}
const google::protobuf::EnumValueDescriptorProto* ValueByNumber(const EnumDescriptorProto& e,
                                                                int number) {
  for (const auto& v : e.value()) {
    if (v.number() == number) return &v;
  }
  return nullptr;
}

void CheckEnum(const std::string& name, const EnumDescriptorProto& old_e,
               const EnumDescriptorProto& now_e, std::vector<std::string>* breaks) {
  auto report = [&](const std::string& what) { breaks->push_back("enum " + name + ": " + what); };
  for (const auto& old_v : old_e.value()) {
    const std::string value = "value " + old_v.name() + " (" + std::to_string(old_v.number()) + ")";
    const auto* now_v = ValueByName(now_e, old_v.name());
    if (now_v != nullptr) {
      if (now_v->number() != old_v.number()) {
        report(value + " changed number to " + std::to_string(now_v->number()));
      }
      continue;
    }
    if (const auto* reuse = ValueByNumber(now_e, old_v.number())) {
      // An alias added beside the old name is fine; the old name itself has to stay.
      report(value + " was renamed or its number reused by " + reuse->name());
      continue;
    }
    if (!EnumReservesNumber(now_e, old_v.number())) {
      report(value + " was removed without reserving number " + std::to_string(old_v.number()));
    }
    if (!ReservesName(now_e.reserved_name(), old_v.name())) {
      report(value + " was removed without reserving name '" + old_v.name() + "'");
    }
  }
  for (const auto& r : old_e.reserved_range()) {
    for (int n = r.start(); n <= r.end(); ++n) {
      if (!EnumReservesNumber(now_e, n)) {
        report("reserved number " + std::to_string(n) + " is no longer reserved");
        break;
      }
    }
  }
  for (const auto& reserved : old_e.reserved_name()) {
    if (!ReservesName(now_e.reserved_name(), reserved)) {
      report("reserved name '" + reserved + "' is no longer reserved");
    }
  }
}

}  // namespace

std::vector<std::string> WireBreaks(const FileDescriptorSet& old_set,
                                    const FileDescriptorSet& now_set) {
  const Index old_index = IndexSet(old_set), now_index = IndexSet(now_set);
  std::vector<std::string> breaks;
  for (const auto& [name, old_m] : old_index.messages) {
    auto it = now_index.messages.find(name);
    if (it == now_index.messages.end()) {
      breaks.push_back("message " + name + " was removed");
    } else {
      CheckMessage(name, *old_m, *it->second, &breaks);
    }
  }
  for (const auto& [name, old_e] : old_index.enums) {
    auto it = now_index.enums.find(name);
    if (it == now_index.enums.end()) {
      breaks.push_back("enum " + name + " was removed");
    } else {
      CheckEnum(name, *old_e, *it->second, &breaks);
    }
  }
  std::sort(breaks.begin(), breaks.end());
  return breaks;
}

}  // namespace gendan::wire_compat

// Schema lookups. The parser lives in schema_parser.cc, the built-in data in data/ (embedded
// by embed_schema.cmake, loaded by builtin_schema.cc).
#include "skiff/apis/schema.h"

namespace skiff::apis {

const FieldDef* TypeDef::Field(std::string_view json_name) const {
  for (const FieldDef& f : fields) {
    if (f.name == json_name) return &f;
  }
  return nullptr;
}

const FieldDef* TypeDef::FieldByProto(int number) const {
  if (number <= 0) return nullptr;  // 0 marks fields without a protobuf number
  for (const FieldDef& f : fields) {
    if (f.proto == number) return &f;
  }
  return nullptr;
}

const TypeDef::Inline* TypeDef::InlineByProto(int number) const {
  if (number <= 0) return nullptr;
  for (const Inline& in : inlined) {
    if (in.proto == number) return &in;
  }
  return nullptr;
}

TypeDef* Schema::AddType(TypeDef type) {
  auto owned = std::make_unique<TypeDef>(std::move(type));
  TypeDef* raw = owned.get();
  types_[raw->name] = std::move(owned);
  return raw;
}

const TypeDef* Schema::Type(std::string_view qualified_name) const {
  auto it = types_.find(qualified_name);
  return it == types_.end() ? nullptr : it->second.get();
}

const TypeDef* Schema::KindType(std::string_view group, std::string_view version,
                                std::string_view kind) const {
  for (const auto& [name, t] : types_) {
    if (t->kind == kind && t->group == group && t->version == version) return t.get();
  }
  return nullptr;
}

}  // namespace skiff::apis

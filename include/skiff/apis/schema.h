// The schema of the built-in API types: every type's fields with their JSON names, value
// kinds, protobuf field numbers and patch metadata. One source of truth for
//   - strict decoding (unknown fields, wrong value types) under fieldValidation=Strict,
//   - strategic merge patch (merge keys, patch strategies, list types),
//   - decoding the Kubernetes protobuf bodies kubectl sends,
//   - the OpenAPI documents served for kubectl apply and kubectl explain.
//
// Schemas are written in a small text language (schema_dsl.md beside the data explains it)
// and parsed once. A Schema is immutable after parsing and safe to share between threads;
// TypeDef and FieldDef pointers live as long as their Schema.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::apis {

// How a value is represented in JSON (and, for the special kinds, in protobuf).
enum class ValueKind {
  kString,
  kBool,
  kInt32,
  kInt64,
  kFloat64,
  kBytes,        // JSON: base64 string; protobuf: bytes
  kQuantity,     // JSON: "500m", "1Gi" (numbers accepted); protobuf: message {string string=1}
  kIntOrString,  // JSON: 8080 or "http"; protobuf: message {int64 type=1; int32 intVal=2;
                 //   string strVal=3}
  kTime,         // JSON: RFC 3339 "2024-01-02T03:04:05Z"; protobuf: {int64 seconds=1;
                 //   int32 nanos=2}
  kMicroTime,    // JSON: RFC 3339 with microseconds; protobuf as kTime
  kDuration,     // JSON: "1h2m3s"; protobuf: message {int64 duration=1} (nanoseconds)
  kRawJSON,      // any JSON (runtime.RawExtension, apiextensions JSON); protobuf: {bytes raw=1}
  kObject,       // a nested type (FieldDef::type)
};

enum class Container { kNone, kArray, kMap };  // a field may be []T or map[string]T of its kind

struct TypeDef;

struct FieldDef {
  std::string name;  // JSON name, e.g. "restartPolicy"
  int proto = 0;     // protobuf field number (0 when the type has none)
  Container container = Container::kNone;
  ValueKind kind = ValueKind::kString;
  const TypeDef* type = nullptr;  // for kObject (of the element, for arrays and maps)
  bool required = false;
  // Strategic merge patch metadata (from the Go tags +patchStrategy / +patchMergeKey /
  // +listType / +listMapKey).
  std::string merge_key;              // e.g. "name" for containers; "" when none
  bool strategy_merge = false;        // patchStrategy includes "merge"
  bool strategy_retain_keys = false;  // patchStrategy includes "retainKeys"
  std::string list_type;              // "atomic", "set", "map" or ""
  std::vector<std::string> list_map_keys;
  std::string description;        // one line, for kubectl explain (may be empty)
  bool strategy_replace = false;  // patchStrategy is "replace" (e.g. PDB spec.selector)
};

struct TypeDef {
  std::string name;  // qualified, e.g. "core.v1.PodSpec", "meta.v1.ObjectMeta"
  std::vector<FieldDef> fields;
  std::string description;
  // For top-level kinds: the group/version/kind this type serves ("" group for core).
  std::string group, version, kind;

  // Embedded Go structs whose fields sit directly in this type's JSON object (`json:",inline"`),
  // e.g. core.v1.Volume embeds core.v1.VolumeSource as protobuf field 2. The parser copies the
  // embedded type's fields into `fields` (with proto = 0, since their numbers belong to the
  // embedded message), so JSON users (strict decoding, patch, OpenAPI) never need this list.
  // Protobuf users decode field `proto` of this message as a message of `type` and merge its
  // fields into the same JSON object.
  struct Inline {
    std::string name;  // the Go/protobuf name, e.g. "volumeSource"
    int proto = 0;
    const TypeDef* type = nullptr;
  };
  std::vector<Inline> inlined;

  // The field with this JSON name (inlined fields included), or nullptr.
  const FieldDef* Field(std::string_view json_name) const;
  // The field with this protobuf number (never an inlined copy; see `inlined`), or nullptr.
  const FieldDef* FieldByProto(int number) const;
  // The inline member with this protobuf number, or nullptr.
  const Inline* InlineByProto(int number) const;
  bool IsKind() const { return !kind.empty(); }
};

// One named text for Schema::ParseFiles; the name only labels error messages.
struct SchemaSource {
  std::string name;  // e.g. "core_v1.schema"
  std::string_view text;
};

class Schema {
 public:
  // Parses schema text (see schema_dsl.md). Errors name the line: "schema line 7: ...".
  // Every type reference must resolve within the text.
  static Result<std::shared_ptr<const Schema>> Parse(std::string_view text);
  // Parses several texts into one schema; references may cross texts. Errors name the text and
  // the line: "core_v1.schema line 12: unknown type \"core.v1.PodSpek\"".
  static Result<std::shared_ptr<const Schema>> ParseFiles(const std::vector<SchemaSource>& files);

  // Adds a type (replacing one of the same name) and returns it; for building schemas in code
  // (tests) and for the parser. Pointers to FieldDef::type must point into this schema.
  TypeDef* AddType(TypeDef type);

  const TypeDef* Type(std::string_view qualified_name) const;
  // The top-level type for a kind, e.g. ("apps", "v1", "Deployment").
  const TypeDef* KindType(std::string_view group, std::string_view version,
                          std::string_view kind) const;
  const std::map<std::string, std::unique_ptr<TypeDef>, std::less<>>& types() const {
    return types_;
  }

 private:
  std::map<std::string, std::unique_ptr<TypeDef>, std::less<>> types_;
};

// The schema of every built-in type skiff serves: parsed once from the data files embedded at
// build time (src/apis/schema/data/*.schema), on first use, thread-safely. Aborts the process
// with a clear message if the embedded data does not parse (a unit test guarantees it does).
const Schema& BuiltinSchema();

// The embedded schema texts (for tools and tests).
std::vector<SchemaSource> BuiltinSchemaSources();

}  // namespace skiff::apis

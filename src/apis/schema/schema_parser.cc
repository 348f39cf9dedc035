// The schema language parser (schema_dsl.md). Three passes: read every line into raw blocks,
// create the types, then resolve references, expand inline members and check patch metadata.
#include <cctype>
#include <charconv>
#include <deque>
#include <map>
#include <set>

#include "skiff/apis/schema.h"

namespace skiff::apis {
namespace {

struct RawField {
  FieldDef def;          // everything but `type`
  std::string type_ref;  // for kObject: the referenced type name as written
  bool inline_member = false;
  int line = 0;
};

struct RawType {
  TypeDef def;  // name, description, group/version/kind; no fields yet
  std::vector<RawField> fields;
  size_t source = 0;
  int line = 0;
};

const std::map<std::string_view, ValueKind>& ScalarKinds() {
  static const std::map<std::string_view, ValueKind> kinds = {
      {"string", ValueKind::kString},     {"bool", ValueKind::kBool},
      {"int32", ValueKind::kInt32},       {"int64", ValueKind::kInt64},
      {"float64", ValueKind::kFloat64},   {"bytes", ValueKind::kBytes},
      {"quantity", ValueKind::kQuantity}, {"intorstring", ValueKind::kIntOrString},
      {"time", ValueKind::kTime},         {"microtime", ValueKind::kMicroTime},
      {"duration", ValueKind::kDuration}, {"rawjson", ValueKind::kRawJSON},
  };
  return kinds;
}

bool IsIdent(std::string_view s) {
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool IsPackageName(std::string_view s) {  // "core.v1": identifiers joined by dots
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  size_t start = 0;
  while (start <= s.size()) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!IsIdent(part)) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

// A type reference: "PodSpec" or "meta.v1.ObjectMeta"; the last part starts upper-case.
bool IsTypeName(std::string_view s) {
  size_t dot = s.rfind('.');
  size_t first = dot == std::string_view::npos ? 0 : dot + 1;
  return first < s.size() && std::isupper(static_cast<unsigned char>(s[first]));
}

// A JSON field name: printable, no spaces, quotes or '#'.
bool IsJsonName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c <= ' ' || c == '"' || c == '#' || c == 127) return false;
  }
  return true;
}

// Splits a line into tokens; a token starting with '"' runs to the closing quote (no escapes)
// and must be the last one. A '#' outside quotes ends the line.
Result<std::vector<std::string>> Tokenize(std::string_view line, std::string* quoted) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '#') {
      break;
    } else if (c == '"') {
      size_t end = line.find('"', i + 1);
      if (end == std::string_view::npos) return InvalidArgumentError("unterminated description");
      *quoted = std::string(line.substr(i + 1, end - i - 1));
      size_t rest = end + 1;
      while (rest < line.size() && (line[rest] == ' ' || line[rest] == '\t' || line[rest] == '\r'))
        ++rest;
      if (rest < line.size() && line[rest] != '#') {
        return InvalidArgumentError("text after the description");
      }
      break;
    } else {
      size_t start = i;
      while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
             line[i] != '#' && line[i] != '"')
        ++i;
      out.emplace_back(line.substr(start, i - start));
    }
  }
  return out;
}

std::vector<std::string> SplitComma(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.emplace_back(s.substr(start, comma == std::string_view::npos ? comma : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

class Parser {
 public:
  explicit Parser(const std::vector<SchemaSource>& files) : files_(files) {}

  Result<std::shared_ptr<const Schema>> Run() {
    for (size_t i = 0; i < files_.size(); ++i) {
      Status s = ReadSource(i);
      if (!s.ok()) return s;
    }
    auto schema = std::make_shared<Schema>();
    // Pass 2: create every type so references can point at them.
    std::map<std::string, TypeDef*, std::less<>> created;
    for (RawType& raw : raw_types_) {
      if (created.count(raw.def.name)) {
        return Error(raw.source, raw.line, "type " + Quote(raw.def.name) + " defined twice");
      }
      created[raw.def.name] = schema->AddType(raw.def);
    }
    // Pass 3a: resolve references.
    for (RawType& raw : raw_types_) {
      std::string pkg = raw.def.name.substr(0, raw.def.name.rfind('.'));
      for (RawField& rf : raw.fields) {
        if (rf.def.kind == ValueKind::kObject) {
          std::string full =
              rf.type_ref.find('.') == std::string::npos ? pkg + "." + rf.type_ref : rf.type_ref;
          auto it = created.find(full);
          if (it == created.end()) {
            return Error(raw.source, rf.line, "unknown type " + Quote(full));
          }
          rf.def.type = it->second;
        }
      }
    }
    // Pass 3b: expand inline members (depth first, so nested inlines are flat too).
    for (RawType& raw : raw_types_) {
      Status s = Expand(raw, created);
      if (!s.ok()) return s;
    }
    // Pass 3c: patch metadata must name fields of the element type.
    for (const RawType& raw : raw_types_) {
      const TypeDef* t = created[raw.def.name];
      for (const RawField& rf : raw.fields) {
        if (rf.inline_member) continue;
        const FieldDef* f = t->Field(rf.def.name);
        std::vector<std::string> keys = f->list_map_keys;
        if (!f->merge_key.empty()) keys.push_back(f->merge_key);
        for (const std::string& k : keys) {
          if (f->kind != ValueKind::kObject || f->type->Field(k) == nullptr) {
            return Error(raw.source, rf.line,
                         "key " + Quote(k) + " is not a field of the list's elements");
          }
        }
      }
    }
    return std::shared_ptr<const Schema>(std::move(schema));
  }

 private:
  Status Error(size_t source, int line, const std::string& msg) const {
    return InvalidArgumentError(files_[source].name + " line " + std::to_string(line) + ": " + msg);
  }

  Status ReadSource(size_t src) {
    std::string_view text = files_[src].text;
    std::string package;
    RawType* current = nullptr;
    int line_no = 0;
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t nl = text.find('\n', pos);
      std::string_view line =
          text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
      ++line_no;
      std::string desc;
      auto tokens = Tokenize(line, &desc);
      if (!tokens.ok()) return Error(src, line_no, tokens.status().message());
      const std::vector<std::string>& tok = *tokens;
      if (tok.empty()) {
        if (!desc.empty()) return Error(src, line_no, "a description needs a type or a field");
        continue;
      }
      bool indented = line[0] == ' ' || line[0] == '\t';
      if (!indented) {
        Status s = ReadHeader(src, line_no, tok, desc, &package, &current);
        if (!s.ok()) return s;
        continue;
      }
      if (current == nullptr) {
        return Error(src, line_no, "field outside a type block (indent fields under a type)");
      }
      Status s = ReadField(src, line_no, tok, desc, current);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Status ReadHeader(size_t src, int line_no, const std::vector<std::string>& tok,
                    const std::string& desc, std::string* package, RawType** current) {
    const std::string& word = tok[0];
    if (word == "package") {
      if (tok.size() != 2 || !IsPackageName(tok[1])) {
        return Error(src, line_no, "expected \"package <name>\", e.g. \"package core.v1\"");
      }
      *package = tok[1];
      *current = nullptr;
      return Status::Ok();
    }
    if (word != "type" && word != "kind") {
      return Error(src, line_no,
                   "expected \"package\", \"type\" or \"kind\" (fields must be indented), got " +
                       Quote(word));
    }
    if (package->empty()) return Error(src, line_no, "\"" + word + "\" before any \"package\"");
    RawType raw;
    raw.source = src;
    raw.line = line_no;
    raw.def.description = desc;
    if (word == "type") {
      if (tok.size() != 2 || !IsIdent(tok[1])) {
        return Error(src, line_no, "expected \"type <Name>\"");
      }
    } else {
      if (tok.size() != 3 || !IsIdent(tok[1])) {
        return Error(src, line_no, "expected \"kind <Name> <apiVersion>\", e.g. \"kind Pod v1\"");
      }
      const std::string& av = tok[2];
      size_t slash = av.find('/');
      std::string group = slash == std::string::npos ? "" : av.substr(0, slash);
      std::string version = slash == std::string::npos ? av : av.substr(slash + 1);
      if (version.empty() || !IsIdent(version) || (slash != std::string::npos && group.empty()) ||
          version.find('/') != std::string::npos) {
        return Error(src, line_no, "bad apiVersion " + Quote(av) + " (want \"v1\" or \"apps/v1\")");
      }
      raw.def.group = group;
      raw.def.version = version;
      raw.def.kind = tok[1];
    }
    raw.def.name = *package + "." + tok[1];
    raw_types_.push_back(std::move(raw));
    *current = &raw_types_.back();
    return Status::Ok();
  }

  Status ReadField(size_t src, int line_no, const std::vector<std::string>& tok,
                   const std::string& desc, RawType* current) {
    if (tok.size() < 3) {
      return Error(src, line_no, "expected \"<jsonName> <protoNumber> <type> [attributes]\"");
    }
    RawField rf;
    rf.line = line_no;
    FieldDef& f = rf.def;
    f.description = desc;
    if (!IsJsonName(tok[0])) return Error(src, line_no, "bad field name " + Quote(tok[0]));
    f.name = tok[0];
    int proto = -1;
    auto [end, ec] = std::from_chars(tok[1].data(), tok[1].data() + tok[1].size(), proto);
    if (ec != std::errc() || end != tok[1].data() + tok[1].size() || proto < 0) {
      return Error(src, line_no, "bad protobuf field number " + Quote(tok[1]));
    }
    f.proto = proto;
    std::string_view type = tok[2];
    if (type.substr(0, 2) == "[]") {
      f.container = Container::kArray;
      type.remove_prefix(2);
    } else if (type.substr(0, 11) == "map[string]") {
      f.container = Container::kMap;
      type.remove_prefix(11);
    }
    if (type.substr(0, 2) == "[]" || type.substr(0, 4) == "map[") {
      return Error(src, line_no, "nested containers are not supported: " + Quote(tok[2]));
    }
    auto scalar = ScalarKinds().find(type);
    if (scalar != ScalarKinds().end()) {
      f.kind = scalar->second;
    } else if (IsPackageName(type) && IsTypeName(type)) {
      f.kind = ValueKind::kObject;
      rf.type_ref = std::string(type);
    } else {
      return Error(src, line_no,
                   "unknown value type " + Quote(type) +
                       " (a kind such as string, int32, quantity, or a type name)");
    }
    for (size_t i = 3; i < tok.size(); ++i) {
      Status s = ReadAttribute(src, line_no, tok[i], &rf);
      if (!s.ok()) return s;
    }
    // Consistency of the attributes.
    if (!f.list_type.empty() && f.container != Container::kArray) {
      return Error(src, line_no, "list= needs a [] field");
    }
    if (f.list_type == "map" && f.list_map_keys.empty()) {
      return Error(src, line_no, "list=map needs keys=");
    }
    if (!f.list_map_keys.empty() && f.list_type != "map") {
      return Error(src, line_no, "keys= needs list=map");
    }
    if (!f.merge_key.empty() &&
        (f.container != Container::kArray || f.kind != ValueKind::kObject)) {
      return Error(src, line_no, "merge= needs a [] field of a type");
    }
    if (rf.inline_member) {
      if (f.kind != ValueKind::kObject || f.container != Container::kNone) {
        return Error(src, line_no, "inline needs a plain (not [] or map) field of a type");
      }
      if (f.required || !f.merge_key.empty() || f.strategy_merge || f.strategy_retain_keys ||
          f.strategy_replace) {
        return Error(src, line_no, "inline members take no other attributes");
      }
    }
    for (const RawField& other : current->fields) {
      if (other.def.name == f.name) {
        return Error(src, line_no,
                     "field " + Quote(f.name) + " defined twice in " + current->def.name);
      }
      if (f.proto != 0 && other.def.proto == f.proto) {
        return Error(
            src, line_no,
            "protobuf number " + std::to_string(f.proto) + " used twice in " + current->def.name);
      }
    }
    current->fields.push_back(std::move(rf));
    return Status::Ok();
  }

  Status ReadAttribute(size_t src, int line_no, const std::string& attr, RawField* rf) {
    FieldDef& f = rf->def;
    size_t eq = attr.find('=');
    std::string key = attr.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : attr.substr(eq + 1);
    if (eq == std::string::npos) {
      if (attr == "required") {
        f.required = true;
      } else if (attr == "inline") {
        rf->inline_member = true;
      } else {
        return Error(src, line_no, "unknown attribute " + Quote(attr));
      }
      return Status::Ok();
    }
    if (value.empty()) return Error(src, line_no, "empty value in " + Quote(attr));
    if (key == "merge") {
      f.merge_key = value;
    } else if (key == "strategy") {
      for (const std::string& s : SplitComma(value)) {
        if (s == "merge") {
          f.strategy_merge = true;
        } else if (s == "retainKeys") {
          f.strategy_retain_keys = true;
        } else if (s == "replace") {
          f.strategy_replace = true;
        } else {
          return Error(src, line_no,
                       "unknown patch strategy " + Quote(s) + " (merge, retainKeys or replace)");
        }
      }
      if (f.strategy_replace && (f.strategy_merge || f.strategy_retain_keys)) {
        return Error(src, line_no, "strategy=replace cannot be combined");
      }
    } else if (key == "list") {
      if (value != "atomic" && value != "set" && value != "map") {
        return Error(src, line_no, "unknown list type " + Quote(value) + " (atomic, set or map)");
      }
      f.list_type = value;
    } else if (key == "keys") {
      for (const std::string& k : SplitComma(value)) {
        if (!IsJsonName(k)) return Error(src, line_no, "bad list map key " + Quote(k));
        f.list_map_keys.push_back(k);
      }
    } else {
      return Error(src, line_no, "unknown attribute " + Quote(key));
    }
    return Status::Ok();
  }

  // Builds the final field list of `raw`'s type: own fields in order, inline members replaced by
  // copies of the embedded type's (already expanded) fields.
  Status Expand(RawType& raw, std::map<std::string, TypeDef*, std::less<>>& created) {
    if (done_.count(raw.def.name)) return Status::Ok();
    if (!in_progress_.insert(raw.def.name).second) {
      return Error(raw.source, raw.line, "inline cycle through " + Quote(raw.def.name));
    }
    TypeDef* t = created[raw.def.name];
    t->fields.clear();
    t->inlined.clear();
    for (RawField& rf : raw.fields) {
      if (!rf.inline_member) {
        t->fields.push_back(rf.def);
        continue;
      }
      RawType* inner = FindRaw(rf.def.type->name);
      Status s = Expand(*inner, created);
      if (!s.ok()) return s;
      t->inlined.push_back({rf.def.name, rf.def.proto, rf.def.type});
      for (FieldDef copy : rf.def.type->fields) {
        copy.proto = 0;
        t->fields.push_back(std::move(copy));
      }
    }
    std::set<std::string, std::less<>> names;
    for (const FieldDef& f : t->fields) {
      if (!names.insert(f.name).second) {
        return Error(raw.source, raw.line,
                     "field " + Quote(f.name) + " appears twice in " + raw.def.name +
                         " once inline members are expanded");
      }
    }
    in_progress_.erase(raw.def.name);
    done_.insert(raw.def.name);
    return Status::Ok();
  }

  RawType* FindRaw(std::string_view name) {
    for (RawType& r : raw_types_) {
      if (r.def.name == name) return &r;
    }
    return nullptr;
  }

  const std::vector<SchemaSource>& files_;
  std::deque<RawType> raw_types_;  // deque: `current` pointers stay valid while appending
  std::set<std::string, std::less<>> in_progress_, done_;
};

}  // namespace

Result<std::shared_ptr<const Schema>> Schema::ParseFiles(const std::vector<SchemaSource>& files) {
  try {
    return Parser(files).Run();
  } catch (const std::exception& e) {  // e.g. bad_alloc; never let it cross the header
    return InternalError(std::string("schema parser: ") + e.what());
  }
}

Result<std::shared_ptr<const Schema>> Schema::Parse(std::string_view text) {
  return ParseFiles({SchemaSource{"schema", text}});
}

}  // namespace skiff::apis

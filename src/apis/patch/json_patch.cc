// RFC 6902 JSON patch with the behaviour (and messages) of evanphx/json-patch v4, the library
// kube-apiserver applies application/json-patch+json with.
#include <string>
#include <vector>

#include "go_text.h"
#include "skiff/apis/patch.h"

namespace skiff::apis {
namespace {

using nlohmann::json;
using patch_internal::GoAtoi;

constexpr std::string_view kMissing = ": missing value";
constexpr std::string_view kInvalidIndex = ": invalid index referenced";

// The error of one operation; a plain string keeps the code close to the messages.
struct OpError {
  std::string message;
};

// RFC 6901 token decoding: "~1" -> "/", then "~0" -> "~" (one left-to-right pass).
std::string DecodeToken(std::string_view token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    parts.emplace_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

std::string InvalidIndex(int64_t idx) {
  return "Unable to access invalid index: " + std::to_string(idx) + std::string(kInvalidIndex);
}

// An array index for reading or replacing an existing element: negative counts from the end.
// Returns the position, or sets `error` (the Go error text).
std::optional<size_t> ExistingIndex(const json& array, const std::string& key, std::string* error) {
  std::optional<int64_t> idx = GoAtoi(key, error);
  if (!idx) return std::nullopt;
  int64_t n = static_cast<int64_t>(array.size());
  int64_t i = *idx;
  if (i < 0) {
    if (i < -n) {
      *error = InvalidIndex(i);
      return std::nullopt;
    }
    i += n;
  }
  if (i >= n) {
    *error = InvalidIndex(i);
    return std::nullopt;
  }
  return static_cast<size_t>(i);
}

// The container that holds the last token of `path`, and that token (decoded). Null when a
// parent is missing, is not a container, or the path has no token at all.
struct Location {
  json* container = nullptr;
  std::string key;
};

Location FindObject(json& root, std::string_view path) {
  if (path.empty() || path[0] != '/') return {};
  std::vector<std::string> parts = SplitPath(path.substr(1));
  json* cur = &root;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    std::string part = DecodeToken(parts[i]);
    json* next = nullptr;
    if (cur->is_object()) {
      auto it = cur->find(part);
      if (it != cur->end()) next = &*it;
    } else if (cur->is_array()) {
      std::string ignored;
      if (auto idx = ExistingIndex(*cur, part, &ignored)) next = &(*cur)[*idx];
    }
    if (next == nullptr || !(next->is_object() || next->is_array())) return {};
    cur = next;
  }
  return {cur, DecodeToken(parts.back())};
}

// container.get(key): a pointer to the member (null when an object lacks it) or an error
// (arrays only, as in v4 where objects never fail).
const json* Get(const Location& loc, std::string* error) {
  if (loc.container->is_object()) {
    auto it = loc.container->find(loc.key);
    return it == loc.container->end() ? nullptr : &*it;
  }
  auto idx = ExistingIndex(*loc.container, loc.key, error);
  return idx ? &(*loc.container)[*idx] : nullptr;
}

bool Add(const Location& loc, json value, std::string* error) {
  json& c = *loc.container;
  if (c.is_object()) {
    c[loc.key] = std::move(value);
    return true;
  }
  if (loc.key == "-") {
    c.push_back(std::move(value));
    return true;
  }
  std::string atoi_error;
  std::optional<int64_t> idx = GoAtoi(loc.key, &atoi_error);
  if (!idx) {
    *error = "value was not a proper array index: '" + loc.key + "': " + atoi_error;
    return false;
  }
  int64_t size = static_cast<int64_t>(c.size()) + 1;  // the array after insertion
  int64_t i = *idx;
  if (i >= size || i < -size) {
    *error = InvalidIndex(i);
    return false;
  }
  if (i < 0) i += size;
  c.insert(c.begin() + i, std::move(value));
  return true;
}

bool Remove(const Location& loc, std::string* error) {
  json& c = *loc.container;
  if (c.is_object()) {
    if (c.erase(loc.key) == 0) {
      *error = "Unable to remove nonexistent key: " + loc.key + std::string(kMissing);
      return false;
    }
    return true;
  }
  std::optional<int64_t> idx = GoAtoi(loc.key, error);
  if (!idx) return false;
  int64_t n = static_cast<int64_t>(c.size());
  int64_t i = *idx;
  if (i >= n || i < -n) {
    *error = InvalidIndex(i);
    return false;
  }
  if (i < 0) i += n;
  c.erase(c.begin() + i);
  return true;
}

// A string member of an operation ("path", "from"): nullopt with `error` set when missing or
// not a string.
std::optional<std::string> StringField(const json& op, const char* name, std::string* error) {
  auto it = op.find(name);
  if (it == op.end() || it->is_null()) {
    *error = std::string(name) == "path" ? "operation missing path field: missing value"
                                         : "operation, missing from field: missing value";
    return std::nullopt;
  }
  if (!it->is_string()) {
    *error = "json: cannot unmarshal " + patch_internal::GoJsonKind(*it) +
             " into Go value of type string";
    return std::nullopt;
  }
  return it->get<std::string>();
}

// The operation's value; a missing "value" is null, as in v4.
json Value(const json& op) {
  auto it = op.find("value");
  return it == op.end() ? json(nullptr) : *it;
}

std::optional<OpError> DoAdd(json& doc, const json& op) {
  std::string err;
  auto path = StringField(op, "path", &err);
  if (!path) return OpError{"add operation failed to decode path: missing value"};
  Location loc = FindObject(doc, *path);
  if (!loc.container) {
    return OpError{"add operation does not apply: doc is missing path: \"" + *path + "\"" +
                   std::string(kMissing)};
  }
  if (!Add(loc, Value(op), &err)) return OpError{"error in add for path: '" + *path + "': " + err};
  return std::nullopt;
}

std::optional<OpError> DoRemove(json& doc, const json& op) {
  std::string err;
  auto path = StringField(op, "path", &err);
  if (!path) return OpError{"remove operation failed to decode path: missing value"};
  Location loc = FindObject(doc, *path);
  if (!loc.container) {
    return OpError{"remove operation does not apply: doc is missing path: \"" + *path + "\"" +
                   std::string(kMissing)};
  }
  if (!Remove(loc, &err)) return OpError{"error in remove for path: '" + *path + "': " + err};
  return std::nullopt;
}

std::optional<OpError> DoReplace(json& doc, const json& op) {
  std::string err;
  auto path = StringField(op, "path", &err);
  if (!path) return OpError{"replace operation failed to decode path: " + err};
  if (path->empty()) {
    json value = Value(op);
    if (!value.is_object() && !value.is_array()) {
      return OpError{"replace operation value must be object or array"};
    }
    doc = std::move(value);
    return std::nullopt;
  }
  Location loc = FindObject(doc, *path);
  if (!loc.container) {
    return OpError{"replace operation does not apply: doc is missing path: " + *path +
                   std::string(kMissing)};
  }
  if (loc.container->is_object()) {  // v4 never checks that the member exists
    (*loc.container)[loc.key] = Value(op);
    return std::nullopt;
  }
  auto idx = ExistingIndex(*loc.container, loc.key, &err);
  if (!idx) {
    return OpError{"replace operation does not apply: doc is missing key: " + *path +
                   std::string(kMissing)};
  }
  (*loc.container)[*idx] = Value(op);
  return std::nullopt;
}

std::optional<OpError> DoMove(json& doc, const json& op) {
  std::string err;
  auto from = StringField(op, "from", &err);
  if (!from) return OpError{"move operation failed to decode from: " + err};
  Location src = FindObject(doc, *from);
  if (!src.container) {
    return OpError{"move operation does not apply: doc is missing from path: " + *from +
                   std::string(kMissing)};
  }
  const json* found = Get(src, &err);
  if (!found && !err.empty()) {
    return OpError{"error in move for path: '" + src.key + "': " + err};
  }
  json value = found ? *found : json(nullptr);
  if (!Remove(src, &err)) return OpError{"error in move for path: '" + src.key + "': " + err};
  auto path = StringField(op, "path", &err);
  if (!path) return OpError{"move operation failed to decode path: " + err};
  Location dst = FindObject(doc, *path);
  if (!dst.container) {
    return OpError{"move operation does not apply: doc is missing destination path: " + *path +
                   std::string(kMissing)};
  }
  if (!Add(dst, std::move(value), &err)) {
    return OpError{"error in move for path: '" + *path + "': " + err};
  }
  return std::nullopt;
}

std::optional<OpError> DoTest(json& doc, const json& op) {
  std::string err;
  auto path = StringField(op, "path", &err);
  if (!path) return OpError{"test operation failed to decode path: " + err};
  json expected = Value(op);
  OpError failed{"testing value " + *path + " failed: test failed"};
  if (path->empty()) {
    if (doc == expected) return std::nullopt;
    return failed;
  }
  Location loc = FindObject(doc, *path);
  if (!loc.container) {
    return OpError{"test operation does not apply: is missing path: " + *path +
                   std::string(kMissing)};
  }
  const json* actual = Get(loc, &err);
  if (!actual && !err.empty()) return OpError{"error in test for path: '" + *path + "': " + err};
  // A missing member and a null member both equal a null (or absent) value.
  if (!actual || actual->is_null()) {
    if (expected.is_null()) return std::nullopt;
    return failed;
  }
  if (*actual == expected) return std::nullopt;
  return failed;
}

std::optional<OpError> DoCopy(json& doc, const json& op) {
  std::string err;
  auto from = StringField(op, "from", &err);
  if (!from) return OpError{"copy operation failed to decode from: " + err};
  Location src = FindObject(doc, *from);
  if (!src.container) {
    return OpError{"copy operation does not apply: doc is missing from path: " + *from +
                   std::string(kMissing)};
  }
  const json* found = Get(src, &err);
  if (!found && !err.empty()) return OpError{"error in copy for from: '" + *from + "': " + err};
  json value = found ? *found : json(nullptr);  // v4 copies a missing member as null
  auto path = StringField(op, "path", &err);
  if (!path) return OpError{"copy operation failed to decode path: missing value"};
  Location dst = FindObject(doc, *path);
  if (!dst.container) {
    return OpError{"copy operation does not apply: doc is missing destination path: " + *path +
                   std::string(kMissing)};
  }
  if (!Add(dst, std::move(value), &err)) {
    return OpError{"error while adding value during copy: " + err};
  }
  return std::nullopt;
}

std::string Kind(const json& op) {
  if (!op.is_object()) return "unknown";
  auto it = op.find("op");
  if (it == op.end() || !it->is_string()) return "unknown";
  return it->get<std::string>();
}

}  // namespace

Result<nlohmann::json> ApplyJsonPatch(const nlohmann::json& doc, const nlohmann::json& patch) {
  if (patch.is_null()) return doc;
  if (!patch.is_array()) {
    return InvalidArgumentError("json: cannot unmarshal " + patch_internal::GoJsonKind(patch) +
                                " into Go value of type jsonpatch.Patch");
  }
  try {
    json result = doc;
    for (const json& op : patch) {
      std::string kind = Kind(op);
      std::optional<OpError> error;
      if (kind == "add") {
        error = DoAdd(result, op);
      } else if (kind == "remove") {
        error = DoRemove(result, op);
      } else if (kind == "replace") {
        error = DoReplace(result, op);
      } else if (kind == "move") {
        error = DoMove(result, op);
      } else if (kind == "test") {
        error = DoTest(result, op);
      } else if (kind == "copy") {
        error = DoCopy(result, op);
      } else {
        error = OpError{"Unexpected kind: " + kind};
      }
      if (error) return InvalidArgumentError(std::move(error->message));
    }
    return result;
  } catch (const std::exception& e) {
    return InternalError(std::string("json patch: ") + e.what());
  }
}

}  // namespace skiff::apis

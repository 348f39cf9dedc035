#include "object_util.h"

#include <sys/random.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "skiff/apis/conversion.h"

namespace skiff::api {
namespace {

void RandomBytes(unsigned char* out, size_t n) {
  while (n > 0) {
    ssize_t got = getrandom(out, n, 0);
    if (got <= 0) continue;
    out += got;
    n -= static_cast<size_t>(got);
  }
}

}  // namespace

std::string Rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string NowRfc3339() { return Rfc3339(std::chrono::system_clock::now()); }

bool ParseRfc3339(const std::string& text, std::chrono::system_clock::time_point* out) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return false;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::time_t secs = timegm(&tm);
  size_t i = static_cast<size_t>(consumed);
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  }
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int hh = 0, mm = 0;
    if (std::sscanf(text.c_str() + i + 1, "%2d:%2d", &hh, &mm) != 2) return false;
    int offset = (hh * 3600 + mm * 60) * (text[i] == '+' ? 1 : -1);
    secs -= offset;
  } else if (i >= text.size() || (text[i] != 'Z' && text[i] != 'z')) {
    return false;
  }
  *out = std::chrono::system_clock::from_time_t(secs);
  return true;
}

std::string NewUid() {
  unsigned char b[16];
  RandomBytes(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::string RandomNameSuffix() {
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  unsigned char b[5];
  RandomBytes(b, sizeof b);
  std::string s;
  for (unsigned char c : b) s += kAlphabet[c % (sizeof kAlphabet - 1)];
  return s;
}

std::string StoragePrefix(const apis::ResourceType& rt, const std::string& ns) {
  const apis::StorageVersion sv = apis::StorageOf(rt.group, rt.version, rt.resource);
  std::string p =
      "/registry/" + (sv.group.empty() ? std::string("core") : sv.group) + "/" + sv.resource + "/";
  if (rt.namespaced && !ns.empty()) p += ns + "/";
  return p;
}

std::string StorageKey(const apis::ResourceType& rt, const std::string& ns,
                       const std::string& name) {
  return StoragePrefix(rt, rt.namespaced ? ns : std::string()) + name;
}

Result<json> DecodeStored(const store::KeyValue& kv, const apis::ResourceType& rt) {
  json obj = json::parse(kv.value, nullptr, false);
  if (obj.is_discarded() || !obj.is_object()) {
    return CorruptError("stored object " + kv.key + " is not a JSON object");
  }
  const std::string storage = apis::StorageOf(rt.group, rt.version, rt.resource).api_version();
  if (storage == rt.api_version() && GetString(obj, {"apiVersion"}) == storage) {
    // The common case: stored and served in the same (only) version.
  } else {
    auto converted = apis::ConvertVersion(obj, rt.kind, rt.api_version(), storage);
    if (!converted.ok()) {
      // Not a version this kind converts from: read it as the storage version.
      obj["apiVersion"] = storage;
      converted = apis::ConvertVersion(std::move(obj), rt.kind, rt.api_version(), storage);
      if (!converted.ok()) return converted.status();
    }
    obj = std::move(converted).value();
  }
  obj["apiVersion"] = rt.api_version();
  obj["kind"] = rt.kind;
  if (!obj["metadata"].is_object()) obj["metadata"] = json::object();
  obj["metadata"]["resourceVersion"] = std::to_string(kv.mod_revision);
  return obj;
}

Result<DecodedEvent> DecodeEvent(const store::Event& e, const apis::ResourceType& rt) {
  auto obj = DecodeStored(e.kv, rt);
  if (!obj.ok()) return obj.status();
  DecodedEvent out;
  if (e.type == store::Event::Type::kDelete) {
    out.type = WatchEventType::kDeleted;
  } else {
    out.type = e.created() ? WatchEventType::kAdded : WatchEventType::kModified;
  }
  out.object = std::move(obj).value();
  return out;
}

const char* WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded:
      return "ADDED";
    case WatchEventType::kModified:
      return "MODIFIED";
    case WatchEventType::kDeleted:
      return "DELETED";
  }
  return "MODIFIED";
}

Result<json> ConvertTo(const apis::ResourceType& rt, json obj) {
  auto converted = apis::ConvertVersion(std::move(obj), rt.kind, rt.api_version());
  if (!converted.ok()) return InternalError(converted.status().message());
  return converted;
}

std::string EncodeForStore(const json& obj) {
  json copy = obj;
  if (copy.contains("metadata") && copy["metadata"].is_object()) {
    copy["metadata"].erase("resourceVersion");
  }
  return copy.dump();
}

const json* Find(const json& obj, std::initializer_list<const char*> path) {
  const json* cur = &obj;
  for (const char* p : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(p);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

bool HasFinalizer(const json& obj, const std::string& finalizer) {
  const json* f = Find(obj, {"metadata", "finalizers"});
  return f && f->is_array() && std::find(f->begin(), f->end(), json(finalizer)) != f->end();
}

std::string GetString(const json& obj, std::initializer_list<const char*> path,
                      const std::string& fallback) {
  const json* v = Find(obj, path);
  return v && v->is_string() ? v->get<std::string>() : fallback;
}

}  // namespace skiff::api

// Event v1 (core) <-> events.k8s.io/v1, as pkg/apis/events/v1/conversion.go converts through
// the internal core Event (whose JSON names are core v1's).
#include "json_util.h"
#include "skiff/apis/conversion.h"

namespace skiff::apis {
namespace {

using json = nlohmann::json;

struct Rename {
  const char* core;
  const char* events;
};

// Fields of both versions, by their name in each.
constexpr Rename kFields[] = {
    {"metadata", "metadata"},
    {"involvedObject", "regarding"},
    {"related", "related"},
    {"message", "note"},
    {"reason", "reason"},
    {"type", "type"},
    {"action", "action"},
    {"eventTime", "eventTime"},
    {"series", "series"},
    {"source", "deprecatedSource"},
    {"firstTimestamp", "deprecatedFirstTimestamp"},
    {"lastTimestamp", "deprecatedLastTimestamp"},
    {"count", "deprecatedCount"},
    {"reportingComponent", "reportingController"},
    {"reportingInstance", "reportingInstance"},
};

// Copies every known field present in `in` (a null stays null, so a round trip is exact).
json Convert(const json& in, bool to_events) {
  json out = json::object();
  if (!in.is_object()) return out;
  for (const Rename& f : kFields) {
    const char* from = to_events ? f.core : f.events;
    const char* to = to_events ? f.events : f.core;
    if (auto it = in.find(from); it != in.end()) out[to] = *it;
  }
  return out;
}

}  // namespace

json CoreEventToEventsV1(const json& core) {
  json out = Convert(core, true);
  out["apiVersion"] = "events.k8s.io/v1";
  out["kind"] = "Event";
  // Not a pointer in Go: always written.
  if (!out.contains("regarding") || out["regarding"].is_null()) out["regarding"] = json::object();
  return out;
}

json EventsV1ToCoreEvent(const json& events) {
  json out = Convert(events, false);
  out["apiVersion"] = "v1";
  out["kind"] = "Event";
  // Required by clients (python's CoreV1Event refuses a missing involvedObject).
  if (!out.contains("involvedObject") || out["involvedObject"].is_null()) {
    out["involvedObject"] = json::object();
  }
  return out;
}

}  // namespace skiff::apis

// Events, core/v1 and events.k8s.io/v1: both are one internal type in Kubernetes, printed by
// printEvent (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; wide SUBOBJECT, SOURCE, FIRST SEEN,
// COUNT, NAME). The two versions differ only in field names, mapped here.
#include <string>

#include "descriptions.h"
#include "kinds.h"
#include "util.h"

namespace skiff::apis::printers {
namespace {

const json& Null() {
  static const json kNull;
  return kNull;
}

const json& At(const json& j, Path path) {
  const json* v = Find(j, path);
  return v ? *v : Null();
}

// The fields printEvent reads, under either version's names.
struct EventFields {
  const json* first = nullptr;       // firstTimestamp / deprecatedFirstTimestamp
  const json* last = nullptr;        // lastTimestamp / deprecatedLastTimestamp
  const json* event_time = nullptr;  // eventTime (MicroTime)
  const json* series = nullptr;      // series {count, lastObservedTime}
  std::int64_t count = 0;            // count / deprecatedCount
  const json* regarding = nullptr;   // involvedObject / regarding
  std::string message;               // message / note
  std::string component, host;       // source / deprecatedSource
  std::string reporting_controller, reporting_instance;
};

bool IsZeroTime(const json& ts) {
  auto t = ParseTimestamp(ts);
  return !t || t->IsGoZero();
}

std::vector<json> Cells(const json& ev, const EventFields& f, TableClock::time_point now) {
  const json& first_ts = f.first ? *f.first : Null();
  const json& last_ts = f.last ? *f.last : Null();
  std::string first = IsZeroTime(first_ts) ? Since(f.event_time ? *f.event_time : Null(), now)
                                           : Since(first_ts, now);
  std::string last = IsZeroTime(last_ts) ? first : Since(last_ts, now);
  std::int64_t count = f.count;
  if (f.series) {
    last = Since(At(*f.series, {"lastObservedTime"}), now);
    count = Int(*f.series, {"count"});
  } else if (count == 0) {
    count = 1;  // singleton events carry no count in the new API
  }
  const json& ref = f.regarding ? *f.regarding : Null();
  std::string kind = AsciiLower(Str(ref, {"kind"}));
  std::string name = Str(ref, {"name"});
  std::string target = name.empty() ? kind : kind + "/" + name;
  std::string component = f.component.empty() ? f.reporting_controller : f.component;
  std::string instance = f.host.empty() ? f.reporting_instance : f.host;
  std::string source = instance.empty() ? component : component + ", " + instance;
  return {last,
          Str(ev, {"type"}),
          Str(ev, {"reason"}),
          target,
          Str(ref, {"fieldPath"}),
          source,
          TrimSpace(f.message),
          first,
          count,
          Str(ev, {"metadata", "name"})};
}

std::vector<json> CoreEventCells(const json& ev, TableClock::time_point now) {
  EventFields f;
  f.first = Find(ev, {"firstTimestamp"});
  f.last = Find(ev, {"lastTimestamp"});
  f.event_time = Find(ev, {"eventTime"});
  f.series = Find(ev, {"series"});
  f.count = Int(ev, {"count"});
  f.regarding = Find(ev, {"involvedObject"});
  f.message = Str(ev, {"message"});
  f.component = Str(ev, {"source", "component"});
  f.host = Str(ev, {"source", "host"});
  f.reporting_controller = Str(ev, {"reportingComponent"});
  f.reporting_instance = Str(ev, {"reportingInstance"});
  return Cells(ev, f, now);
}

std::vector<json> EventsV1Cells(const json& ev, TableClock::time_point now) {
  EventFields f;
  f.first = Find(ev, {"deprecatedFirstTimestamp"});
  f.last = Find(ev, {"deprecatedLastTimestamp"});
  f.event_time = Find(ev, {"eventTime"});
  f.series = Find(ev, {"series"});
  f.count = Int(ev, {"deprecatedCount"});
  f.regarding = Find(ev, {"regarding"});
  f.message = Str(ev, {"note"});
  f.component = Str(ev, {"deprecatedSource", "component"});
  f.host = Str(ev, {"deprecatedSource", "host"});
  f.reporting_controller = Str(ev, {"reportingController"});
  f.reporting_instance = Str(ev, {"reportingInstance"});
  return Cells(ev, f, now);
}

std::vector<TableColumn> EventColumns() {
  TableColumn name = NameColumn();
  name.priority = 1;
  return {Column("Last Seen", "string", desc::kEventLastTimestamp),
          Column("Type", "string", desc::kEventType),
          Column("Reason", "string", desc::kEventReason),
          Column("Object", "string", desc::kEventInvolvedObject),
          Column("Subobject", "string", desc::kObjectReferenceFieldPath, 1),
          Column("Source", "string", desc::kEventSource, 1),
          Column("Message", "string", desc::kEventMessage),
          Column("First Seen", "string", desc::kEventFirstTimestamp, 1),
          Column("Count", "string", desc::kEventCount, 1),
          name};
}

}  // namespace

const TablePrinter& CoreEventPrinter() {
  static const TablePrinter kPrinter{EventColumns(), &Guarded<CoreEventCells>};
  return kPrinter;
}

const TablePrinter& EventsV1EventPrinter() {
  static const TablePrinter kPrinter{EventColumns(), &Guarded<EventsV1Cells>};
  return kPrinter;
}

}  // namespace skiff::apis::printers

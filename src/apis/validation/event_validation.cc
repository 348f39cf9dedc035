// events.k8s.io/v1 Events, as kube-apiserver validates a write through that API
// (pkg/apis/core/validation/events.go: legacyValidateEvent, then the strict rules of
// ValidateEventCreate / ValidateEventUpdate). The object is the stored core v1 shape, so field
// paths are the internal type's (involvedObject, message, source, count, ...), as Kubernetes
// reports them.
#include "kinds.h"
#include "object_meta.h"

namespace skiff::apis::internal {
namespace {

constexpr size_t kReportingInstanceLengthLimit = 128;
constexpr size_t kActionLengthLimit = 128;
constexpr size_t kReasonLengthLimit = 128;
constexpr size_t kNoteLengthLimit = 1024;

// A metav1.Time / MicroTime that is null or missing is Go's zero time.
bool IsZeroTime(const json& obj, std::string_view key) { return Get(obj, key) == nullptr; }

void RequiredString(FieldErrors& errs, const json& obj, const char* key) {
  if (Str(obj, key).empty()) errs.push_back(FieldError::Required(Path(key)));
}

void LengthLimit(FieldErrors& errs, const json& obj, const char* key, const char* path,
                 size_t limit) {
  if (Str(obj, key).size() > limit) {
    errs.push_back(
        FieldError::Invalid(path, "", "can have at most " + std::to_string(limit) + " characters"));
  }
}

// legacyValidateEvent: what every Event write must pass, whichever API it comes through.
FieldErrors LegacyEventRules(const json& ev) {
  FieldErrors errs;
  const std::string ns = Str(Obj(ev, "metadata"), "namespace");
  const std::string involved_ns = Str(Obj(ev, "involvedObject"), "namespace");
  const std::string ns_path = Path("involvedObject").Child("namespace");
  if (IsZeroTime(ev, "eventTime")) {
    // Old-style events: the namespaces agree (an empty one only in "default", for old clients).
    const bool mismatch =
        involved_ns.empty() ? (!ns.empty() && ns != "default") : ns != involved_ns;
    if (mismatch) {
      errs.push_back(FieldError::Invalid(ns_path, involved_ns, "does not match event.namespace"));
    }
  } else {
    if (involved_ns.empty() && ns != "default" && ns != "kube-system") {
      errs.push_back(FieldError::Invalid(ns_path, involved_ns, "does not match event.namespace"));
    }
    const std::string controller = Str(ev, "reportingComponent");
    if (controller.empty()) errs.push_back(FieldError::Required(Path("reportingController")));
    ValidateQualifiedName(errs, "reportingController", controller);
    RequiredString(errs, ev, "reportingInstance");
    LengthLimit(errs, ev, "reportingInstance", "reportingInstance", kReportingInstanceLengthLimit);
    RequiredString(errs, ev, "action");
    LengthLimit(errs, ev, "action", "action", kActionLengthLimit);
    RequiredString(errs, ev, "reason");
    LengthLimit(errs, ev, "reason", "reason", kReasonLengthLimit);
    LengthLimit(errs, ev, "message", "message", kNoteLengthLimit);
  }
  ValidateDNS1123Subdomain(errs, "namespace", ns);
  return errs;
}

// validateV1EventSeries
void SeriesRules(FieldErrors& errs, const json& ev) {
  const json* series = Get(ev, "series");
  if (!series) return;
  if (Int(*series, "count").value_or(0) < 2) {
    errs.push_back(FieldError::Invalid("series.count", "", "should be at least 2"));
  }
  if (IsZeroTime(*series, "lastObservedTime")) {
    errs.push_back(FieldError::Required(Path("series.lastObservedTime")));
  }
}

}  // namespace

FieldErrors ValidateEventsEvent(const json& obj) {
  FieldErrors errs = LegacyEventRules(obj);
  SeriesRules(errs, obj);
  if (IsZeroTime(obj, "eventTime")) errs.push_back(FieldError::Required(Path("eventTime")));
  const std::string type = Str(obj, "type");
  if (type != "Normal" && type != "Warning") {
    errs.push_back(FieldError::Invalid("type", "", "has invalid value: " + type));
  }
  // The deprecated fields are for core clients only.
  for (const char* key : {"firstTimestamp", "lastTimestamp"}) {
    if (!IsZeroTime(obj, key)) errs.push_back(FieldError::Invalid(key, "", "needs to be unset"));
  }
  if (Int(obj, "count").value_or(0) != 0) {
    errs.push_back(FieldError::Invalid("count", "", "needs to be unset"));
  }
  const json& source = Obj(obj, "source");
  if (!Str(source, "component").empty() || !Str(source, "host").empty()) {
    errs.push_back(FieldError::Invalid("source", "", "needs to be unset"));
  }
  return errs;
}

FieldErrors ValidateEventsEventUpdate(const json& obj, const json& old) {
  FieldErrors errs = LegacyEventRules(obj);
  if (!SemanticEqual(Obj(obj, "series"), Obj(old, "series"))) SeriesRules(errs, obj);
  // Everything but the series is fixed once written; reportingComponent is reported under
  // the internal field's name.
  static constexpr std::pair<const char*, const char*> kImmutable[] = {
      {"involvedObject", "involvedObject"},
      {"reason", "reason"},
      {"message", "message"},
      {"source", "source"},
      {"firstTimestamp", "firstTimestamp"},
      {"lastTimestamp", "lastTimestamp"},
      {"count", "count"},
      {"type", "type"},
      {"eventTime", "eventTime"},
      {"action", "action"},
      {"related", "related"},
      {"reportingComponent", "reportingController"},
      {"reportingInstance", "reportingInstance"},
  };
  for (const auto& [key, path] : kImmutable) {
    const json* n = Get(obj, key);
    const json* o = Get(old, key);
    ValidateImmutable(errs, n ? *n : json(), o ? *o : json(), path);
  }
  return errs;
}

}  // namespace skiff::apis::internal

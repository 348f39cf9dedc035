// HorizontalPodAutoscaler autoscaling/v1 <-> autoscaling/v2, as pkg/apis/autoscaling/v1/
// conversion.go converts through the internal type (whose shape is v2's). What v1 cannot
// express travels in the autoscaling.alpha.kubernetes.io/* annotations, in the JSON Go writes:
// autoscaling/v1 MetricSpec / MetricStatus / HorizontalPodAutoscalerCondition (json tags, in
// struct field order) and, for the behavior, the internal type without json tags.
#include <cctype>

#include "json_util.h"
#include "skiff/apis/conversion.h"

namespace skiff::apis {
namespace {

using internal::Get;
using internal::Str;
using json = nlohmann::json;
// Annotations are written with Go's field order, so they read like kube-apiserver's.
using ojson = nlohmann::ordered_json;

constexpr const char* kRoundTripAnnotations[] = {kHpaMetricsAnnotation,
                                                 kHpaCurrentMetricsAnnotation,
                                                 kHpaConditionsAnnotation, kHpaBehaviorAnnotation};

// (Invalid UTF-8 in a string is replaced, not thrown on, here and in SetAnnotation.)
ojson Ordered(const json& j) {
  return ojson::parse(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

// A non-pointer resource.Quantity: its zero value marshals as "0".
json QuantityOrZero(const json& o, std::string_view key) {
  const json* v = Get(o, key);
  return v ? *v : json("0");
}

template <class J>
void CopyIf(J& out, const char* out_key, const json& in, std::string_view key) {
  if (const json* v = Get(in, key)) {
    if constexpr (std::is_same_v<J, ojson>) {
      out[out_key] = Ordered(*v);
    } else {
      out[out_key] = *v;
    }
  }
}

// CrossVersionObjectReference {kind, name, apiVersion (omitempty)}.
template <class J>
J CrossRef(const json& r) {
  J out;
  out["kind"] = Str(r, "kind");
  out["name"] = Str(r, "name");
  if (!Str(r, "apiVersion").empty()) out["apiVersion"] = Str(r, "apiVersion");
  return out;
}

// ---- metadata.annotations -------------------------------------------------------------------

// DropRoundTripHorizontalPodAutoscalerAnnotations: an annotations map emptied by it goes away.
void DropRoundTripAnnotations(json& obj) {
  json* meta = Get(obj, "metadata") ? &obj["metadata"] : nullptr;
  if (!meta || !meta->is_object()) return;
  auto it = meta->find("annotations");
  if (it == meta->end() || !it->is_object()) return;
  bool dropped = false;
  for (const char* key : kRoundTripAnnotations) dropped |= it->erase(key) > 0;
  if (dropped && it->empty()) meta->erase(it);
}

void SetAnnotation(json& obj, const char* key, const ojson& value) {
  if (!obj["metadata"].is_object()) obj["metadata"] = json::object();
  json& annotations = obj["metadata"]["annotations"];
  if (!annotations.is_object()) annotations = json::object();
  annotations[key] = value.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

// The annotation parsed as JSON; null when absent or not JSON.
json ParseAnnotation(const json& obj, const char* key) {
  const json* annotations = Get(internal::Obj(obj, "metadata"), "annotations");
  if (!annotations) return nullptr;
  std::string text = Str(*annotations, key);
  if (text.empty()) return nullptr;
  json parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? json(nullptr) : parsed;
}

// ---- metric specs ---------------------------------------------------------------------------

// v2 MetricSpec -> autoscaling/v1 MetricSpec (Convert_autoscaling_MetricSpec_To_v1_MetricSpec).
ojson MetricSpecToV1(const json& m) {
  ojson out;
  out["type"] = Str(m, "type");
  if (const json* o = Get(m, "object")) {
    const json& metric = internal::Obj(*o, "metric");
    const json& target = internal::Obj(*o, "target");
    ojson v;
    v["target"] = CrossRef<ojson>(internal::Obj(*o, "describedObject"));
    v["metricName"] = Str(metric, "name");
    v["targetValue"] = Ordered(QuantityOrZero(target, "value"));
    CopyIf(v, "selector", metric, "selector");
    CopyIf(v, "averageValue", target, "averageValue");
    out["object"] = v;
  }
  if (const json* p = Get(m, "pods")) {
    const json& metric = internal::Obj(*p, "metric");
    ojson v;
    v["metricName"] = Str(metric, "name");
    v["targetAverageValue"] = Ordered(QuantityOrZero(internal::Obj(*p, "target"), "averageValue"));
    CopyIf(v, "selector", metric, "selector");
    out["pods"] = v;
  }
  for (const char* key : {"resource", "containerResource"}) {
    const json* r = Get(m, key);
    if (!r) continue;
    const json& target = internal::Obj(*r, "target");
    ojson v;
    v["name"] = Str(*r, "name");
    CopyIf(v, "targetAverageUtilization", target, "averageUtilization");
    CopyIf(v, "targetAverageValue", target, "averageValue");
    if (std::string_view(key) == "containerResource") v["container"] = Str(*r, "container");
    out[key] = v;
  }
  if (const json* e = Get(m, "external")) {
    const json& metric = internal::Obj(*e, "metric");
    const json& target = internal::Obj(*e, "target");
    ojson v;
    v["metricName"] = Str(metric, "name");
    CopyIf(v, "metricSelector", metric, "selector");
    CopyIf(v, "targetValue", target, "value");
    CopyIf(v, "targetAverageValue", target, "averageValue");
    out["external"] = v;
  }
  return out;
}

json Identifier(const json& src, const char* selector_key) {
  json id = {{"name", Str(src, "metricName")}};
  CopyIf(id, "selector", src, selector_key);
  return id;
}

// autoscaling/v1 MetricSpec -> v2 MetricSpec (Convert_v1_MetricSpec_To_autoscaling_MetricSpec).
json MetricSpecToV2(const json& m) {
  json out = {{"type", Str(m, "type")}};
  if (const json* o = Get(m, "object")) {
    json target = {{"type", Get(*o, "averageValue") ? "AverageValue" : "Value"},
                   {"value", QuantityOrZero(*o, "targetValue")}};
    CopyIf(target, "averageValue", *o, "averageValue");
    out["object"] = {{"describedObject", CrossRef<json>(internal::Obj(*o, "target"))},
                     {"metric", Identifier(*o, "selector")},
                     {"target", target}};
  }
  if (const json* p = Get(m, "pods")) {
    out["pods"] = {
        {"metric", Identifier(*p, "selector")},
        {"target",
         {{"type", "AverageValue"}, {"averageValue", QuantityOrZero(*p, "targetAverageValue")}}}};
  }
  for (const char* key : {"resource", "containerResource"}) {
    const json* r = Get(m, key);
    if (!r) continue;
    json target = {{"type", Get(*r, "targetAverageUtilization") ? "Utilization" : "AverageValue"}};
    CopyIf(target, "averageValue", *r, "targetAverageValue");
    CopyIf(target, "averageUtilization", *r, "targetAverageUtilization");
    json v = {{"name", Str(*r, "name")}, {"target", target}};
    if (std::string_view(key) == "containerResource") v["container"] = Str(*r, "container");
    out[key] = v;
  }
  if (const json* e = Get(m, "external")) {
    json target = {{"type", Get(*e, "targetValue") ? "Value" : "AverageValue"}};
    CopyIf(target, "value", *e, "targetValue");
    CopyIf(target, "averageValue", *e, "targetAverageValue");
    out["external"] = {{"metric", Identifier(*e, "metricSelector")}, {"target", target}};
  }
  return out;
}

// ---- metric statuses ------------------------------------------------------------------------

ojson MetricStatusToV1(const json& m) {
  ojson out;
  out["type"] = Str(m, "type");
  if (const json* o = Get(m, "object")) {
    const json& metric = internal::Obj(*o, "metric");
    const json& current = internal::Obj(*o, "current");
    ojson v;
    v["target"] = CrossRef<ojson>(internal::Obj(*o, "describedObject"));
    v["metricName"] = Str(metric, "name");
    v["currentValue"] = Ordered(QuantityOrZero(current, "value"));
    CopyIf(v, "selector", metric, "selector");
    CopyIf(v, "averageValue", current, "averageValue");
    out["object"] = v;
  }
  if (const json* p = Get(m, "pods")) {
    const json& metric = internal::Obj(*p, "metric");
    ojson v;
    v["metricName"] = Str(metric, "name");
    v["currentAverageValue"] =
        Ordered(QuantityOrZero(internal::Obj(*p, "current"), "averageValue"));
    CopyIf(v, "selector", metric, "selector");
    out["pods"] = v;
  }
  for (const char* key : {"resource", "containerResource"}) {
    const json* r = Get(m, key);
    if (!r) continue;
    const json& current = internal::Obj(*r, "current");
    ojson v;
    v["name"] = Str(*r, "name");
    CopyIf(v, "currentAverageUtilization", current, "averageUtilization");
    v["currentAverageValue"] = Ordered(QuantityOrZero(current, "averageValue"));
    if (std::string_view(key) == "containerResource") v["container"] = Str(*r, "container");
    out[key] = v;
  }
  if (const json* e = Get(m, "external")) {
    const json& metric = internal::Obj(*e, "metric");
    const json& current = internal::Obj(*e, "current");
    ojson v;
    v["metricName"] = Str(metric, "name");
    CopyIf(v, "metricSelector", metric, "selector");
    v["currentValue"] = Ordered(QuantityOrZero(current, "value"));
    CopyIf(v, "currentAverageValue", current, "averageValue");
    out["external"] = v;
  }
  return out;
}

json MetricStatusToV2(const json& m) {
  json out = {{"type", Str(m, "type")}};
  if (const json* o = Get(m, "object")) {
    json current = {{"value", QuantityOrZero(*o, "currentValue")}};
    CopyIf(current, "averageValue", *o, "averageValue");
    out["object"] = {{"describedObject", CrossRef<json>(internal::Obj(*o, "target"))},
                     {"metric", Identifier(*o, "selector")},
                     {"current", current}};
  }
  if (const json* p = Get(m, "pods")) {
    out["pods"] = {{"metric", Identifier(*p, "selector")},
                   {"current", {{"averageValue", QuantityOrZero(*p, "currentAverageValue")}}}};
  }
  for (const char* key : {"resource", "containerResource"}) {
    const json* r = Get(m, key);
    if (!r) continue;
    json current = {{"averageValue", QuantityOrZero(*r, "currentAverageValue")}};
    CopyIf(current, "averageUtilization", *r, "currentAverageUtilization");
    json v = {{"name", Str(*r, "name")}, {"current", current}};
    if (std::string_view(key) == "containerResource") v["container"] = Str(*r, "container");
    out[key] = v;
  }
  if (const json* e = Get(m, "external")) {
    json current = {{"value", QuantityOrZero(*e, "currentValue")}};
    CopyIf(current, "averageValue", *e, "currentAverageValue");
    out["external"] = {{"metric", Identifier(*e, "metricSelector")}, {"current", current}};
  }
  return out;
}

// ---- conditions -----------------------------------------------------------------------------

ojson ConditionToV1(const json& c) {
  ojson out;
  out["type"] = Str(c, "type");
  out["status"] = Str(c, "status");
  // metav1.Time is a struct: Go writes its zero value as null despite omitempty.
  const json* t = Get(c, "lastTransitionTime");
  out["lastTransitionTime"] = t ? Ordered(*t) : ojson(nullptr);
  if (!Str(c, "reason").empty()) out["reason"] = Str(c, "reason");
  if (!Str(c, "message").empty()) out["message"] = Str(c, "message");
  return out;
}

json ConditionToV2(const json& c) {
  json out = {{"type", Str(c, "type")}, {"status", Str(c, "status")}};
  CopyIf(out, "lastTransitionTime", c, "lastTransitionTime");
  if (!Str(c, "reason").empty()) out["reason"] = Str(c, "reason");
  if (!Str(c, "message").empty()) out["message"] = Str(c, "message");
  return out;
}

// ---- behavior: Go's json of the internal type (no json tags) --------------------------------

ojson RulesToGo(const json* rules) {
  if (!rules || !rules->is_object()) return nullptr;
  ojson out;
  const json* window = Get(*rules, "stabilizationWindowSeconds");
  out["StabilizationWindowSeconds"] = window ? Ordered(*window) : ojson(nullptr);
  const json* select = Get(*rules, "selectPolicy");
  out["SelectPolicy"] = select ? Ordered(*select) : ojson(nullptr);
  const json* policies = Get(*rules, "policies");
  if (policies && policies->is_array()) {
    ojson list = ojson::array();
    for (const json& p : *policies) {
      ojson policy;
      policy["Type"] = Str(p, "type");
      policy["Value"] = internal::Int(p, "value").value_or(0);
      policy["PeriodSeconds"] = internal::Int(p, "periodSeconds").value_or(0);
      list.push_back(policy);
    }
    out["Policies"] = list;
  } else {
    out["Policies"] = nullptr;
  }
  return out;
}

ojson BehaviorToGo(const json& behavior) {
  ojson out;
  out["ScaleUp"] = RulesToGo(Get(behavior, "scaleUp"));
  out["ScaleDown"] = RulesToGo(Get(behavior, "scaleDown"));
  return out;
}

// encoding/json matches object keys to field names exactly, else case-insensitively.
const json* GetFold(const json& o, std::string_view name) {
  if (!o.is_object()) return nullptr;
  if (const json* v = Get(o, name)) return v;
  for (const auto& [key, value] : o.items()) {
    if (key.size() != name.size() || value.is_null()) continue;
    bool same = true;
    for (size_t i = 0; i < key.size() && same; ++i) {
      same = std::tolower(static_cast<unsigned char>(key[i])) ==
             std::tolower(static_cast<unsigned char>(name[i]));
    }
    if (same) return &value;
  }
  return nullptr;
}

json RulesFromGo(const json* rules) {
  if (!rules || !rules->is_object()) return nullptr;
  json out = json::object();
  if (const json* v = GetFold(*rules, "StabilizationWindowSeconds")) {
    out["stabilizationWindowSeconds"] = *v;
  }
  if (const json* v = GetFold(*rules, "SelectPolicy")) out["selectPolicy"] = *v;
  if (const json* policies = GetFold(*rules, "Policies"); policies && policies->is_array()) {
    json list = json::array();
    for (const json& p : *policies) {
      const json* type = GetFold(p, "Type");
      const json* value = GetFold(p, "Value");
      const json* period = GetFold(p, "PeriodSeconds");
      list.push_back({{"type", type ? *type : json("")},
                      {"value", value ? *value : json(0)},
                      {"periodSeconds", period ? *period : json(0)}});
    }
    out["policies"] = list;
  }
  return out;
}

// The behavior the annotation holds; null when it does not parse or both rules are nil.
json BehaviorFromGo(const json& go) {
  if (!go.is_object()) return nullptr;
  json out = json::object();
  if (json up = RulesFromGo(GetFold(go, "ScaleUp")); !up.is_null()) out["scaleUp"] = up;
  if (json down = RulesFromGo(GetFold(go, "ScaleDown")); !down.is_null()) out["scaleDown"] = down;
  return out.empty() ? json(nullptr) : out;
}

// ---- the CPU utilization metric -------------------------------------------------------------

bool IsCpuResource(const json& metric) {
  return Str(metric, "type") == "Resource" &&
         Str(internal::Obj(metric, "resource"), "name") == "cpu";
}

const json* CpuTargetUtilization(const json& metric) {
  if (!IsCpuResource(metric)) return nullptr;
  return Get(internal::Obj(internal::Obj(metric, "resource"), "target"), "averageUtilization");
}

json CpuMetric(const json& utilization) {
  return {{"type", "Resource"},
          {"resource",
           {{"name", "cpu"},
            {"target", {{"type", "Utilization"}, {"averageUtilization", utilization}}}}}};
}

// The object without spec and status, relabelled.
json Frame(const json& in, const char* api_version) {
  json out = in.is_object() ? in : json::object();
  out.erase("spec");
  out.erase("status");
  out["apiVersion"] = api_version;
  out["kind"] = "HorizontalPodAutoscaler";
  return out;
}

}  // namespace

json HpaV2ToV1(const json& v2) {
  json out = Frame(v2, "autoscaling/v1");
  // Only the annotations computed here survive (a v2 object carries none of its own).
  DropRoundTripAnnotations(out);
  const json& in_spec = internal::Obj(v2, "spec");
  const json& in_status = internal::Obj(v2, "status");
  const json& metrics = internal::Arr(in_spec, "metrics");

  json spec = {{"scaleTargetRef", CrossRef<json>(internal::Obj(in_spec, "scaleTargetRef"))}};
  CopyIf(spec, "minReplicas", in_spec, "minReplicas");
  spec["maxReplicas"] = internal::Int(in_spec, "maxReplicas").value_or(0);
  // The first cpu Resource metric decides, whatever its target type.
  for (const json& m : metrics) {
    if (!IsCpuResource(m)) continue;
    if (const json* u = CpuTargetUtilization(m)) spec["targetCPUUtilizationPercentage"] = *u;
    break;
  }
  out["spec"] = spec;

  json status = json::object();
  CopyIf(status, "observedGeneration", in_status, "observedGeneration");
  CopyIf(status, "lastScaleTime", in_status, "lastScaleTime");
  status["currentReplicas"] = internal::Int(in_status, "currentReplicas").value_or(0);
  status["desiredReplicas"] = internal::Int(in_status, "desiredReplicas").value_or(0);
  const json& current = internal::Arr(in_status, "currentMetrics");
  for (const json& m : current) {  // no break: the last one wins, as in Kubernetes
    if (!IsCpuResource(m)) continue;
    if (const json* u =
            Get(internal::Obj(internal::Obj(m, "resource"), "current"), "averageUtilization")) {
      status["currentCPUUtilizationPercentage"] = *u;
    }
  }
  out["status"] = status;

  ojson others = ojson::array();
  for (const json& m : metrics) {
    if (!CpuTargetUtilization(m)) others.push_back(MetricSpecToV1(m));
  }
  if (!others.empty()) SetAnnotation(out, kHpaMetricsAnnotation, others);
  if (!current.empty()) {
    ojson statuses = ojson::array();
    for (const json& m : current) statuses.push_back(MetricStatusToV1(m));
    SetAnnotation(out, kHpaCurrentMetricsAnnotation, statuses);
  }
  if (const json* behavior = Get(in_spec, "behavior"); behavior && behavior->is_object()) {
    SetAnnotation(out, kHpaBehaviorAnnotation, BehaviorToGo(*behavior));
  }
  const json& conditions = internal::Arr(in_status, "conditions");
  if (!conditions.empty()) {
    ojson list = ojson::array();
    for (const json& c : conditions) list.push_back(ConditionToV1(c));
    SetAnnotation(out, kHpaConditionsAnnotation, list);
  }
  return out;
}

json HpaV1ToV2(const json& v1) {
  json out = Frame(v1, "autoscaling/v2");
  const json& in_spec = internal::Obj(v1, "spec");
  const json& in_status = internal::Obj(v1, "status");

  json spec = {{"scaleTargetRef", CrossRef<json>(internal::Obj(in_spec, "scaleTargetRef"))}};
  // autoscaling/v1's own defaulting (SetDefaults_HorizontalPodAutoscaler).
  const json* min = Get(in_spec, "minReplicas");
  spec["minReplicas"] = min ? *min : json(1);
  spec["maxReplicas"] = internal::Int(in_spec, "maxReplicas").value_or(0);
  json metrics = json::array();
  if (json others = ParseAnnotation(v1, kHpaMetricsAnnotation); others.is_array()) {
    for (const json& m : others) metrics.push_back(MetricSpecToV2(m));
  }
  if (const json* cpu = Get(in_spec, "targetCPUUtilizationPercentage")) {
    metrics.push_back(CpuMetric(*cpu));
  }
  // v1's implicit default, made explicit where the whole list is known.
  if (metrics.empty()) metrics.push_back(CpuMetric(kHpaDefaultCpuUtilization));
  spec["metrics"] = metrics;
  if (json behavior = BehaviorFromGo(ParseAnnotation(v1, kHpaBehaviorAnnotation));
      !behavior.is_null()) {
    spec["behavior"] = behavior;
  }
  out["spec"] = spec;

  json status = json::object();
  CopyIf(status, "observedGeneration", in_status, "observedGeneration");
  CopyIf(status, "lastScaleTime", in_status, "lastScaleTime");
  if (auto n = internal::Int(in_status, "currentReplicas"); n && *n != 0) {
    status["currentReplicas"] = *n;
  }
  status["desiredReplicas"] = internal::Int(in_status, "desiredReplicas").value_or(0);
  json current = nullptr;  // v2's currentMetrics has no omitempty: null when empty
  if (json annotated = ParseAnnotation(v1, kHpaCurrentMetricsAnnotation); annotated.is_array()) {
    current = json::array();
    for (const json& m : annotated) current.push_back(MetricStatusToV2(m));
  } else if (const json* cpu = Get(in_status, "currentCPUUtilizationPercentage")) {
    current = json::array(
        {{{"type", "Resource"},
          {"resource", {{"name", "cpu"}, {"current", {{"averageUtilization", *cpu}}}}}}});
  }
  status["currentMetrics"] = current;
  if (json conditions = ParseAnnotation(v1, kHpaConditionsAnnotation); conditions.is_array()) {
    json list = json::array();
    for (const json& c : conditions) list.push_back(ConditionToV2(c));
    if (!list.empty()) status["conditions"] = list;
  }
  out["status"] = status;
  DropRoundTripAnnotations(out);
  return out;
}

}  // namespace skiff::apis

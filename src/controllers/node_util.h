// Facts about Nodes, their Leases and pod conditions that the node lifecycle, taint eviction
// and pod garbage collection controllers share, computed as kube-controller-manager does.
// Pure functions over the JSON the API serves; thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "skiff/client/informer.h"

namespace skiff::controllers {

using nlohmann::json;

// The time source of a controller: std::chrono::system_clock::now unless a test injects one.
using NowFn = std::function<std::chrono::system_clock::time_point()>;

// The namespace of the node heartbeat Leases (one per node, named after it).
inline constexpr char kNodeLeaseNamespace[] = "kube-node-lease";

// The pod informer index of spec.nodeName (client::IndexByNodeName), shared by the controllers
// that look up a node's pods. Adding it when another controller already did is fine.
inline constexpr char kPodNodeNameIndex[] = "spec.nodeName";
void EnsurePodNodeNameIndex(client::Informer& pods, const char* component);

// status.conditions[type=type] of a node or pod, or nullptr.
const json* FindCondition(const json& obj, const std::string& type);
// Its status ("True", "False", "Unknown"), or "" without such a condition.
std::string ConditionStatus(const json& obj, const std::string& type);
// The node's Ready condition is True (nodeutil.IsNodeReady).
bool IsNodeReady(const json& node);

// The failure-domain key of a node (topology.GetZoneKey): "" without region and zone labels,
// else "<region>:\x00:<zone>" from topology.kubernetes.io/{region,zone} (or the deprecated
// failure-domain.beta.kubernetes.io labels).
std::string ZoneKey(const json& node);

// An RFC 3339 time with an optional fraction (metav1.Time, metav1.MicroTime) to the
// microsecond; nullopt when malformed or empty.
std::optional<std::chrono::system_clock::time_point> ParseTime(const std::string& text);
// Seconds precision, UTC: "2026-01-02T03:04:05Z" (metav1.Time).
std::string FormatTime(std::chrono::system_clock::time_point t);

// apipod.UpdatePodCondition over pod status JSON: puts `condition` (type, status, reason,
// message, lastProbeTime) into status.conditions, its lastTransitionTime `now` unless the
// condition existed with the same status (then the old transition time stays). True when
// anything changed.
bool UpdatePodCondition(json& status, json condition, std::chrono::system_clock::time_point now);

// A reference-like object for events about a node or pod (apiVersion v1, kind, metadata name,
// namespace and uid as given).
json ObjectRef(const std::string& kind, const std::string& ns, const std::string& name,
               const std::string& uid);

}  // namespace skiff::controllers

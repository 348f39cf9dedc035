// The files of configMap, secret, downwardAPI and projected volumes, as kubelet's MakePayload /
// CollectData build them. Internal to skiff_volumes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "atomic_writer.h"
#include "skiff/common/status.h"
#include "skiff/node/pod_context.h"

namespace skiff::node::internal {

// `object` is the ConfigMap (null when it is missing and optional). Keys from data and
// binaryData (base64); `items` select keys to paths with modes; a missing key is an error
// (`configmap references non-existent config key: k`) unless optional.
Result<Payload> ConfigMapPayload(const nlohmann::json& items, const nlohmann::json& object,
                                 mode_t default_mode, bool optional);

// Same for a Secret (data is base64): `references non-existent secret key: k`.
Result<Payload> SecretPayload(const nlohmann::json& items, const nlohmann::json& object,
                              mode_t default_mode, bool optional);

// downwardAPI items: fieldRef (metadata.*) and resourceFieldRef. Every failing item is
// reported; the messages are joined as Go's error aggregate does ("a" or "[a, b]").
Result<Payload> DownwardApiPayload(const nlohmann::json& items, const nlohmann::json& pod,
                                   const PodRuntimeInfo& info, mode_t default_mode);

// Reads a ConfigMap/Secret: the object; a null JSON when it is missing and `optional`;
// kNotFound `configmap "x" not found` / `secret "x" not found` when missing and required; the
// lookup's error otherwise.
Result<nlohmann::json> GetObject(const ObjectLookup& lookup, const std::string& kind,
                                 const std::string& ns, const std::string& name, bool optional);

}  // namespace skiff::node::internal

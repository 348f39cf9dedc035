// Decoding containerd.services.events.ttrpc.v1.Events/Forward requests: ForwardRequest
// {1 Envelope {1 timestamp, 2 namespace, 3 topic, 4 event Any}} and the task event inside
// (containerd/api/events/task.proto). Thread-safe free functions.
#pragma once

#include <string>
#include <string_view>

#include "skiff/common/status.h"
#include "skiff/runtime/shim_events.h"

namespace skiff::runtime::shim {

inline constexpr std::string_view kEventsService = "containerd.services.events.ttrpc.v1.Events";
inline constexpr std::string_view kForwardMethod = "Forward";

// kInvalidArgument for malformed bytes. An unknown event type gives kind kOther with the
// envelope's fields filled.
Result<ShimEvent> DecodeForwardRequest(std::string_view bytes);

}  // namespace skiff::runtime::shim

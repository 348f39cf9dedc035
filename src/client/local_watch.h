// The in-process Client::Watch: a store watch on a resource's prefix, decoded into the
// objects the API serves (api::DecodeEvent, the same code the HTTP watch uses) and delivered in
// batches on a thread of its own. Internal to skiff_client.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "skiff/apis/registry.h"
#include "skiff/client/client.h"
#include "skiff/store/store.h"

namespace skiff::client {

// Starts delivering `watcher`'s events (which must already be open on rt's storage prefix).
// `rt` must outlive the subscription. The Subscription contract is Client::Watch's.
std::unique_ptr<Subscription> StartLocalWatch(std::shared_ptr<store::Watcher> watcher,
                                              const apis::ResourceType& rt,
                                              std::function<void(std::vector<WatchEvent>&)> events,
                                              std::function<void(Status)> closed);

}  // namespace skiff::client

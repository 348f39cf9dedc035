// The namespace lifecycle loop: every namespace gets its "default" ServiceAccount; a namespace
// being deleted is emptied (every namespaced object in it is deleted), then its "kubernetes"
// finalizer is removed and it goes.
//
// Level-triggered: it reacts to namespace changes from a store watch and also resyncs on a
// period, so nothing depends on seeing every event. One thread; Stop() (or the destructor)
// ends it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "api/resources.h"

namespace skiff::controllers {

class NamespaceController {
 public:
  explicit NamespaceController(api::Resources& resources);
  ~NamespaceController();
  void Stop();

  // One pass over every namespace (used by the loop, and by tests directly).
  void SyncAll();

 private:
  void Loop();
  void EnsureDefaultServiceAccount(const std::string& ns);
  // Deletes what is in `ns`; returns true when nothing is left.
  bool Empty(const std::string& ns);
  void Finalize(const std::string& ns);

  api::Resources& resources_;
  std::mutex mu_;  // guards stopping_, dirty_
  std::condition_variable cv_;
  bool stopping_ = false;
  bool dirty_ = true;
  std::thread thread_;
};

}  // namespace skiff::controllers

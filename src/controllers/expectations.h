// kube-controller-manager's ControllerExpectations: what a controller is still waiting to see
// in its informer caches after it created or deleted objects.
//
// A controller that creates 5 pods and syncs again before its pod informer has seen them would
// create 5 more. So before acting it records how many creations and deletions it expects
// (Expect*), the informer handlers count them off as they arrive (CreationObserved /
// DeletionObserved), and a sync only acts when Satisfied(key): nothing outstanding, or the
// record is older than the timeout (5 minutes, as Kubernetes: a watch event that never comes
// must not wedge the controller), or there is no record. A create or delete call that fails
// must be counted off by the controller itself (the informer will never see it).
//
// Deletions can be tracked by object key (ExpectDeletionsOf / DeletionObservedOf), so that a
// deletion seen twice (a delete event, then a relist) counts once.
//
// Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace skiff::controllers {

class Expectations {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Expectations(std::chrono::milliseconds timeout = std::chrono::minutes(5))
      : timeout_(timeout) {}

  // Replaces the record for `key`: `adds` creations and `deletes` deletions outstanding.
  void Expect(const std::string& key, int adds, int deletes);
  void ExpectCreations(const std::string& key, int adds) { Expect(key, adds, 0); }
  // Expects the deletion of these objects (their keys), replacing the record for `key`.
  void ExpectDeletionsOf(const std::string& key, const std::vector<std::string>& objects);

  void CreationObserved(const std::string& key);
  void DeletionObserved(const std::string& key);
  // Counts off the deletion of `object` if it was expected (a no-op otherwise, or the second
  // time).
  void DeletionObservedOf(const std::string& key, const std::string& object);

  // True when `key` has nothing outstanding, its record expired, or it has none.
  bool Satisfied(const std::string& key) const;
  // Forgets `key` (its owner was deleted).
  void Delete(const std::string& key);

 private:
  struct Record {
    int adds = 0;
    int deletes = 0;
    std::set<std::string> deleting;  // object keys, when tracked by key
    Clock::time_point at;
  };
  const std::chrono::milliseconds timeout_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Record> records_;
};

}  // namespace skiff::controllers

// The store behind an Informer: objects by key (KeyOf) plus named indexes, readable from any
// thread while one writer (the informer's delivery thread) applies whole batches atomically.
// Internal to skiff_client.
#pragma once

#include <map>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "skiff/client/informer.h"

namespace skiff::client {

// Thread-safe. Readers never see part of an Apply or Replace.
class IndexedCache {
 public:
  // Starts with kNamespaceIndex.
  IndexedCache();

  // kAlreadyExists when the name is taken; otherwise builds the index over the current objects.
  Status AddIndex(const std::string& name, IndexFunc fn);

  ObjectPtr Get(const std::string& key) const;
  std::vector<ObjectPtr> List() const;
  std::vector<ObjectPtr> ByIndex(const std::string& index, const std::string& value) const;
  size_t Size() const;

  struct Change {
    std::string key;
    ObjectPtr object;  // the new state; nullptr = the key is gone
    ObjectPtr old;     // set by Apply/Replace: the state before (nullptr = it was absent)
  };
  // Applies the changes in order, under one lock, filling each one's `old`.
  void Apply(std::vector<Change>& changes);
  // Makes `fresh` (key, object) the whole content and returns what changed: adds and updates
  // in the order of `fresh`, then deletes (by key, `old` = the last cached object). An object
  // whose metadata.resourceVersion is unchanged keeps its cached pointer and is not reported.
  std::vector<Change> Replace(std::vector<std::pair<std::string, ObjectPtr>> fresh);

 private:
  struct Index {
    IndexFunc fn;
    std::unordered_map<std::string, std::unordered_set<std::string>> keys;  // value -> keys
  };
  // fn(obj), sorted and without duplicates; nothing when fn throws.
  static std::vector<std::string> ValuesOf(const Index& index, const json* obj);
  // Moves `key` from the index entries of `old` to those of `now` (either may be null).
  void ReindexLocked(const std::string& key, const json* old, const json* now);

  mutable std::shared_mutex mu_;  // guards items_ and indexes_
  std::unordered_map<std::string, ObjectPtr> items_;
  std::map<std::string, Index> indexes_;
};

}  // namespace skiff::client

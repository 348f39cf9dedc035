// Applies the objects of one manifest file through server-side apply, and deletes the objects a
// file no longer has. Each file is its own field manager ("skiff-manifest:<file name>"), with
// force, so the file wins over others on the fields it sets and a kubectl edit of any other
// field survives. Namespaces are applied first; a namespaced object without a namespace goes
// to "default". Thread-compatible (one caller at a time).
#pragma once

#include <string>
#include <vector>

#include "manifests/manifest_documents.h"
#include "skiff/client/client.h"

namespace skiff::manifests {

// An object a file applied: what deleting it needs.
struct AppliedRef {
  std::string api_version, kind, ns, name;

  std::string ToString() const;  // "Deployment default/web", "Namespace edge"
  nlohmann::json ToJson() const;
  static AppliedRef FromJson(const nlohmann::json& j);
  bool operator<(const AppliedRef& o) const;
  bool operator==(const AppliedRef& o) const;
};

struct ObjectFailure {
  int document = 0, line = 0;
  std::string object;   // "Deployment default/web"
  std::string message;  // the API's answer
  bool retry = false;   // worth trying again unchanged (e.g. a namespace that does not exist yet)
};

struct ApplyOutcome {
  std::vector<AppliedRef> applied;         // what the file has and the API took
  std::vector<ObjectFailure> failures;     // what it refused
  std::vector<AppliedRef> deleted;         // objects of `previous` the file no longer has
  std::vector<std::string> delete_errors;  // deletions that failed (kept for the next pass)
};

class ManifestApplier {
 public:
  explicit ManifestApplier(client::Client& client) : client_(client) {}

  // Applies `objects` (a parsed file named `file_name`). Only when every object was applied
  // are the objects of `previous` that the file no longer names deleted: a half-broken file
  // leaves what it applied before in place.
  ApplyOutcome Apply(const std::string& file_name, const std::vector<ManifestObject>& objects,
                     const std::vector<AppliedRef>& previous);

  // Deletes `objects` (a deleted file's); returns the ones that could not be deleted, with
  // why. Objects already gone count as deleted.
  std::vector<std::pair<AppliedRef, std::string>> Delete(const std::vector<AppliedRef>& objects);

  static std::string FieldManager(const std::string& file_name);

 private:
  client::Client& client_;
};

}  // namespace skiff::manifests

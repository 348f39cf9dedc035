#include "controllers/controller_history.h"

#include <algorithm>

#include "api/object_util.h"

namespace skiff::controllers::history {
namespace {

constexpr int kMaxCreateAttempts = 64;

const json* Labels(const json& obj) {
  const json* labels = api::Find(obj, {"metadata", "labels"});
  return labels && labels->is_object() ? labels : nullptr;
}

std::string HashLabel(const json& obj) {
  const json* labels = Labels(obj);
  if (!labels) return "";
  auto it = labels->find(kControllerRevisionHashLabel);
  return it != labels->end() && it->is_string() ? it->get<std::string>() : "";
}

const json& DataOf(const json& revision) {
  static const json kNull = nullptr;
  auto it = revision.find("data");
  return it != revision.end() ? *it : kNull;
}

}  // namespace

std::string HashControllerRevision(const json& data, std::optional<int32_t> collision_count) {
  uint32_t h = Fnv1_32(data.is_null() ? std::string() : data.dump());
  if (collision_count) h = Fnv1_32(std::to_string(*collision_count), h);
  return SafeEncodeString(std::to_string(h));
}

std::string ControllerRevisionName(std::string prefix, const std::string& hash) {
  if (prefix.size() > 223) prefix.resize(223);
  return prefix + "-" + hash;
}

json NewControllerRevision(const json& parent, const OwnerKind& kind, const json& template_labels,
                           const json& data, int64_t revision,
                           std::optional<int32_t> collision_count) {
  json labels = template_labels.is_object() ? template_labels : json::object();
  const std::string hash = HashControllerRevision(data, collision_count);
  labels[kControllerRevisionHashLabel] = hash;
  json meta = {{"name", ControllerRevisionName(api::GetString(parent, {"metadata", "name"}), hash)},
               {"labels", std::move(labels)},
               {"ownerReferences", json::array({MakeControllerRef(parent, kind)})}};
  const std::string ns = api::GetString(parent, {"metadata", "namespace"});
  if (!ns.empty()) meta["namespace"] = ns;
  return {{"apiVersion", "apps/v1"},
          {"kind", "ControllerRevision"},
          {"metadata", std::move(meta)},
          {"data", data},
          {"revision", revision}};
}

int64_t RevisionNumber(const json& revision) {
  auto it = revision.find("revision");
  return it != revision.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

void SortControllerRevisions(RevisionList& revisions) {
  std::stable_sort(
      revisions.begin(), revisions.end(), [](const RevisionPtr& a, const RevisionPtr& b) {
        const int64_t ra = RevisionNumber(*a), rb = RevisionNumber(*b);
        if (ra != rb) return ra < rb;
        // RFC 3339 UTC timestamps of one format order as strings.
        const std::string ca = api::GetString(*a, {"metadata", "creationTimestamp"});
        const std::string cb = api::GetString(*b, {"metadata", "creationTimestamp"});
        if (ca != cb) return ca < cb;
        return api::GetString(*a, {"metadata", "name"}) < api::GetString(*b, {"metadata", "name"});
      });
}

bool EqualRevision(const json* lhs, const json* rhs) {
  if (!lhs || !rhs) return lhs == rhs;
  const std::string lh = HashLabel(*lhs), rh = HashLabel(*rhs);
  if (!lh.empty() && !rh.empty() && lh != rh) {
    // Kubernetes parses the labels as numbers, which safe-encoded hashes rarely are; equal
    // data decides then. Differing labels only prove a difference when both are numbers.
    const bool numeric = lh.find_first_not_of("0123456789") == std::string::npos &&
                         rh.find_first_not_of("0123456789") == std::string::npos;
    if (numeric) return false;
  }
  return DataOf(*lhs) == DataOf(*rhs);
}

RevisionList FindEqualRevisions(const RevisionList& revisions, const json& needle) {
  RevisionList out;
  for (const auto& r : revisions) {
    if (EqualRevision(r.get(), &needle)) out.push_back(r);
  }
  return out;
}

int64_t NextRevision(const RevisionList& sorted) {
  return sorted.empty() ? 1 : RevisionNumber(*sorted.back()) + 1;
}

RevisionList ListControllerRevisions(const client::Informer& informer, const json& parent,
                                     const apis::LabelSelector& selector) {
  RevisionList out;
  if (selector.Empty() || selector.MatchesNothing()) return out;
  const std::string uid = api::GetString(parent, {"metadata", "uid"});
  for (auto& r : informer.ListNamespace(api::GetString(parent, {"metadata", "namespace"}))) {
    if (!selector.MatchesObject(*r)) continue;
    const json* ref = ControllerRefOf(*r);
    if (!ref || ref->value("uid", "") == uid) out.push_back(std::move(r));
  }
  return out;
}

Result<json> ControllerHistory::Create(const json& parent, const json& revision,
                                       int32_t* collision_count) {
  if (!collision_count) return InternalError("collisionCount should not be nil");
  const std::string ns = api::GetString(parent, {"metadata", "namespace"});
  const std::string parent_name = api::GetString(parent, {"metadata", "name"});
  json clone = revision;
  for (int attempt = 0; attempt < kMaxCreateAttempts; ++attempt) {
    const std::string hash = HashControllerRevision(DataOf(revision), *collision_count);
    clone["metadata"]["name"] = ControllerRevisionName(parent_name, hash);
    auto created = client_.Create(client::ControllerRevisions(), ns, clone);
    if (created.ok() || created.status().code() != Code::kAlreadyExists) return created;
    auto exists = client_.Get(client::ControllerRevisions(), ns,
                              clone["metadata"]["name"].get<std::string>());
    if (!exists.ok()) return exists.status();
    if (DataOf(*exists) == DataOf(clone)) return exists;
    ++*collision_count;
  }
  return InternalError("cannot find a free name for a ControllerRevision of " + parent_name +
                       " after " + std::to_string(kMaxCreateAttempts) + " collisions");
}

Result<json> ControllerHistory::UpdateRevisionNumber(const json& revision, int64_t new_revision) {
  if (RevisionNumber(revision) == new_revision) return revision;
  json patch = {{"metadata",
                 {{"resourceVersion", api::GetString(revision, {"metadata", "resourceVersion"})}}},
                {"revision", new_revision}};
  return client_.MergePatch(client::ControllerRevisions(),
                            api::GetString(revision, {"metadata", "namespace"}),
                            api::GetString(revision, {"metadata", "name"}), patch);
}

Status ControllerHistory::Delete(const json& revision) {
  client::Client::DeleteOptions options;
  options.precondition_uid = api::GetString(revision, {"metadata", "uid"});
  Status s = client_.Delete(client::ControllerRevisions(),
                            api::GetString(revision, {"metadata", "namespace"}),
                            api::GetString(revision, {"metadata", "name"}), options);
  return s.code() == Code::kNotFound ? Status::Ok() : s;
}

}  // namespace skiff::controllers::history

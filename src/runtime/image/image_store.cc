#include "skiff/runtime/image_store.h"

#include <unistd.h>

#include <algorithm>

#include "runtime/image/blob_check.h"
#include "runtime/image/store_state.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"

namespace skiff::runtime {

using image_detail::ImageRecord;
using image_detail::StoreState;

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool IsHex64(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

namespace image_detail {

Image StoreState::ToImage(const ImageRecord& r) const {
  Image img;
  img.id = r.id;
  img.repo_tags = r.repo_tags;
  img.repo_digests = r.repo_digests;
  img.config = r.config;
  img.size = r.size;
  img.diff_ids = r.diff_ids;
  for (const std::string& d : r.diff_ids) img.layer_dirs.push_back(layers.FsDir(d));
  img.pinned = r.pinned;
  img.last_used_ms = r.last_used_ms;
  return img;
}

const ImageRecord* StoreState::FindLocked(const ImageRef& ref) const {
  if (!ref.digest.empty()) {
    const std::string by_digest = ref.Name() + "@" + ref.digest;
    for (const auto& [id, r] : images) {
      if (id == ref.digest || Contains(r.repo_digests, by_digest)) return &r;
    }
    return nullptr;
  }
  const std::string tag = ref.Name() + ":" + ref.tag;
  for (const auto& [id, r] : images) {
    if (Contains(r.repo_tags, tag)) return &r;
  }
  return nullptr;
}

Result<const ImageRecord*> StoreState::LookupLocked(const std::string& id_or_ref) const {
  std::string id;
  if (CheckDigest(id_or_ref).ok()) {
    id = id_or_ref;
  } else if (IsHex64(id_or_ref)) {
    id = "sha256:" + id_or_ref;
  }
  if (!id.empty()) {
    auto it = images.find(id);
    if (it == images.end()) return NotFoundError("image " + id + " not found");
    return &it->second;
  }
  auto ref = ImageRef::Parse(id_or_ref);
  if (!ref.ok()) return ref.status();
  const ImageRecord* r = FindLocked(*ref);
  if (r == nullptr) return NotFoundError("image \"" + ref->String() + "\" not found");
  return r;
}

Result<int64_t> StoreState::RemoveExclusive(const std::string& id) {
  ImageRecord removed;
  std::set<std::string> used_layers;
  std::set<std::string> used_blobs;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = images.find(id);
    if (it == images.end()) return NotFoundError("image " + id + " not found");
    removed = std::move(it->second);
    images.erase(it);
    // Deleting goes ahead even when the disk is too full to save: Open forgets images whose
    // layers are gone.
    Status s = SaveLocked();
    if (!s.ok()) log::Warning("images", "cannot save image metadata", {{"error", s.ToString()}});
    for (const auto& [other_id, r] : images) {
      used_layers.insert(r.diff_ids.begin(), r.diff_ids.end());
      used_blobs.insert(r.blobs.begin(), r.blobs.end());
    }
  }
  int64_t freed = 0;
  for (const std::string& d : removed.diff_ids) {
    if (used_layers.count(d) != 0) continue;
    used_layers.insert(d);  // a layer listed twice is deleted once
    auto n = layers.Remove(d);
    if (!n.ok()) return n.status();
    freed += *n;
  }
  for (const std::string& b : removed.blobs) {
    if (used_blobs.count(b) != 0) continue;
    auto n = content->BlobSize(b);
    Status s = content->DeleteBlob(b);
    if (!s.ok()) return s;
    if (n.ok()) freed += *n;
  }
  log::Info("images", "removed image", {{"image", id}, {"freed_bytes", std::to_string(freed)}});
  return freed;
}

}  // namespace image_detail

namespace {

// Present while no ImageStore has the root open: its absence at Open means the last one did
// not close (a crash or a power cut).
std::string CleanMarker(const std::string& root) { return root + "/closed-cleanly"; }

// Whether the last store closed cleanly; removes the marker (durably: a power cut from now on
// must not find it).
bool TakeCleanMarker(const std::string& root) {
  if (::unlink(CleanMarker(root).c_str()) != 0) return false;
  (void)SyncDir(root);
  return true;
}

}  // namespace

ImageStore::ImageStore(std::unique_ptr<StoreState> state) : s_(std::move(state)) {}

ImageStore::~ImageStore() {
  if (!s_) return;
  std::unique_lock<std::shared_mutex> gc(s_->gc_mu);  // no registration or deletion runs
  (void)WriteFileAtomic(CleanMarker(s_->root), "", 0600);
}

Result<std::unique_ptr<ImageStore>> ImageStore::Open(const std::string& root_dir,
                                                     const ImageStoreOptions& options) {
  Status s = MakeDirs(root_dir, 0700);
  if (!s.ok()) return s;
  auto state = std::make_unique<StoreState>(root_dir, options);
  auto content = image_detail::FileContentStore::OpenFiles(root_dir + "/content");
  if (!content.ok()) return content.status();
  state->content = std::move(content).value();
  s = state->layers.Init();
  if (!s.ok()) return s;
  // Power loss: damaged items go (logged), then what depended on them is forgotten or rebuilt.
  image_detail::BlobCheckPolicy policy;
  policy.unclean = !TakeCleanMarker(root_dir);
  state->layers.DiscardDamaged();
  image_detail::CheckBlobsAtOpen(*state->content, policy);
  s = state->LoadMetadata();
  if (!s.ok()) return s;
  return std::make_unique<ImageStore>(std::move(state));
}

ContentStore& ImageStore::content() { return *s_->content; }

bool ImageStore::HasLayer(const std::string& diff_id) const { return s_->layers.Has(diff_id); }

Result<Image> ImageStore::Find(const ImageRef& ref) const {
  std::lock_guard<std::mutex> lock(s_->mu);
  const ImageRecord* r = s_->FindLocked(ref);
  if (r == nullptr) return NotFoundError("image \"" + ref.String() + "\" not found");
  return s_->ToImage(*r);
}

Result<Image> ImageStore::Lookup(const std::string& id_or_ref) const {
  std::lock_guard<std::mutex> lock(s_->mu);
  auto r = s_->LookupLocked(id_or_ref);
  if (!r.ok()) return r.status();
  return s_->ToImage(**r);
}

std::vector<Image> ImageStore::List() const {
  std::lock_guard<std::mutex> lock(s_->mu);
  std::vector<Image> out;
  for (const auto& [id, r] : s_->images) out.push_back(s_->ToImage(r));
  return out;
}

Result<Image> ImageStore::Register(const ImageRef& ref, const std::string& manifest_digest,
                                   bool pinned) {
  std::shared_lock<std::shared_mutex> gc(s_->gc_mu);
  return s_->RegisterShared(ref, manifest_digest, pinned);
}

Result<std::vector<Image>> ImageStore::ImportArchive(const std::string& path, bool pinned) {
  std::shared_lock<std::shared_mutex> gc(s_->gc_mu);
  std::vector<std::string> warnings;
  auto images = s_->ImportShared(path, pinned, &warnings);
  for (const std::string& w : warnings) log::Warning("images", w, {{"file", path}});
  return images;
}

Status ImageStore::Remove(const std::string& id_or_ref) {
  std::unique_lock<std::shared_mutex> gc(s_->gc_mu);
  std::string id;
  {
    std::lock_guard<std::mutex> lock(s_->mu);
    auto r = s_->LookupLocked(id_or_ref);
    if (!r.ok()) return r.status();
    id = (*r)->id;
  }
  return s_->RemoveExclusive(id).status();
}

void ImageStore::MarkUsed(const std::string& image_id) {
  constexpr int64_t kPersistEveryMs = 60'000;
  std::lock_guard<std::mutex> lock(s_->mu);
  auto it = s_->images.find(image_id);
  if (it == s_->images.end()) return;
  it->second.last_used_ms = image_detail::NowMs();
  if (it->second.last_used_ms - it->second.persisted_last_used_ms < kPersistEveryMs) return;
  Status s = s_->SaveLocked();
  if (!s.ok()) log::Warning("images", "cannot save image metadata", {{"error", s.ToString()}});
}

}  // namespace skiff::runtime

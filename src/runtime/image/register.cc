// Registration: manifest (or index) digest -> verified, unpacked, named image.
#include <algorithm>

#include "runtime/image/image_config.h"
#include "runtime/image/store_state.h"
#include "skiff/common/log.h"
#include "skiff/runtime/manifest.h"

namespace skiff::runtime::image_detail {
namespace {

constexpr int64_t kMaxManifestBytes = 4 << 20;
constexpr int64_t kMaxConfigBytes = 16 << 20;

Status Wrap(const std::string& what, const Status& s) {
  return Status(s.code(), what + ": " + s.message());
}

Result<std::string> ReadSmallBlob(const FileContentStore& content, const std::string& digest,
                                  int64_t max, const char* kind) {
  auto size = content.BlobSize(digest);
  if (!size.ok()) {
    if (size.status().code() == Code::kNotFound) {
      return NotFoundError(std::string(kind) + " blob " + digest + " is not in the content store");
    }
    return size.status();
  }
  if (*size > max) {
    return TooLargeError(std::string(kind) + " blob " + digest + " is " + std::to_string(*size) +
                         " bytes, over the limit of " + std::to_string(max));
  }
  return content.ReadBlob(digest);
}

void AddSorted(std::vector<std::string>* v, const std::string& s) {
  auto it = std::lower_bound(v->begin(), v->end(), s);
  if (it == v->end() || *it != s) v->insert(it, s);
}

}  // namespace

Result<Image> StoreState::RegisterShared(const ImageRef& ref, const std::string& manifest_digest,
                                         bool pinned) {
  const std::string what = "image " + (ref.repository.empty() ? manifest_digest : ref.String());
  Status s = CheckDigest(manifest_digest);
  if (!s.ok()) return Wrap(what, s);
  if (!ref.digest.empty() && ref.digest != manifest_digest) {
    return InvalidArgumentError(what + ": the reference's digest is not the manifest digest " +
                                manifest_digest);
  }
  std::set<std::string> blobs = {manifest_digest};

  auto bytes = ReadSmallBlob(*content, manifest_digest, kMaxManifestBytes, "manifest");
  if (!bytes.ok()) return Wrap(what, bytes.status());
  auto doc = ParseManifestBytes(*bytes);
  if (!doc.ok()) return Wrap(what, doc.status());
  auto kind = ManifestKindOf(*doc, "");
  if (!kind.ok()) return Wrap(what, kind.status());
  if (*kind == ManifestKind::kIndex) {
    auto child = SelectPlatformManifest(*doc);
    if (!child.ok()) return Wrap(what, child.status());
    blobs.insert(*child);
    bytes = ReadSmallBlob(*content, *child, kMaxManifestBytes, "manifest");
    if (!bytes.ok()) return Wrap(what, bytes.status());
    doc = ParseManifestBytes(*bytes);
    if (!doc.ok()) return Wrap(what, doc.status());
    kind = ManifestKindOf(*doc, "");
    if (!kind.ok()) return Wrap(what, kind.status());
    if (*kind != ManifestKind::kImage) {
      return InvalidArgumentError(what + ": index entry " + *child + " is itself an index");
    }
  }
  auto manifest = ParseImageManifest(*doc);
  if (!manifest.ok()) return Wrap(what, manifest.status());

  const std::string id = manifest->config.digest;
  blobs.insert(id);
  auto config_bytes = ReadSmallBlob(*content, id, kMaxConfigBytes, "config");
  if (!config_bytes.ok()) return Wrap(what, config_bytes.status());
  auto config = ParseImageConfig(*config_bytes);
  if (!config.ok()) return Wrap(what, config.status());
  if (config->diff_ids.size() != manifest->layers.size()) {
    return CorruptError(what + ": the config lists " + std::to_string(config->diff_ids.size()) +
                        " diff ids but the manifest has " +
                        std::to_string(manifest->layers.size()) + " layers");
  }

  int64_t size = 0;
  for (size_t i = 0; i < manifest->layers.size(); ++i) {
    const Descriptor& layer = manifest->layers[i];
    const std::string& diff_id = config->diff_ids[i];
    blobs.insert(layer.digest);
    Result<int64_t> layer_size = int64_t{0};
    if (layers.Has(diff_id)) {
      layer_size = layers.Size(diff_id);
    } else if (content->Has(layer.digest)) {
      layer_size = layers.Ensure(diff_id, content->BlobPath(layer.digest), layer.digest);
      // A blob that does not unpack may have been damaged on disk since its commit: then it
      // goes, so that the next pull or import fetches it again.
      if (!layer_size.ok() && layer_size.status().code() != Code::kResourceExhausted) {
        if (Status v = content->VerifyBlob(layer.digest); !v.ok() && v.code() != Code::kNotFound) {
          content->DiscardBlob(layer.digest, "it does not unpack: " + v.message());
          layer_size = NotFoundError("layer blob " + layer.digest + " was damaged and is removed");
        }
      }
    } else {
      layer_size = NotFoundError("layer blob " + layer.digest + " is not in the content store");
    }
    if (!layer_size.ok()) return Wrap(what, layer_size.status());
    size += *layer_size;
  }

  std::lock_guard<std::mutex> lock(mu);
  auto [it, added] = images.try_emplace(id);
  ImageRecord& rec = it->second;
  if (added) {
    rec.id = id;
    rec.last_used_ms = NowMs();
  }
  rec.config = config->config;
  rec.diff_ids = config->diff_ids;
  rec.size = size;
  rec.blobs.insert(blobs.begin(), blobs.end());
  rec.pinned = rec.pinned || pinned;
  if (!ref.repository.empty()) {
    if (!ref.tag.empty()) {
      const std::string tag = ref.Name() + ":" + ref.tag;
      for (auto& [other_id, other] : images) {  // a tag names one image
        if (other_id == id) continue;
        auto& tags = other.repo_tags;
        tags.erase(std::remove(tags.begin(), tags.end(), tag), tags.end());
      }
      AddSorted(&rec.repo_tags, tag);
    }
    AddSorted(&rec.repo_digests, ref.Name() + "@" + manifest_digest);
  }
  s = SaveLocked();
  if (!s.ok()) return Wrap(what, s);
  if (added) {
    log::Info("images", "registered image",
              {{"image", ref.repository.empty() ? id : ref.String()},
               {"id", id},
               {"size", std::to_string(size)}});
  }
  return ToImage(rec);
}

}  // namespace skiff::runtime::image_detail

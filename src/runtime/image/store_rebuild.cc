// StoreState::RebuildFromBlobs: the image list again after metadata.json was lost. Manifests,
// indexes and configs are blobs, so every image whose blobs are all here can be recorded again;
// what only metadata.json held (tags, repo digests, pins, last-used times, import records)
// cannot.
#include "runtime/image/store_state.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"
#include "skiff/runtime/manifest.h"

namespace skiff::runtime::image_detail {

size_t StoreState::RebuildFromBlobs() {
  constexpr int64_t kMaxDocumentBytes = 4 << 20;  // Register's limit for manifests
  for (const auto& blob : content->ListBlobs()) {
    if (blob.size > kMaxDocumentBytes) continue;
    auto bytes = ReadFile(content->BlobPath(blob.digest));
    if (!bytes.ok()) continue;
    auto doc = ParseManifestBytes(*bytes);
    if (!doc.ok() || !ManifestKindOf(*doc, "").ok()) continue;  // a config or a layer
    // An empty reference records the image by id alone.
    auto image = RegisterShared(ImageRef{}, blob.digest, /*pinned=*/false);
    if (!image.ok()) {
      log::Info("images", "a manifest in the content store names no complete image",
                {{"manifest", blob.digest}, {"error", image.status().message()}});
    }
  }
  std::lock_guard<std::mutex> lock(mu);
  return images.size();
}

}  // namespace skiff::runtime::image_detail

// ImageStore's implementation state, shared by the files of src/runtime/image.
//
// Locking: gc_mu is taken first, then mu. Registration and imports hold gc_mu shared while they
// add blobs and layers; Remove and GarbageCollect hold it exclusively while they delete them,
// so a layer is never deleted under a registration that is about to reference it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "runtime/image/file_content_store.h"
#include "runtime/image/layer_store.h"
#include "skiff/runtime/image_store.h"

namespace skiff::runtime::image_detail {

struct ImageRecord {
  std::string id;
  std::vector<std::string> repo_tags;     // sorted
  std::vector<std::string> repo_digests;  // sorted
  ImageConfig config;
  int64_t size = 0;
  std::vector<std::string> diff_ids;
  std::set<std::string> blobs;  // manifests, index, config and layer blobs it references
  bool pinned = false;
  int64_t last_used_ms = 0;
  int64_t persisted_last_used_ms = 0;  // what metadata.json holds (not itself saved)
};

struct ImportRecord {
  int64_t size = 0;
  int64_t mtime_ns = 0;
  std::vector<std::string> image_ids;
};

int64_t NowMs();

struct StoreState {
  StoreState(std::string root_dir, ImageStoreOptions opts);

  const std::string root;
  const ImageStoreOptions options;
  std::unique_ptr<FileContentStore> content;
  LayerStore layers;

  std::shared_mutex gc_mu;  // shared: adding blobs/layers; exclusive: deleting them
  mutable std::mutex mu;    // guards images, imports and writes of metadata.json
  std::map<std::string, ImageRecord> images;    // by id
  std::map<std::string, ImportRecord> imports;  // by path of the imported file

  std::string MetadataPath() const { return root + "/metadata.json"; }
  // Reads metadata.json (absent: empty store) and drops images whose layers are gone. A
  // damaged metadata.json is moved aside to metadata.json.damaged and the images are rebuilt
  // from the blobs (RebuildFromBlobs).
  Status LoadMetadata();
  // Records, without names, every image whose manifest (or index), config and layers are in
  // the content store (layers not unpacked are unpacked). Returns how many images it recorded.
  // Open only: no other thread uses the store yet.
  size_t RebuildFromBlobs();
  // Writes metadata.json atomically. mu held.
  Status SaveLocked();

  Image ToImage(const ImageRecord& r) const;
  // mu held. nullptr when absent.
  const ImageRecord* FindLocked(const ImageRef& ref) const;
  // mu held. By id (with or without "sha256:") or reference; the error names the argument.
  Result<const ImageRecord*> LookupLocked(const std::string& id_or_ref) const;

  // gc_mu held shared.
  Result<Image> RegisterShared(const ImageRef& ref, const std::string& manifest_digest,
                               bool pinned);
  Result<std::vector<Image>> ImportShared(const std::string& path, bool pinned,
                                          std::vector<std::string>* warnings);

  // gc_mu held exclusively: removes the image and the layers and blobs only it used.
  // Returns the bytes freed.
  Result<int64_t> RemoveExclusive(const std::string& id);
  // gc_mu held exclusively: deletes layers no image references and blobs no image references
  // that are older than the grace period. Returns the bytes freed.
  int64_t SweepOrphansExclusive();
  // GC candidates, least recently used first: not pinned and not in in_use.
  std::vector<std::string> EvictionOrder(const std::set<std::string>& in_use,
                                         int64_t used_before_ms) const;
};

}  // namespace skiff::runtime::image_detail

// The node's image store: content-addressed blobs, layers unpacked once for overlayfs, and the
// names (tags, repo digests) that point at images.
//
// On disk, under root_dir:
//   content/blobs/sha256/<hex>   blobs (ContentStore)         content/ingest/  partial blobs
//   layers/<diff-id hex>/fs/     one unpacked layer (an overlay lower dir), keyed by its diff id:
//                                the same uncompressed tar gives the same directory whatever
//                                its parents, so a layer shared by images is unpacked once
//   layers/<hex>/meta.json       its unpacked size;  layers/tmp/  unpacks in progress
//   metadata.json                images, names, last-used times, imported airgap files
// A layer is unpacked into layers/tmp and renamed into place, and metadata.json is replaced
// atomically (WriteFileAtomic), so a crash leaves either the old or the new state, never a half
// layer or a torn file. Leftovers in layers/tmp are removed by Open.
//
// Power loss (and disk errors): Open never fails because an item is damaged. A damaged item is
// deleted and logged (path and cause); what depended on it is forgotten or rebuilt, and the
// next pull (or the airgap import at start) brings it back as a normal pull would:
//   - A layer directory without fs/ or without a valid meta.json naming its diff id is deleted;
//     images using it are forgotten (their blobs, when intact, make the next pull cheap).
//   - Blobs: fsynced before they are renamed into place, so only a disk that lies or fails
//     damages them. Hashing every blob at every start costs too much on a small machine with
//     large images, so Open hashes (a) every blob of at most 1 MiB (manifests, indexes,
//     configs), (b) every blob whose size differs from what a manifest or index declares for
//     it, and (c) after an unclean shutdown (no marker left by the destructor) every blob
//     written within the 10 minutes before the newest blob. Other layer blobs are checked when
//     used: a blob that does not unpack to its diff id is hashed and, when damaged, deleted
//     (Register then says kNotFound: the next pull fetches it again). Whole-blob reads
//     (ReadBlob: documents) always verify the digest and delete a damaged blob (kNotFound).
//     Unpacked layers are not re-checked: they are published only after a syncfs.
//   - Partial ingests are kept for resume: Commit verifies the digest, so garbage in one costs
//     one download from the start (the puller restarts once on kCorrupt).
//   - A damaged metadata.json is moved to metadata.json.damaged and the images are rebuilt from
//     the blobs (manifests and configs are blobs), without names: tags, repo digests, pins,
//     last-used times and import records exist only in metadata.json. A pull by name then
//     finds the blobs here and re-records the name; the airgap directory is imported again.
//
// Thread-safety: every method may be called from any thread. Register and the imports run
// concurrently with each other (a layer two of them need is unpacked once, the other waits);
// Remove and GarbageCollect wait for running registrations and imports to finish.
// Precondition: one ImageStore per root_dir per machine.
//
// Deleting: Remove and GarbageCollect delete the layers an image alone used. The caller must not
// remove an image whose layers a mounted container rootfs still uses (pass such images to
// GarbageCollect as in_use).
#pragma once

#include <cstdint>
#include <map>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "skiff/common/status.h"
#include "skiff/runtime/content_store.h"
#include "skiff/runtime/image_ref.h"

namespace skiff::runtime {

namespace image_detail {
struct StoreState;  // the implementation (src/runtime/image)
}  // namespace image_detail

// The parts of an image config a container runtime uses (OCI image config "config" object).
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "NAME=value"
  std::string working_dir;
  std::string user;  // "uid", "uid:gid", "name" or "name:group"
  std::map<std::string, std::string> labels;
  std::string stop_signal;                 // "SIGTERM", "15" or ""
  std::vector<std::string> exposed_ports;  // "80/tcp"
  std::string os;                          // "linux"
  std::string architecture;                // "amd64"
};

struct Image {
  std::string id;                         // the config digest, "sha256:<hex>"
  std::vector<std::string> repo_tags;     // normalized "registry/repository:tag"
  std::vector<std::string> repo_digests;  // "registry/repository@sha256:<manifest digest>"
  ImageConfig config;
  int64_t size = 0;                     // unpacked bytes of all its layers
  std::vector<std::string> layer_dirs;  // unpacked layers, BOTTOM first
  std::vector<std::string> diff_ids;    // their digests, same order
  bool pinned = false;                  // imported from the airgap dir: never collected
  int64_t last_used_ms = 0;             // unix milliseconds; registration or MarkUsed
};

struct ImportReport {
  struct File {
    std::string path;
    Status status;                       // this file's outcome
    bool unchanged = false;              // imported at an earlier start and not modified
    std::vector<std::string> image_ids;  // images the file holds (on success)
    std::vector<std::string> warnings;   // e.g. an image without a usable name
  };
  std::vector<File> files;  // sorted by path
};

struct ImageStoreOptions {
  // GarbageCollect deletes blobs no image references only when they are older than this: a
  // puller commits blobs before it calls Register.
  int64_t orphan_blob_grace_seconds = 3600;
};

class ImageStore {
 public:
  // Creates root_dir's layout when missing, checks it (see "Power loss" above) and loads
  // metadata.json. Fails only when root_dir cannot be used at all (not a directory, no
  // permission, a damaged metadata.json that cannot be moved aside).
  static Result<std::unique_ptr<ImageStore>> Open(const std::string& root_dir,
                                                  const ImageStoreOptions& options = {});
  // Leaves the marker of a clean shutdown for the next Open.
  ~ImageStore();
  ImageStore(const ImageStore&) = delete;
  ImageStore& operator=(const ImageStore&) = delete;

  // The blob store the puller writes into; lives as long as this ImageStore.
  ContentStore& content();

  // Whether the layer with this diff id ("sha256:...") is unpacked: a puller may skip its blob.
  bool HasLayer(const std::string& diff_id) const;

  // By tag, or when ref has a digest by repo digest (name@digest) or by id (any name@<id>).
  // kNotFound naming the reference.
  Result<Image> Find(const ImageRef& ref) const;
  // By id ("sha256:<hex>" or the bare 64 hex digits) or by any reference Find accepts.
  Result<Image> Lookup(const std::string& id_or_ref) const;
  // Every image, sorted by id.
  std::vector<Image> List() const;

  // Called once a manifest (or index) and the blobs of the image are in content(): picks the
  // platform manifest of an index, verifies the config's rootfs.diff_ids against the
  // uncompressed layers, unpacks each layer not yet unpacked, and records
  // ref -> manifest digest -> image. The tag of ref moves to this image; ref.digest, when set,
  // must equal manifest_digest. A ref with an empty repository records no name (the image is
  // then found by id). pinned is sticky (an image once pinned stays pinned). Idempotent.
  // Errors: kNotFound (a blob is missing: fetch it again), kCorrupt (a digest or diff id does
  // not match, a layer entry escapes the layer), kInvalidArgument / kUnimplemented (a document
  // that is not a supported image), kResourceExhausted (disk full).
  Result<Image> Register(const ImageRef& ref, const std::string& manifest_digest, bool pinned);

  // Airgap import of every OCI image-layout directory and every archive (.tar, .tar.gz, .tgz,
  // .tar.zst, .tzst: OCI layout tarballs or `docker save` tarballs) directly in `dir`, as pinned
  // images. A file whose (path, size, mtime) matches an earlier successful import whose images
  // are all still here is not read again. A failing file is reported in `report` and does not
  // stop the others. Returns an error only when `dir` cannot be read (a missing dir is OK).
  Status ImportDirectory(const std::string& dir, ImportReport* report);
  // Imports one OCI layout directory or archive (any of the forms above); the images it holds.
  Result<std::vector<Image>> ImportArchive(const std::string& path, bool pinned);

  // Removes the image (all its names) and the layers and blobs no other image uses.
  Status Remove(const std::string& id_or_ref);

  // When the file system holding root_dir is at least high_percent used: deletes blobs and
  // layers no image references (blobs after the grace period), then removes images that are
  // neither pinned nor in in_use (image ids), least recently used first, until usage is below
  // low_percent or no candidate is left. Returns the bytes freed (blob sizes plus unpacked
  // layer sizes). high_percent 0 forces a collection. Images pulled or used less than
  // `min_age` ago are kept (kubelet's --minimum-image-ttl-duration: an image pulled for a pod
  // is not taken before its container starts).
  Result<int64_t> GarbageCollect(int high_percent, int low_percent,
                                 const std::set<std::string>& in_use,
                                 std::chrono::milliseconds min_age = {});

  // The images GarbageCollect may remove, in the order it removes them: neither pinned nor in
  // in_use nor used within min_age, least recently used first (ids).
  std::vector<std::string> EvictionOrder(const std::set<std::string>& in_use,
                                         std::chrono::milliseconds min_age = {}) const;

  // Records that a container started from the image now (for the GC order). Persisted at most
  // once a minute per image.
  void MarkUsed(const std::string& image_id);

  explicit ImageStore(std::unique_ptr<image_detail::StoreState> state);  // use Open

 private:
  std::unique_ptr<image_detail::StoreState> s_;
};

}  // namespace skiff::runtime

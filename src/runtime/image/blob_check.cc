#include "runtime/image/blob_check.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <vector>

#include "runtime/image/errno_status.h"
#include "runtime/image/sha256.h"
#include "skiff/common/file_util.h"
#include "skiff/common/log.h"
#include "skiff/runtime/manifest.h"

namespace skiff::runtime::image_detail {

Status FileContentStore::VerifyBlob(const std::string& digest) const {
  Status s = CheckDigest(digest);
  if (!s.ok()) return s;
  auto actual = Sha256File(BlobPath(digest));
  if (!actual.ok()) return actual.status();
  if (*actual != digest) {
    return CorruptError("blob " + BlobPath(digest) + " has digest " + *actual + ", not " + digest);
  }
  return Status::Ok();
}

void FileContentStore::DiscardBlob(const std::string& digest, const std::string& cause) const {
  const std::string path = BlobPath(digest);
  if (path.empty()) return;
  log::Warning("images", "discarding a damaged blob", {{"path", path}, {"cause", cause}});
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    log::Error("images", "cannot delete a damaged blob",
               {{"path", path}, {"error", ErrnoStatus(errno, "unlink").message()}});
  }
}

namespace {

// The descriptors (digest, declared size) a manifest or index names; empty for other blobs.
std::vector<Descriptor> DeclaredBy(const std::string& bytes) {
  auto doc = ParseManifestBytes(bytes);
  if (!doc.ok()) return {};
  auto kind = ManifestKindOf(*doc, "");
  if (!kind.ok()) return {};
  if (*kind == ManifestKind::kIndex) {
    auto index = ParseImageIndex(*doc);
    return index.ok() ? index->manifests : std::vector<Descriptor>{};
  }
  auto manifest = ParseImageManifest(*doc);
  if (!manifest.ok()) return {};
  std::vector<Descriptor> out = manifest->layers;
  out.push_back(manifest->config);
  return out;
}

}  // namespace

size_t CheckBlobsAtOpen(const FileContentStore& content, const BlobCheckPolicy& policy) {
  const std::vector<FileContentStore::BlobInfo> blobs = content.ListBlobs();
  int64_t newest = 0;
  for (const auto& b : blobs) newest = std::max(newest, b.mtime_s);
  size_t discarded = 0;
  auto verify = [&](const std::string& digest, const std::string& why) {
    Status s = content.VerifyBlob(digest);
    if (s.ok() || s.code() == Code::kNotFound) return true;
    content.DiscardBlob(digest, why + ": " + s.message());
    ++discarded;
    return false;
  };
  std::map<std::string, int64_t> sizes;  // intact or not hashed
  std::vector<std::string> documents;    // small blobs, hashed
  for (const auto& b : blobs) {
    const bool small = b.size <= policy.always_hash_bytes;
    const bool recent = policy.unclean && b.mtime_s >= newest - policy.recent_seconds;
    if (small || recent) {
      if (!verify(b.digest, recent && !small ? "written shortly before an unclean shutdown"
                                             : "checked at start")) {
        continue;
      }
    }
    sizes[b.digest] = b.size;
    if (small) documents.push_back(b.digest);
  }
  // A blob shorter or longer than its descriptor says was cut by a power cut or a disk error:
  // the size is only the hint, the hash decides.
  for (const std::string& digest : documents) {
    auto bytes = ReadFile(content.BlobPath(digest));
    if (!bytes.ok()) continue;
    for (const Descriptor& d : DeclaredBy(*bytes)) {
      auto it = sizes.find(d.digest);
      if (it == sizes.end() || d.size < 0 || it->second == d.size) continue;
      const std::string why = "it is " + std::to_string(it->second) + " bytes, " + digest +
                              " says " + std::to_string(d.size);
      verify(d.digest, why);
      sizes.erase(it);  // intact or gone: no need to look again
    }
  }
  return discarded;
}

}  // namespace skiff::runtime::image_detail

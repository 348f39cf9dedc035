// The file-system ContentStore (see skiff/runtime/content_store.h) with the extra operations the
// image store's importer and garbage collector need.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "skiff/runtime/content_store.h"

namespace skiff::runtime::image_detail {

// Digests with an open ingest. Shared with the ingests so they may outlive the store.
struct InflightDigests {
  std::mutex mu;
  std::set<std::string> digests;  // guarded by mu
};

class FileContentStore : public ContentStore {
 public:
  static Result<std::unique_ptr<FileContentStore>> OpenFiles(const std::string& root);

  bool Has(const std::string& digest) const override;
  std::string BlobPath(const std::string& digest) const override;
  Result<std::string> ReadBlob(const std::string& digest) const override;
  Result<int64_t> BlobSize(const std::string& digest) const override;
  Result<std::unique_ptr<Ingest>> BeginIngest(const std::string& digest,
                                              int64_t expected_size) override;
  Status WriteBlob(const std::string& digest, const std::string& bytes) override;
  Status DeleteBlob(const std::string& digest) override;

  // Reads bytes from `read` (which fills up to `cap` bytes and returns how many; 0 at the end)
  // into a private temporary file, hashes them and moves the blob into place. When
  // expected_digest is not empty it must match (kCorrupt otherwise). Returns the digest.
  // Concurrent stores of the same bytes are harmless: the last rename wins with equal bytes.
  using Reader = std::function<Result<size_t>(char* buf, size_t cap)>;
  Result<std::string> IngestStream(const Reader& read, const std::string& expected_digest);

  struct BlobInfo {
    std::string digest;
    int64_t size = 0;
    int64_t mtime_s = 0;  // unix seconds of the commit
  };
  // Every committed blob.
  std::vector<BlobInfo> ListBlobs() const;
  // Removes partial ingests not written to for max_age_s seconds (and not open now).
  void RemoveStalePartials(int64_t max_age_s);

  // Hashes a committed blob: kCorrupt naming its path and both digests when the bytes do not
  // match the name, kNotFound when absent, kUnavailable when it cannot be read.
  Status VerifyBlob(const std::string& digest) const;
  // Deletes a blob found damaged (a power cut or a disk error), logging its path and `cause`.
  // The next pull or import fetches it again.
  void DiscardBlob(const std::string& digest, const std::string& cause) const;

 private:
  explicit FileContentStore(std::string root);
  Status MoveIntoPlace(int fd, const std::string& tmp, const std::string& digest);

  std::string root_;
  std::string blobs_dir_;   // root_/blobs/sha256
  std::string ingest_dir_;  // root_/ingest
  std::shared_ptr<InflightDigests> inflight_;
  std::atomic<uint64_t> tmp_seq_{0};
};

}  // namespace skiff::runtime::image_detail

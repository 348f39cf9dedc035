// A content-addressed blob store on the local file system: <root>/blobs/sha256/<hex>.
//
// Blobs arrive through an ingest file (<root>/ingest/<hex>.partial) that survives restarts, so
// an interrupted download resumes from the bytes already on disk; Commit verifies the digest of
// the whole file before it becomes visible, so a blob under blobs/ always matches its name.
// Concurrent ingests of the same digest are deduplicated: only one writer holds an ingest at a
// time (BeginIngest of a digest already being written returns kUnavailable; retry later).
// Thread-safe: any method from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "skiff/common/status.h"

namespace skiff::runtime {

// "sha256:<64 lower-case hex>". Other algorithms are refused with kInvalidArgument.
Status CheckDigest(const std::string& digest);

class ContentStore {
 public:
  // Creates the directories under `root` when missing.
  static Result<std::unique_ptr<ContentStore>> Open(const std::string& root);
  virtual ~ContentStore() = default;

  virtual bool Has(const std::string& digest) const = 0;
  // The path of a committed blob (whether or not it exists); "" for an invalid digest.
  virtual std::string BlobPath(const std::string& digest) const = 0;
  virtual Result<std::string> ReadBlob(const std::string& digest) const = 0;
  // Size in bytes of a committed blob; kNotFound when absent.
  virtual Result<int64_t> BlobSize(const std::string& digest) const = 0;

  // An open ingest: append bytes, then Commit (verifies digest and, when known, size) or
  // drop it (the partial file stays for a later resume unless Abort is called).
  class Ingest {
   public:
    virtual ~Ingest() = default;
    // Bytes already in the partial file: where a download resumes.
    virtual int64_t offset() const = 0;
    // kCorrupt when the data would exceed the expected size (the partial file is emptied).
    virtual Status Write(const char* data, size_t size) = 0;
    // Discards what was written so far (e.g. a server ignored a Range request).
    virtual Status Truncate() = 0;
    // kCorrupt naming the expected and actual digest when they differ (the partial file is
    // removed so the next attempt starts clean).
    virtual Status Commit() = 0;
    virtual void Abort() = 0;
  };
  // expected_size < 0 when unknown. kAlreadyExists when the blob is already committed;
  // kUnavailable while another ingest of the digest is open. An Ingest may outlive the store.
  virtual Result<std::unique_ptr<Ingest>> BeginIngest(const std::string& digest,
                                                      int64_t expected_size) = 0;
  // Stores bytes already in memory (manifests, configs); verifies the digest (kCorrupt).
  // Storing a blob that is already there is OK.
  virtual Status WriteBlob(const std::string& digest, const std::string& bytes) = 0;
  // Removes a committed blob (image garbage collection). Removing an absent blob is OK.
  virtual Status DeleteBlob(const std::string& digest) = 0;
};

}  // namespace skiff::runtime

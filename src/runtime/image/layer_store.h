// Unpacked layers: <dir>/<diff-id hex>/fs (the overlay lower dir) and meta.json (its size).
// A layer is unpacked into <dir>/tmp and renamed into place, so a directory under <dir> is
// always a complete layer. Thread-safe; the same layer is unpacked by one thread at a time
// (the others wait and then find it present).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::runtime::image_detail {

class LayerStore {
 public:
  explicit LayerStore(std::string dir);

  // Creates the directory and empties <dir>/tmp (unpacks a crash interrupted).
  Status Init();

  // At Open, after Init: deletes every layer directory that is not complete (no fs/ directory,
  // or a meta.json that is missing, not JSON or names another diff id: a disk that lost data),
  // logging its path and the cause. The contents of fs/ are not checked: a layer is published
  // only after a syncfs. Returns the diff ids deleted.
  std::vector<std::string> DiscardDamaged();

  // The overlay lower dir of a layer (whether or not it exists).
  std::string FsDir(const std::string& diff_id) const;
  bool Has(const std::string& diff_id) const;

  // Unpacks blob_path (whose digest is blob_digest, for messages) as the layer diff_id unless
  // it is already there, checking that the uncompressed stream has that digest (kCorrupt
  // otherwise, and nothing is kept). Returns the layer's unpacked size.
  Result<int64_t> Ensure(const std::string& diff_id, const std::string& blob_path,
                         const std::string& blob_digest);

  // Unpacked size from meta.json (measured when that is missing).
  Result<int64_t> Size(const std::string& diff_id) const;

  // Deletes a layer; returns its size. Absent: 0.
  Result<int64_t> Remove(const std::string& diff_id);

  // The diff ids of every layer present.
  std::vector<std::string> List() const;

 private:
  std::string LayerDir(const std::string& diff_id) const;
  std::string NewTmpPath(const std::string& diff_id);

  std::string dir_;
  std::string tmp_dir_;
  std::atomic<uint64_t> seq_{0};
  std::mutex mu_;
  std::condition_variable cv_;       // signalled when an unpack ends
  std::set<std::string> unpacking_;  // guarded by mu_: diff ids being unpacked
};

}  // namespace skiff::runtime::image_detail

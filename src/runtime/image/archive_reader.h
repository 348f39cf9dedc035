// libarchive readers: the plain tar reader of airgap archives, and the layer reader that also
// hashes the uncompressed stream (a layer's diff id) while its entries are read.
// Each reader is used by one thread at a time.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>
#include <vector>

#include "runtime/image/sha256.h"
#include "skiff/common/status.h"

namespace skiff::runtime::image_detail {

struct ArchiveFree {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveFree>;

// The archive's error message ("unknown archive error" when it has none).
std::string ArchiveError(struct archive* a);

// A reader of tar, optionally gzip, zstd, xz or bzip2 compressed (decided by the data). No
// external programs are ever run.
ArchivePtr NewTarReader();
// Enables the decompression filters above on `a`.
void SupportCompression(struct archive* a);

// The next header of `a`: the entry, nullptr at the end, or kCorrupt naming `what`.
Result<struct archive_entry*> NextEntry(struct archive* a, const std::string& what);

class LayerTarReader {
 public:
  // Opens a layer blob (tar, tar+gzip, tar+zstd, ...). kCorrupt when it is not one.
  static Result<std::unique_ptr<LayerTarReader>> Open(const std::string& path);
  ~LayerTarReader();
  LayerTarReader(const LayerTarReader&) = delete;
  LayerTarReader& operator=(const LayerTarReader&) = delete;

  // The next entry, nullptr at the end. Its data is read from tar().
  Result<struct archive_entry*> Next();
  struct archive* tar() const {
    return inner_.get();
  }
  // Reads what is left of the stream; the digest of the whole uncompressed stream.
  Result<std::string> Finish();

 private:
  explicit LayerTarReader(std::string path);
  static la_ssize_t Read(struct archive* a, void* self, const void** buf);

  std::string path_;
  ArchivePtr outer_;  // decompression only (raw format)
  ArchivePtr inner_;  // tar entries, fed from outer_ through Read
  Sha256 hash_;
  std::vector<char> buf_;
};

}  // namespace skiff::runtime::image_detail

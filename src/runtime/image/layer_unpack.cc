#include "runtime/image/layer_unpack.h"

#include <fcntl.h>

#include <cerrno>

#include "runtime/image/archive_reader.h"
#include "runtime/image/errno_status.h"
#include "runtime/image/layer_writer.h"

namespace skiff::runtime::image_detail {

Result<UnpackedLayer> UnpackLayer(const std::string& blob_path, const std::string& dest_dir) {
  UniqueFd root(::open(dest_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root.valid()) return ErrnoStatus(errno, "cannot open " + dest_dir);
  auto reader = LayerTarReader::Open(blob_path);
  if (!reader.ok()) return reader.status();
  LayerWriter writer(std::move(root), dest_dir);
  for (;;) {
    auto entry = (*reader)->Next();
    if (!entry.ok()) return entry.status();
    if (*entry == nullptr) break;
    Status s = writer.Apply((*reader)->tar(), *entry);
    if (!s.ok()) return s;
  }
  Status s = writer.Finish();
  if (!s.ok()) return s;
  auto digest = (*reader)->Finish();
  if (!digest.ok()) return digest.status();
  return UnpackedLayer{std::move(digest).value(), writer.size()};
}

}  // namespace skiff::runtime::image_detail

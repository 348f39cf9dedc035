#include "runtime/image/archive_reader.h"

#include <cerrno>

namespace skiff::runtime::image_detail {
std::string ArchiveError(struct archive* a) {
  const char* e = archive_error_string(a);
  return e != nullptr ? e : "unknown archive error";
}

void SupportCompression(struct archive* a) {
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_filter_xz(a);
  archive_read_support_filter_bzip2(a);
}

ArchivePtr NewTarReader() {
  ArchivePtr a(archive_read_new());
  if (a) {
    SupportCompression(a.get());
    archive_read_support_format_tar(a.get());
  }
  return a;
}

Result<struct archive_entry*> NextEntry(struct archive* a, const std::string& what) {
  struct archive_entry* e = nullptr;
  int r = archive_read_next_header(a, &e);
  if (r == ARCHIVE_EOF) return static_cast<struct archive_entry*>(nullptr);
  // ARCHIVE_WARN: e.g. a name not convertible to the locale; the raw name is still there.
  if (r < ARCHIVE_WARN) return CorruptError(what + ": " + ArchiveError(a));
  return e;
}

LayerTarReader::LayerTarReader(std::string path) : path_(std::move(path)), buf_(1 << 16) {}
LayerTarReader::~LayerTarReader() = default;

Result<std::unique_ptr<LayerTarReader>> LayerTarReader::Open(const std::string& path) {
  std::unique_ptr<LayerTarReader> r(new LayerTarReader(path));
  r->outer_.reset(archive_read_new());
  r->inner_.reset(archive_read_new());
  if (!r->outer_ || !r->inner_) return ResourceExhaustedError("out of memory reading " + path);
  SupportCompression(r->outer_.get());
  archive_read_support_format_raw(r->outer_.get());
  if (archive_read_open_filename(r->outer_.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return CorruptError("cannot read layer " + path + ": " + ArchiveError(r->outer_.get()));
  }
  struct archive_entry* e = nullptr;
  if (archive_read_next_header(r->outer_.get(), &e) != ARCHIVE_OK) {
    return CorruptError("layer " + path +
                        " is empty or unreadable: " + ArchiveError(r->outer_.get()));
  }
  archive_read_support_format_tar(r->inner_.get());
  if (archive_read_open(r->inner_.get(), r.get(), nullptr, &LayerTarReader::Read, nullptr) !=
      ARCHIVE_OK) {
    return CorruptError("layer " + path +
                        " is not a tar archive: " + ArchiveError(r->inner_.get()));
  }
  return r;
}

la_ssize_t LayerTarReader::Read(struct archive* a, void* self, const void** buf) {
  auto* r = static_cast<LayerTarReader*>(self);
  la_ssize_t n = archive_read_data(r->outer_.get(), r->buf_.data(), r->buf_.size());
  if (n < 0) {
    archive_set_error(a, EIO, "%s", ArchiveError(r->outer_.get()).c_str());
    return -1;
  }
  r->hash_.Update(r->buf_.data(), static_cast<size_t>(n));
  *buf = r->buf_.data();
  return n;
}

Result<struct archive_entry*> LayerTarReader::Next() {
  return NextEntry(inner_.get(), "layer " + path_);
}

Result<std::string> LayerTarReader::Finish() {
  for (;;) {
    la_ssize_t n = archive_read_data(outer_.get(), buf_.data(), buf_.size());
    if (n < 0) return CorruptError("layer " + path_ + ": " + ArchiveError(outer_.get()));
    if (n == 0) break;
    hash_.Update(buf_.data(), static_cast<size_t>(n));
  }
  return hash_.Digest();
}

}  // namespace skiff::runtime::image_detail

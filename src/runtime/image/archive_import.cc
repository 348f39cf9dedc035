// Airgap import of one OCI image layout (directory or tarball) or `docker save` tarball.
//
// A tarball is read once, front to back: every blob-like file is streamed into the content store
// (hashed on the way; "blobs/sha256/<hex>" names are verified), small metadata files are kept in
// memory, and only then are the images registered, because manifest.json and index.json may
// come after the blobs. `docker save` images get an OCI manifest synthesized from manifest.json.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <nlohmann/json.hpp>

#include "runtime/image/archive_reader.h"
#include "runtime/image/errno_status.h"
#include "runtime/image/image_config.h"
#include "runtime/image/layer_writer.h"
#include "runtime/image/sha256.h"
#include "runtime/image/store_state.h"
#include "skiff/common/unique_fd.h"
#include "skiff/common/file_util.h"
#include "skiff/runtime/manifest.h"

namespace skiff::runtime::image_detail {
namespace {

using nlohmann::json;

constexpr int64_t kMaxMetadataBytes = 16 << 20;
constexpr char kContainerdNameAnnotation[] = "io.containerd.image.name";
constexpr char kOciRefNameAnnotation[] = "org.opencontainers.image.ref.name";

using EnsureBlob = std::function<Status(const std::string& digest)>;

Status Wrap(const std::string& what, const Status& s) {
  return Status(s.code(), what + ": " + s.message());
}

bool EndsWith(const std::string& s, std::string_view suffix) { return s.ends_with(suffix); }

// A tar member name in canonical form ("./a/../b" -> "b"); "" when it climbs out.
std::string CleanName(const std::string& name) {
  auto comps = SplitLayerPath(name);
  if (!comps.ok()) return "";
  std::string out;
  for (const std::string& c : *comps) out += out.empty() ? c : "/" + c;
  return out;
}

std::string DirName(const std::string& name) {
  size_t slash = name.rfind('/');
  return slash == std::string::npos ? "" : name.substr(0, slash);
}

// The layer media type a blob's first bytes show.
std::string SniffLayerType(const std::string& blob_path) {
  unsigned char magic[4] = {0, 0, 0, 0};
  UniqueFd fd(::open(blob_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.valid() && ::read(fd.get(), magic, sizeof magic) == static_cast<ssize_t>(sizeof magic)) {
    if (magic[0] == 0x1f && magic[1] == 0x8b) return media_type::kOciLayerGzip;
    if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
      return media_type::kOciLayerZstd;
    }
  }
  return media_type::kOciLayer;
}

// The name an OCI index entry gives its image; an empty ref (no name) when it gives none.
ImageRef NameOf(const Descriptor& d, std::vector<std::string>* warnings) {
  std::string name;
  auto it = d.annotations.find(kContainerdNameAnnotation);
  if (it != d.annotations.end()) {
    name = it->second;
  } else if ((it = d.annotations.find(kOciRefNameAnnotation)) != d.annotations.end()) {
    if (it->second.find_first_of("/:@") == std::string::npos) {
      warnings->push_back("image " + d.digest + ": ref.name \"" + it->second +
                          "\" is only a tag, not an image name; imported without a name");
      return {};
    }
    name = it->second;
  } else {
    warnings->push_back("image " + d.digest + " has no name annotation; imported without a name");
    return {};
  }
  auto ref = ImageRef::Parse(name);
  if (!ref.ok()) {
    warnings->push_back(ref.status().message() + "; imported without a name");
    return {};
  }
  ImageRef out = std::move(ref).value();
  if (!out.digest.empty() && out.digest != d.digest) {
    warnings->push_back("image " + d.digest + ": name \"" + name +
                        "\" carries another digest; the digest is ignored");
  }
  out.digest.clear();
  return out;
}

class Importer {
 public:
  Importer(StoreState* s, std::string path, bool pinned, std::vector<std::string>* warnings)
      : s_(s), path_(std::move(path)), pinned_(pinned), warnings_(warnings) {}

  Result<std::vector<Image>> FromDirectory();
  Result<std::vector<Image>> FromTarball();

 private:
  Status EnsureImageBlobs(const std::string& digest, const EnsureBlob& ensure);
  Result<std::vector<Image>> RegisterIndex(const std::string& index_bytes,
                                           const EnsureBlob& ensure);
  Result<std::vector<Image>> RegisterDockerSave(const std::string& manifest_bytes);
  Result<std::string> Resolve(const std::string& name) const;
  Status AddImage(const Result<Image>& img);
  Status ReadMember(struct archive* a, const std::string& name, std::string* out);

  StoreState* s_;
  const std::string path_;
  const bool pinned_;
  std::vector<std::string>* warnings_;
  std::vector<Image> images_;
  std::map<std::string, std::string> files_;  // tarball member -> digest of the stored blob
  std::map<std::string, std::string> links_;  // tarball member -> member it links to
};

Status Importer::AddImage(const Result<Image>& img) {
  if (!img.ok()) return Wrap("archive " + path_, img.status());
  for (Image& i : images_) {
    if (i.id == img->id) {
      i = *img;
      return Status::Ok();
    }
  }
  images_.push_back(*img);
  return Status::Ok();
}

// Makes the manifest `digest`, the platform manifest of an index, its config and the layers not
// yet unpacked present in the content store.
Status Importer::EnsureImageBlobs(const std::string& digest, const EnsureBlob& ensure) {
  std::string current = digest;
  for (int depth = 0; depth < 2; ++depth) {
    Status s = ensure(current);
    if (!s.ok()) return s;
    auto bytes = s_->content->ReadBlob(current);
    if (!bytes.ok()) return bytes.status();
    auto doc = ParseManifestBytes(*bytes);
    if (!doc.ok()) return doc.status();
    auto kind = ManifestKindOf(*doc, "");
    if (!kind.ok()) return kind.status();
    if (*kind == ManifestKind::kIndex) {
      auto child = SelectPlatformManifest(*doc);
      if (!child.ok()) return child.status();
      current = *child;
      continue;
    }
    auto manifest = ParseImageManifest(*doc);
    if (!manifest.ok()) return manifest.status();
    s = ensure(manifest->config.digest);
    if (!s.ok()) return s;
    auto config_bytes = s_->content->ReadBlob(manifest->config.digest);
    if (!config_bytes.ok()) return config_bytes.status();
    auto config = ParseImageConfig(*config_bytes);
    if (!config.ok()) return config.status();
    for (size_t i = 0; i < manifest->layers.size(); ++i) {
      if (i < config->diff_ids.size() && s_->layers.Has(config->diff_ids[i])) continue;
      s = ensure(manifest->layers[i].digest);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }
  return InvalidArgumentError("index " + digest + " nests indexes");
}

Result<std::vector<Image>> Importer::RegisterIndex(const std::string& index_bytes,
                                                   const EnsureBlob& ensure) {
  auto doc = ParseManifestBytes(index_bytes);
  if (!doc.ok()) return CorruptError("archive " + path_ + ": index.json is not a JSON object");
  auto index = ParseImageIndex(*doc);
  if (!index.ok()) return Wrap("archive " + path_ + ": index.json", index.status());
  for (const Descriptor& d : index->manifests) {
    ImageRef ref = NameOf(d, warnings_);
    Status s = EnsureImageBlobs(d.digest, ensure);
    if (!s.ok()) return Wrap("archive " + path_ + ": image " + d.digest, s);
    s = AddImage(s_->RegisterShared(ref, d.digest, pinned_));
    if (!s.ok()) return s;
  }
  return images_;
}

Result<std::vector<Image>> Importer::FromDirectory() {
  struct stat st {};
  if (::stat((path_ + "/oci-layout").c_str(), &st) != 0) {
    return InvalidArgumentError("directory " + path_ +
                                " is not an OCI image layout (no oci-layout)");
  }
  auto index = ReadFile(path_ + "/index.json");
  if (!index.ok()) return Wrap("OCI layout " + path_ + ": index.json", index.status());
  EnsureBlob copy = [this](const std::string& digest) -> Status {
    if (s_->content->Has(digest)) return Status::Ok();
    Status s = CheckDigest(digest);
    if (!s.ok()) return s;
    std::string src = path_ + "/blobs/sha256/" + digest.substr(7);
    UniqueFd fd(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoStatus(errno, "cannot open blob " + src);
    auto stored = s_->content->IngestStream(
        [&](char* buf, size_t cap) -> Result<size_t> {
          for (;;) {
            ssize_t n = ::read(fd.get(), buf, cap);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return ErrnoStatus(errno, "cannot read " + src);
            return static_cast<size_t>(n);
          }
        },
        digest);
    return stored.status();
  };
  return RegisterIndex(*index, copy);
}

Status Importer::ReadMember(struct archive* a, const std::string& name, std::string* out) {
  char buf[65536];
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n < 0) {
      return CorruptError("archive " + path_ + ": " + name + ": " + ArchiveError(a));
    }
    if (n == 0) return Status::Ok();
    if (static_cast<int64_t>(out->size()) + n > kMaxMetadataBytes) {
      return TooLargeError("archive " + path_ + ": " + name + " is over " +
                           std::to_string(kMaxMetadataBytes) + " bytes");
    }
    out->append(buf, static_cast<size_t>(n));
  }
}

Result<std::string> Importer::Resolve(const std::string& name) const {
  std::string current = CleanName(name);
  for (int hops = 0; hops < 16; ++hops) {
    auto f = files_.find(current);
    if (f != files_.end()) return f->second;
    auto l = links_.find(current);
    if (l == links_.end()) break;
    current = l->second;
  }
  return CorruptError("archive " + path_ + " has no file \"" + name + "\"");
}

Result<std::vector<Image>> Importer::RegisterDockerSave(const std::string& manifest_bytes) {
  json list = json::parse(manifest_bytes, nullptr, /*allow_exceptions=*/false);
  if (list.is_discarded() || !list.is_array()) {
    return CorruptError("archive " + path_ + ": manifest.json is not a JSON array");
  }
  for (const json& entry : list) {
    if (!entry.is_object() || !entry.contains("Config") || !entry["Config"].is_string() ||
        !entry.contains("Layers") || !entry["Layers"].is_array()) {
      return CorruptError("archive " + path_ + ": manifest.json entry without Config and Layers");
    }
    auto config = Resolve(entry["Config"].get<std::string>());
    if (!config.ok()) return config.status();
    auto config_size = s_->content->BlobSize(*config);
    if (!config_size.ok()) return config_size.status();
    json layers = json::array();
    for (const json& l : entry["Layers"]) {
      if (!l.is_string())
        return CorruptError("archive " + path_ + ": a layer name is not a string");
      auto digest = Resolve(l.get<std::string>());
      if (!digest.ok()) return digest.status();
      auto size = s_->content->BlobSize(*digest);
      if (!size.ok()) return size.status();
      layers.push_back({{"mediaType", SniffLayerType(s_->content->BlobPath(*digest))},
                        {"digest", *digest},
                        {"size", *size}});
    }
    json manifest = {
        {"schemaVersion", 2},
        {"mediaType", media_type::kOciManifest},
        {"config",
         {{"mediaType", media_type::kOciConfig}, {"digest", *config}, {"size", *config_size}}},
        {"layers", layers}};
    std::string bytes = manifest.dump();
    std::string digest = Sha256Digest(bytes);
    Status s = s_->content->WriteBlob(digest, bytes);
    if (!s.ok()) return Wrap("archive " + path_, s);

    std::vector<ImageRef> refs;
    if (entry.contains("RepoTags") && entry["RepoTags"].is_array()) {
      for (const json& t : entry["RepoTags"]) {
        if (!t.is_string()) continue;
        auto ref = ImageRef::Parse(t.get<std::string>());
        if (ref.ok()) {
          refs.push_back(std::move(ref).value());
        } else {
          warnings_->push_back(ref.status().message() + "; tag skipped");
        }
      }
    }
    if (refs.empty()) {
      warnings_->push_back("image " + *config + " has no usable RepoTags; imported without a name");
      refs.emplace_back();
    }
    for (const ImageRef& ref : refs) {
      s = AddImage(s_->RegisterShared(ref, digest, pinned_));
      if (!s.ok()) return s;
    }
  }
  return images_;
}

Result<std::vector<Image>> Importer::FromTarball() {
  ArchivePtr a = NewTarReader();
  if (!a) return ResourceExhaustedError("out of memory reading " + path_);
  if (archive_read_open_filename(a.get(), path_.c_str(), 1 << 16) != ARCHIVE_OK) {
    return CorruptError("archive " + path_ + ": " + ArchiveError(a.get()));
  }
  std::map<std::string, std::string> meta;  // manifest.json, index.json
  for (;;) {
    auto e = NextEntry(a.get(), "archive " + path_);
    if (!e.ok()) return e.status();
    if (*e == nullptr) break;
    const char* raw = archive_entry_pathname(*e);
    std::string name = CleanName(raw != nullptr ? raw : "");
    if (name.empty()) continue;
    if (const char* hl = archive_entry_hardlink(*e)) {
      links_[name] = CleanName(hl);
      continue;
    }
    if (archive_entry_filetype(*e) == AE_IFLNK) {
      const char* target = archive_entry_symlink(*e);
      if (target == nullptr) continue;
      links_[name] = CleanName(target[0] == '/' ? target : DirName(name) + "/" + target);
      continue;
    }
    if (archive_entry_filetype(*e) != AE_IFREG) continue;
    if (name == "manifest.json" || name == "index.json") {
      Status s = ReadMember(a.get(), name, &meta[name]);
      if (!s.ok()) return s;
      continue;
    }
    if (name == "oci-layout" || name == "repositories" || EndsWith(name, "/json") ||
        EndsWith(name, "/VERSION")) {
      continue;  // docker save's legacy per-layer files
    }
    std::string expected;
    if (name.starts_with("blobs/")) {
      if (!name.starts_with("blobs/sha256/") || !CheckDigest("sha256:" + name.substr(13)).ok()) {
        warnings_->push_back("skipping " + name + ": only sha256 blobs are read");
        continue;
      }
      expected = "sha256:" + name.substr(13);
      if (s_->content->Has(expected)) {
        files_[name] = expected;
        continue;
      }
    }
    struct archive* ar = a.get();
    auto digest = s_->content->IngestStream(
        [&](char* buf, size_t cap) -> Result<size_t> {
          la_ssize_t n = archive_read_data(ar, buf, cap);
          if (n < 0) {
            return CorruptError(ArchiveError(ar));
          }
          return static_cast<size_t>(n);
        },
        expected);
    if (!digest.ok()) return Wrap("archive " + path_ + ": " + name, digest.status());
    files_[name] = *digest;
  }
  if (meta.count("manifest.json") != 0) return RegisterDockerSave(meta["manifest.json"]);
  if (meta.count("index.json") != 0) {
    EnsureBlob present = [this](const std::string& digest) -> Status {
      if (s_->content->Has(digest)) return Status::Ok();
      return CorruptError("archive " + path_ + " does not contain blob " + digest);
    };
    return RegisterIndex(meta["index.json"], present);
  }
  return CorruptError("archive " + path_ +
                      " has neither manifest.json (docker save) nor index.json (OCI layout)");
}

}  // namespace

Result<std::vector<Image>> StoreState::ImportShared(const std::string& path, bool pinned,
                                                    std::vector<std::string>* warnings) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "cannot stat " + path);
  Importer importer(this, path, pinned, warnings);
  if (S_ISDIR(st.st_mode)) return importer.FromDirectory();
  return importer.FromTarball();
}

}  // namespace skiff::runtime::image_detail

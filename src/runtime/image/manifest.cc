#include "skiff/runtime/manifest.h"

#include <array>

#include "skiff/runtime/content_store.h"

namespace skiff::runtime {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 2> kIndexTypes = {media_type::kOciIndex,
                                                         media_type::kDockerManifestList};
constexpr std::array<std::string_view, 2> kManifestTypes = {media_type::kOciManifest,
                                                            media_type::kDockerManifest};
constexpr std::array<std::string_view, 2> kConfigTypes = {media_type::kOciConfig,
                                                          media_type::kDockerConfig};
constexpr std::array<std::string_view, 8> kLayerTypes = {
    media_type::kOciLayer,
    media_type::kOciLayerGzip,
    media_type::kOciLayerZstd,
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    media_type::kDockerLayerGzip,
    media_type::kDockerForeignLayerGzip,
};

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& list, std::string_view v) {
  for (std::string_view x : list) {
    if (x == v) return true;
  }
  return false;
}

bool IsSchema1(std::string_view t) {
  return t == "application/vnd.docker.distribution.manifest.v1+json" ||
         t == "application/vnd.docker.distribution.manifest.v1+prettyjws";
}

std::string StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<Descriptor> ParseDescriptor(const json& d, const std::string& where) {
  if (!d.is_object()) return InvalidArgumentError(where + " is not a JSON object");
  Descriptor out;
  out.media_type = StringField(d, "mediaType");
  out.digest = StringField(d, "digest");
  Status s = CheckDigest(out.digest);
  if (!s.ok()) return InvalidArgumentError(where + ": " + s.message());
  auto size = d.find("size");
  if (size != d.end()) {
    if (!size->is_number_integer() || size->get<int64_t>() < 0) {
      return InvalidArgumentError(where + ": size is not a non-negative integer");
    }
    out.size = size->get<int64_t>();
  }
  auto ann = d.find("annotations");
  if (ann != d.end() && ann->is_object()) {
    for (const auto& [k, v] : ann->items()) {
      if (v.is_string()) out.annotations[k] = v.get<std::string>();
    }
  }
  auto platform = d.find("platform");
  if (platform != d.end() && platform->is_object()) {
    out.platform.os = StringField(*platform, "os");
    out.platform.architecture = StringField(*platform, "architecture");
    out.platform.variant = StringField(*platform, "variant");
  }
  return out;
}

Status CheckSchemaVersion(const json& doc, const char* what) {
  auto v = doc.find("schemaVersion");
  if (v == doc.end() || !v->is_number_integer() || v->get<int64_t>() != 2) {
    if (v != doc.end() && v->is_number_integer() && v->get<int64_t>() == 1) {
      return UnimplementedError("Docker schema 1 manifests are not supported");
    }
    return InvalidArgumentError(std::string(what) + ": schemaVersion is not 2");
  }
  return Status::Ok();
}

// Lower is better; -1 when the entry cannot run on `want`.
int PlatformRank(const Platform& have, const Platform& want) {
  if (have.os != want.os || have.architecture != want.architecture) return -1;
  if (have.variant.empty() || have.variant == want.variant) return 0;
  if (want.architecture == "arm64") return have.variant == "v8" ? 0 : -1;
  if (want.architecture == "amd64") return have.variant == "v1" ? 0 : -1;
  if (want.architecture == "arm") {
    // A newer arm core runs code for older ones: v8 > v7 > v6 > v5.
    auto level = [](const std::string& v) {
      return v.size() == 2 && v[0] == 'v' && v[1] >= '5' && v[1] <= '8' ? v[1] - '0' : 0;
    };
    int have_level = level(have.variant);
    int want_level = level(want.variant.empty() ? "v7" : want.variant);
    if (have_level == 0 || have_level > want_level) return -1;
    return want_level - have_level;
  }
  return -1;
}

}  // namespace

std::string ManifestAcceptHeader() {
  return std::string(media_type::kOciIndex) + ", " + media_type::kOciManifest + ", " +
         media_type::kDockerManifestList + ", " + media_type::kDockerManifest;
}

bool IsIndexMediaType(std::string_view t) { return OneOf(kIndexTypes, t); }
bool IsManifestMediaType(std::string_view t) { return OneOf(kManifestTypes, t); }
bool IsConfigMediaType(std::string_view t) { return OneOf(kConfigTypes, t); }
bool IsLayerMediaType(std::string_view t) { return OneOf(kLayerTypes, t); }

std::string Platform::String() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

Platform HostPlatform() {
#if defined(__x86_64__)
  return {"linux", "amd64", ""};
#elif defined(__aarch64__)
  return {"linux", "arm64", "v8"};
#elif defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7
  return {"linux", "arm", "v7"};
#elif defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH == 6
  return {"linux", "arm", "v6"};
#elif defined(__arm__)
  return {"linux", "arm", "v5"};
#elif defined(__i386__)
  return {"linux", "386", ""};
#elif defined(__riscv) && __riscv_xlen == 64
  return {"linux", "riscv64", ""};
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return {"linux", "ppc64le", ""};
#elif defined(__s390x__)
  return {"linux", "s390x", ""};
#else
  return {"linux", "unknown", ""};
#endif
}

Result<nlohmann::json> ParseManifestBytes(std::string_view bytes) {
  json doc = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return InvalidArgumentError("manifest is not a JSON object");
  }
  return doc;
}

Result<ManifestKind> ManifestKindOf(const nlohmann::json& doc, std::string_view media_type_hint) {
  if (!doc.is_object()) return InvalidArgumentError("manifest is not a JSON object");
  std::string type = StringField(doc, "mediaType");
  if (type.empty()) type = std::string(media_type_hint);
  if (IsIndexMediaType(type)) return ManifestKind::kIndex;
  if (IsManifestMediaType(type)) return ManifestKind::kImage;
  if (IsSchema1(type)) return UnimplementedError("Docker schema 1 manifests are not supported");
  if (!type.empty())
    return InvalidArgumentError("unsupported manifest media type \"" + type + "\"");
  if (doc.contains("manifests")) return ManifestKind::kIndex;
  if (doc.contains("config") && doc.contains("layers")) return ManifestKind::kImage;
  auto v = doc.find("schemaVersion");
  if (v != doc.end() && v->is_number_integer() && v->get<int64_t>() == 1) {
    return UnimplementedError("Docker schema 1 manifests are not supported");
  }
  return InvalidArgumentError("document is neither an image manifest nor an image index");
}

Result<ImageManifest> ParseImageManifest(const nlohmann::json& doc) {
  if (!doc.is_object()) return InvalidArgumentError("manifest is not a JSON object");
  Status s = CheckSchemaVersion(doc, "manifest");
  if (!s.ok()) return s;
  ImageManifest m;
  m.media_type = StringField(doc, "mediaType");
  if (!m.media_type.empty() && !IsManifestMediaType(m.media_type)) {
    return InvalidArgumentError("unsupported manifest media type \"" + m.media_type + "\"");
  }
  auto config = doc.find("config");
  if (config == doc.end()) return InvalidArgumentError("manifest has no config");
  auto cd = ParseDescriptor(*config, "manifest config");
  if (!cd.ok()) return cd.status();
  if (!IsConfigMediaType(cd->media_type)) {
    return InvalidArgumentError("not a container image: config media type \"" + cd->media_type +
                                "\"");
  }
  m.config = std::move(cd).value();
  auto layers = doc.find("layers");
  if (layers == doc.end() || !layers->is_array()) {
    return InvalidArgumentError("manifest has no layers array");
  }
  for (size_t i = 0; i < layers->size(); ++i) {
    auto ld = ParseDescriptor((*layers)[i], "manifest layer " + std::to_string(i));
    if (!ld.ok()) return ld.status();
    if (!IsLayerMediaType(ld->media_type)) {
      return InvalidArgumentError("unsupported layer media type \"" + ld->media_type +
                                  "\" (layer " + ld->digest + ")");
    }
    m.layers.push_back(std::move(ld).value());
  }
  return m;
}

Result<ImageIndex> ParseImageIndex(const nlohmann::json& doc) {
  if (!doc.is_object()) return InvalidArgumentError("index is not a JSON object");
  Status s = CheckSchemaVersion(doc, "index");
  if (!s.ok()) return s;
  ImageIndex index;
  index.media_type = StringField(doc, "mediaType");
  if (!index.media_type.empty() && !IsIndexMediaType(index.media_type)) {
    return InvalidArgumentError("unsupported index media type \"" + index.media_type + "\"");
  }
  auto list = doc.find("manifests");
  if (list == doc.end() || !list->is_array()) {
    return InvalidArgumentError("index has no manifests array");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    auto d = ParseDescriptor((*list)[i], "index entry " + std::to_string(i));
    if (!d.ok()) return d.status();
    index.manifests.push_back(std::move(d).value());
  }
  return index;
}

Result<std::string> SelectPlatformManifest(const nlohmann::json& index, const Platform& platform) {
  auto parsed = ParseImageIndex(index);
  if (!parsed.ok()) return parsed.status();
  const Descriptor* best = nullptr;
  int best_rank = -1;
  std::string offered;
  for (const Descriptor& d : parsed->manifests) {
    if (!d.media_type.empty() && !IsManifestMediaType(d.media_type)) continue;
    if (!d.platform.os.empty()) {
      if (!offered.empty()) offered += ", ";
      offered += d.platform.String();
    }
    int rank = PlatformRank(d.platform, platform);
    if (rank >= 0 && (best == nullptr || rank < best_rank)) {
      best = &d;
      best_rank = rank;
    }
  }
  if (best == nullptr) {
    return NotFoundError("no image for " + platform.String() + " in index (has " +
                         (offered.empty() ? std::string("no platforms") : offered) + ")");
  }
  return best->digest;
}

Result<std::string> SelectPlatformManifest(const nlohmann::json& index) {
  return SelectPlatformManifest(index, HostPlatform());
}

}  // namespace skiff::runtime

// OCI and Docker image manifests, indexes and platform selection: what the registry puller and
// the image store both need to read the JSON documents of the distribution format.
//
// Accepted media types:
//   indexes    application/vnd.oci.image.index.v1+json,
//              application/vnd.docker.distribution.manifest.list.v2+json
//   manifests  application/vnd.oci.image.manifest.v1+json,
//              application/vnd.docker.distribution.manifest.v2+json
//   configs    application/vnd.oci.image.config.v1+json,
//              application/vnd.docker.container.image.v1+json
//   layers     application/vnd.oci.image.layer.v1.tar{,+gzip,+zstd} (and .nondistributable.),
//              application/vnd.docker.image.rootfs.{diff,foreign.diff}.tar.gzip
// Docker schema 1 manifests are refused (kUnimplemented).
//
// Every function is pure (no I/O) and thread-safe; none throws.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::runtime {

namespace media_type {
inline constexpr char kOciIndex[] = "application/vnd.oci.image.index.v1+json";
inline constexpr char kOciManifest[] = "application/vnd.oci.image.manifest.v1+json";
inline constexpr char kOciConfig[] = "application/vnd.oci.image.config.v1+json";
inline constexpr char kOciLayer[] = "application/vnd.oci.image.layer.v1.tar";
inline constexpr char kOciLayerGzip[] = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr char kOciLayerZstd[] = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr char kDockerManifestList[] =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr char kDockerManifest[] = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr char kDockerConfig[] = "application/vnd.docker.container.image.v1+json";
inline constexpr char kDockerLayerGzip[] = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr char kDockerForeignLayerGzip[] =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
}  // namespace media_type

// The Accept header for manifest requests: the four manifest and index media types (without it
// registries answer with 404 for OCI manifests or convert Docker ones to schema 1).
std::string ManifestAcceptHeader();

bool IsIndexMediaType(std::string_view media_type);
bool IsManifestMediaType(std::string_view media_type);
bool IsConfigMediaType(std::string_view media_type);
bool IsLayerMediaType(std::string_view media_type);

struct Platform {
  std::string os;            // "linux"
  std::string architecture;  // GOARCH names: "amd64", "arm64", "arm", ...
  std::string variant;       // "v7", "v8" or ""
  // "linux/arm/v7", "linux/amd64".
  std::string String() const;
};

// The platform this binary runs on (linux + its architecture and, for arm, variant).
Platform HostPlatform();

struct Descriptor {
  std::string media_type;
  std::string digest;  // "sha256:<hex>"
  int64_t size = -1;   // -1 when the document did not say
  std::map<std::string, std::string> annotations;
  Platform platform;  // index entries only; empty otherwise
};

struct ImageManifest {
  std::string media_type;  // the document's mediaType (may be "" for OCI manifests)
  Descriptor config;
  std::vector<Descriptor> layers;  // bottom first
};

struct ImageIndex {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

enum class ManifestKind { kIndex, kImage };

// Parses a manifest or index document (kInvalidArgument when the bytes are not a JSON object).
Result<nlohmann::json> ParseManifestBytes(std::string_view bytes);

// Whether `doc` is an index or an image manifest. The document's own mediaType field decides;
// when it has none, `media_type_hint` (an HTTP Content-Type or a descriptor's media type) does;
// without either, the shape does ("manifests" array: index; "config" + "layers": manifest).
Result<ManifestKind> ManifestKindOf(const nlohmann::json& doc, std::string_view media_type_hint);

// Validates and reads an image manifest: schemaVersion 2, a config descriptor with a container
// image config media type, layer descriptors with layer media types and sha256 digests.
Result<ImageManifest> ParseImageManifest(const nlohmann::json& doc);

// Validates and reads an index / manifest list.
Result<ImageIndex> ParseImageIndex(const nlohmann::json& doc);

// The digest of the index entry to run on `platform`: os and architecture must match; for arm an
// exact variant is preferred, then older compatible ones (v8 runs v7, v6, v5); an entry without
// a variant matches any. Among equal matches the first entry wins. kNotFound lists what the
// index offers, e.g. "no image for linux/amd64 in index (has linux/arm64/v8, linux/arm/v7)".
Result<std::string> SelectPlatformManifest(const nlohmann::json& index, const Platform& platform);
// Same for HostPlatform().
Result<std::string> SelectPlatformManifest(const nlohmann::json& index);

}  // namespace skiff::runtime

// Resolves a reference on one endpoint to the platform image manifest: GET the manifest by tag
// or digest, verify its digest, and for an index fetch and verify the host platform's entry.
// Internal to skiff_registry.
#pragma once

#include <string>

#include "runtime/registry/endpoint_client.h"
#include "skiff/runtime/image_ref.h"
#include "skiff/runtime/manifest.h"

namespace skiff::runtime::registry {

struct ManifestBlob {
  std::string digest;  // sha256 of bytes
  std::string bytes;
};

struct ResolvedImage {
  ManifestBlob top;  // what the reference names: an index or the manifest itself
  bool is_index = false;
  ManifestBlob manifest;  // the platform image manifest (== top when not an index)
  ImageManifest parsed;
};

// kNotFound (message "REF: not found") when the endpoint answers 404 for the reference; the
// client's errors for transport and authentication failures; kCorrupt when a manifest's bytes
// do not match the digest asked for; kInvalidArgument / kUnimplemented for documents that are
// not a usable image; kNotFound when an index has no entry for the host platform.
Result<ResolvedImage> ResolveManifest(EndpointClient& client, const ImageRef& ref);

}  // namespace skiff::runtime::registry

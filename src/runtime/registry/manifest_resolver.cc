#include "runtime/registry/manifest_resolver.h"

#include "runtime/image/sha256.h"

namespace skiff::runtime::registry {
namespace {

constexpr size_t kMaxManifestBytes = 4 << 20;  // as containerd

struct Fetched {
  ManifestBlob blob;
  std::string content_type;
};

// GET manifests/<reference>; `expected_digest` ("" for a tag) is verified.
Result<Fetched> FetchManifest(EndpointClient& client, const std::string& reference,
                              const std::string& expected_digest, const std::string& ref_text) {
  const std::string path = "manifests/" + reference;
  const std::string url = client.Url(path);
  HttpResult r = client.Get(path, {"Accept: " + ManifestAcceptHeader()});
  if (!r.status.ok()) return r.status;
  const HttpResponse& resp = r.response;
  if (resp.status == 404) return NotFoundError(ref_text + ": not found");
  if (resp.status == 401 || resp.status == 403) {
    return InvalidArgumentError(
        "pull access denied, repository does not exist or may require authorization: "
        "server message: " +
        ServerMessage(resp));
  }
  if (resp.status != 200) {
    return UnavailableError("unexpected status from GET request to " + url + ": " +
                            ServerMessage(resp));
  }
  if (resp.body.size() > kMaxManifestBytes) {
    return InvalidArgumentError("manifest at " + url + " is larger than " +
                                std::to_string(kMaxManifestBytes) + " bytes");
  }
  Fetched out;
  out.blob.bytes = resp.body;
  out.blob.digest = image_detail::Sha256Digest(resp.body);
  if (!expected_digest.empty() && out.blob.digest != expected_digest) {
    return CorruptError("manifest digest mismatch: " + url + " returned content with digest " +
                        out.blob.digest + ", expected " + expected_digest);
  }
  out.content_type = resp.Header("content-type");
  if (size_t semi = out.content_type.find(';'); semi != std::string::npos) {
    out.content_type.resize(semi);
  }
  return out;
}

}  // namespace

Result<ResolvedImage> ResolveManifest(EndpointClient& client, const ImageRef& ref) {
  const std::string ref_text = ref.String();
  const std::string reference =
      !ref.digest.empty() ? ref.digest : (ref.tag.empty() ? std::string("latest") : ref.tag);
  Result<Fetched> top = FetchManifest(client, reference, ref.digest, ref_text);
  if (!top.ok()) return top.status();

  ResolvedImage out;
  out.top = top->blob;
  Result<nlohmann::json> doc = ParseManifestBytes(top->blob.bytes);
  if (!doc.ok()) return doc.status();
  Result<ManifestKind> kind = ManifestKindOf(*doc, top->content_type);
  if (!kind.ok()) return kind.status();

  nlohmann::json manifest_doc = std::move(*doc);
  if (*kind == ManifestKind::kIndex) {
    out.is_index = true;
    Result<std::string> chosen = SelectPlatformManifest(manifest_doc);
    if (!chosen.ok())
      return Status(chosen.status().code(), ref_text + ": " + chosen.status().message());
    Result<Fetched> platform = FetchManifest(client, *chosen, *chosen, ref_text);
    if (!platform.ok()) {
      if (platform.status().code() == Code::kNotFound) {
        return NotFoundError(ref_text + ": manifest " + *chosen + " listed in index " +
                             out.top.digest + " not found");
      }
      return platform.status();
    }
    out.manifest = platform->blob;
    Result<nlohmann::json> pdoc = ParseManifestBytes(out.manifest.bytes);
    if (!pdoc.ok()) return pdoc.status();
    Result<ManifestKind> pkind = ManifestKindOf(*pdoc, platform->content_type);
    if (!pkind.ok()) return pkind.status();
    if (*pkind != ManifestKind::kImage) {
      return InvalidArgumentError(ref_text + ": index entry " + *chosen +
                                  " is not an image manifest");
    }
    manifest_doc = std::move(*pdoc);
  } else {
    out.manifest = out.top;
  }
  Result<ImageManifest> parsed = ParseImageManifest(manifest_doc);
  if (!parsed.ok()) return parsed.status();
  out.parsed = std::move(*parsed);
  return out;
}

}  // namespace skiff::runtime::registry

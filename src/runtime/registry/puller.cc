#include "skiff/runtime/puller.h"

#include <memory>
#include <set>

#include "runtime/registry/blob_fetcher.h"
#include "runtime/registry/endpoint_client.h"
#include "runtime/registry/endpoints.h"
#include "runtime/registry/http_session.h"
#include "runtime/registry/manifest_resolver.h"
#include "runtime/registry/progress.h"
#include "runtime/registry/token_cache.h"
#include "skiff/common/log.h"

namespace skiff::runtime {
namespace {

using registry::EndpointClient;

// The diff ids of a config blob (rootfs.diff_ids), or empty when it has none readable.
std::vector<std::string> DiffIds(const std::string& config_bytes) {
  std::vector<std::string> out;
  try {
    nlohmann::json config = nlohmann::json::parse(config_bytes);
    const nlohmann::json& ids = config.at("rootfs").at("diff_ids");
    for (const nlohmann::json& id : ids) out.push_back(id.get<std::string>());
  } catch (const nlohmann::json::exception&) {
    out.clear();
  }
  return out;
}

Status Prefixed(const Status& s, const std::string& prefix) {
  return Status(s.code(), prefix + s.message());
}

// The manifest from the first endpoint that has the image, and the client that found it.
Status ResolveOnEndpoints(const RegistriesConfig& config, registry::TokenCache& tokens,
                          const PullerOptions& puller_options, registry::HttpSession& http,
                          const ImageRef& ref, const PullOptions& options,
                          std::unique_ptr<EndpointClient>* client,
                          registry::ResolvedImage* resolved) {
  const std::string ref_text = ref.String();
  Status first_error;
  for (const registry::Endpoint& ep : registry::ResolveEndpoints(config, ref.registry)) {
    std::string repository =
        ep.mirror ? registry::RewriteRepository(ep, ref.repository) : ref.repository;
    auto candidate = std::make_unique<EndpointClient>(http, ep, repository, options.credentials,
                                                      tokens, puller_options.request_timeout);
    Result<registry::ResolvedImage> r = registry::ResolveManifest(*candidate, ref);
    if (r.ok()) {
      *resolved = std::move(*r);
      *client = std::move(candidate);
      return Status::Ok();
    }
    log::Info("registry", "endpoint could not resolve image",
              {{"ref", ref_text}, {"endpoint", ep.BaseUrl()}, {"error", r.status().message()}});
    // A plain 404 lets a later endpoint decide; anything else (connection refused, no entry
    // for this platform, ...) is what the user needs to hear if no endpoint has the image.
    const bool plain_not_found =
        r.status().code() == Code::kNotFound && r.status().message() == ref_text + ": not found";
    if (!plain_not_found && first_error.ok()) first_error = r.status();
  }
  const std::string prefix = "failed to resolve reference \"" + ref_text + "\": ";
  if (!first_error.ok()) return Prefixed(first_error, prefix);
  return NotFoundError(prefix + ref_text + ": not found");
}

}  // namespace

Puller::Puller(RegistriesConfig config, ImageStore& images, PullerOptions options)
    : config_(std::move(config)),
      images_(images),
      options_(options),
      tokens_(std::make_unique<registry::TokenCache>()) {}

Puller::~Puller() = default;

Result<Image> Puller::Pull(const ImageRef& ref, const PullOptions& options) {
  const std::string ref_text = ref.String();
  registry::ProgressReporter progress(options.progress, ref_text, options_.progress_interval);
  progress.SetPhase(PullPhase::kResolving);

  registry::HttpSession http(registry::HttpLimits{
      options_.connect_timeout, options_.low_speed_bytes, options_.low_speed_time});

  std::unique_ptr<EndpointClient> client;
  registry::ResolvedImage resolved;
  if (Status s =
          ResolveOnEndpoints(config_, *tokens_, options_, http, ref, options, &client, &resolved);
      !s.ok()) {
    return s;
  }

  // Config and layers.
  const std::string pull_prefix = "failed to pull image \"" + ref_text + "\": ";
  ContentStore& store = images_.content();
  registry::BlobFetchOptions fetch_options;
  fetch_options.attempts = options_.blob_attempts;
  fetch_options.retry_delay = options_.retry_delay;
  fetch_options.dedupe_wait = options_.dedupe_wait;

  const ImageManifest& manifest = resolved.parsed;
  std::vector<size_t> unique_layers;  // indexes into manifest.layers, first occurrence only
  std::set<std::string> seen;
  int64_t bytes_total = 0;
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    if (!seen.insert(manifest.layers[i].digest).second) continue;
    unique_layers.push_back(i);
    bytes_total += std::max<int64_t>(manifest.layers[i].size, 0);
  }
  progress.SetTotals(bytes_total, static_cast<int>(unique_layers.size()));
  progress.SetPhase(PullPhase::kDownloading);

  if (Status s =
          registry::FetchBlob(*client, store, manifest.config, fetch_options, [](int64_t) {});
      !s.ok()) {
    return Prefixed(s, pull_prefix);
  }
  Result<std::string> config_bytes = store.ReadBlob(manifest.config.digest);
  if (!config_bytes.ok()) return Prefixed(config_bytes.status(), pull_prefix);
  const std::vector<std::string> diff_ids = DiffIds(*config_bytes);

  for (size_t i : unique_layers) {
    const Descriptor& layer = manifest.layers[i];
    // A layer already unpacked needs no blob (Register finds it by its diff id).
    const bool unpacked =
        diff_ids.size() == manifest.layers.size() && images_.HasLayer(diff_ids[i]);
    if (unpacked || store.Has(layer.digest)) {
      progress.AddBytes(std::max<int64_t>(layer.size, 0));
      progress.LayerDone();
      continue;
    }
    Status s = registry::FetchBlob(*client, store, layer, fetch_options,
                                   [&](int64_t delta) { progress.AddBytes(delta); });
    if (!s.ok()) return Prefixed(s, pull_prefix);
    progress.LayerDone();
  }

  // Manifests last: a manifest in the store means its blobs were fetched.
  if (resolved.is_index) {
    if (Status s = store.WriteBlob(resolved.manifest.digest, resolved.manifest.bytes); !s.ok()) {
      return Prefixed(s, pull_prefix);
    }
  }
  if (Status s = store.WriteBlob(resolved.top.digest, resolved.top.bytes); !s.ok()) {
    return Prefixed(s, pull_prefix);
  }

  progress.SetPhase(PullPhase::kUnpacking);
  Result<Image> image = images_.Register(ref, resolved.top.digest, /*pinned=*/false);
  if (!image.ok()) return Prefixed(image.status(), pull_prefix);
  progress.SetPhase(PullPhase::kDone);
  log::Info("registry", "pulled image",
            {{"ref", ref_text},
             {"digest", resolved.top.digest},
             {"endpoint", client->endpoint().BaseUrl()},
             {"bytes", std::to_string(progress.current().bytes_total)}});
  return image;
}

}  // namespace skiff::runtime

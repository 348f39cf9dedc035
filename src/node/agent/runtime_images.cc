// RuntimeImpl: images for containers, per imagePullPolicy, with kubelet's events.
#include <chrono>
#include <cstdio>

#include "runtime_impl.h"
#include "skiff/common/base64.h"
#include "skiff/common/log.h"
#include "skiff/runtime/registry_config.h"

namespace skiff::node {

using nlohmann::json;

namespace {

std::string Seconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.3fs", std::chrono::duration<double>(d).count());
  return buf;
}

}  // namespace

Result<runtime::Image> RuntimeImpl::EnsureImage(const json& pod, const json& container,
                                                const std::string& field_path,
                                                const PodEventSink& events, StartFailure* failure) {
  const std::string image = container.value("image", "");
  auto ref = runtime::ImageRef::Parse(image);
  if (!ref.ok()) {
    failure->reason = "InvalidImageName";
    failure->message = "Failed to apply default image tag \"" + image +
                       "\": couldn't parse image name \"" + image + "\": " + ref.status().message();
    events(field_path, "Warning", "InspectFailed", failure->message);
    return ref.status();
  }
  std::string policy = container.value("imagePullPolicy", "");
  if (policy.empty()) policy = ref->tag == "latest" || (ref->tag.empty() && ref->digest.empty()) ? "Always" : "IfNotPresent";
  auto present = images_.Find(*ref);
  if (present.ok() && policy != "Always") {
    events(field_path, "Normal", "Pulled", "Container image \"" + image + "\" already present on machine");
    images_.MarkUsed(present->id);
    return present;
  }
  if (policy == "Never") {
    failure->reason = "ErrImageNeverPull";
    failure->message = "Container image \"" + image + "\" is not present with pull policy of Never";
    failure->image_missing = true;
    events(field_path, "Warning", "ErrImageNeverPull", failure->message);
    return NotFoundError(failure->message);
  }

  runtime::PullOptions options;
  const std::string ns = pod["metadata"].value("namespace", "default");
  for (const json& s : pod["spec"].value("imagePullSecrets", json::array())) {
    auto secret = client_.Get(client::Secrets(), ns, s.value("name", ""));
    if (!secret.ok()) continue;  // kubelet ignores missing pull secrets (with a warning)
    const json& data = (*secret)["data"];
    std::vector<runtime::DockerConfigEntry> entries;
    if (data.contains(".dockerconfigjson")) {
      auto raw = Base64Decode(data[".dockerconfigjson"].get<std::string>());
      if (raw) {
        if (auto e = runtime::ParseDockerConfigJson(*raw); e.ok()) entries = *e;
      }
    } else if (data.contains(".dockercfg")) {
      auto raw = Base64Decode(data[".dockercfg"].get<std::string>());
      if (raw) {
        if (auto e = runtime::ParseDockerCfg(*raw); e.ok()) entries = *e;
      }
    }
    for (runtime::RegistryAuth& a : runtime::MatchCredentials(entries, *ref)) {
      options.credentials.push_back(std::move(a));
    }
  }
  const std::string pod_key = ns + "/" + pod["metadata"].value("name", "");
  options.progress = [&](const runtime::PullProgress& p) {
    log::Info("agent", "pulling image",
              {{"image", p.ref}, {"pod", pod_key}, {"phase", runtime::PullPhaseName(p.phase)},
               {"bytes", std::to_string(p.bytes_done) + "/" + std::to_string(p.bytes_total)},
               {"layers", std::to_string(p.layers_done) + "/" + std::to_string(p.layers_total)}});
  };
  events(field_path, "Normal", "Pulling", "Pulling image \"" + image + "\"");
  const auto start = std::chrono::steady_clock::now();
  auto pulled = puller_.Pull(*ref, options);
  if (!pulled.ok()) {
    failure->reason = "ErrImagePull";
    failure->message = pulled.status().message();
    failure->image_missing = pulled.status().code() == Code::kNotFound;
    events(field_path, "Warning", "Failed", "Failed to pull image \"" + image + "\": " + failure->message);
    events(field_path, "Warning", "Failed", "Error: ErrImagePull");
    return pulled.status();
  }
  const std::string took = Seconds(std::chrono::steady_clock::now() - start);
  events(field_path, "Normal", "Pulled",
         "Successfully pulled image \"" + image + "\" in " + took + " (" + took +
             " including waiting). Image size: " + std::to_string(pulled->size) + " bytes.");
  images_.MarkUsed(pulled->id);
  return pulled;
}

}  // namespace skiff::node

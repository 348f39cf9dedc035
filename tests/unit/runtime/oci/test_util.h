// Helpers for the skiff_oci tests: temporary directories, a tiny rootfs, pods and an object
// lookup backed by a map (a stand-in for the API client the agent passes).
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "skiff/node/pod_context.h"
#include "skiff/runtime/oci_spec.h"

namespace skiff::runtime::testing {

using nlohmann::json;

// A directory under /tmp removed (recursively) when the object goes away.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/skiff-oci-test-XXXXXX";
    char* p = mkdtemp(tmpl);
    path_ = p ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

// A rootfs with /etc/passwd and /etc/group only.
inline void MakeUserFiles(const std::string& root) {
  WriteFile(root + "/etc/passwd",
            "root:x:0:0:root:/root:/bin/sh\n"
            "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
            "app:x:1000:1001:App:/home/app:/bin/sh\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
  WriteFile(root + "/etc/group",
            "root:x:0:\n"
            "daemon:x:1:\n"
            "appgrp:x:1001:\n"
            "video:x:44:app,daemon\n"
            "audio:x:29:app\n"
            "staff:x:50:root\n"
            "nogroup:x:65534:\n");
}

inline json MakePod(json containers, json spec_extra = json::object()) {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", "web"},
                {"namespace", "default"},
                {"uid", "0b5e-uid"},
                {"labels", {{"app", "web"}, {"tier", "front"}}},
                {"annotations", {{"note", "say \"hi\"\n"}}}}},
              {"spec",
               {{"containers", containers},
                {"restartPolicy", "Always"},
                {"dnsPolicy", "ClusterFirst"},
                {"nodeName", "node-1"},
                {"serviceAccountName", "default"},
                {"securityContext", json::object()}}}};
  for (auto it = spec_extra.begin(); it != spec_extra.end(); ++it) pod["spec"][it.key()] = *it;
  return pod;
}

inline json MakeContainer(json extra = json::object()) {
  json c = {{"name", "app"},
            {"image", "busybox:1.35"},
            {"terminationMessagePath", "/dev/termination-log"},
            {"terminationMessagePolicy", "File"},
            {"imagePullPolicy", "IfNotPresent"}};
  for (auto it = extra.begin(); it != extra.end(); ++it) c[it.key()] = *it;
  return c;
}

// Objects by "Kind/namespace/name"; anything else is kNotFound.
inline node::ObjectLookup MapLookup(std::map<std::string, json> objects) {
  return [objects = std::move(objects)](const std::string& kind, const std::string& ns,
                                        const std::string& name) -> Result<json> {
    auto it = objects.find(kind + "/" + ns + "/" + name);
    if (it == objects.end()) return NotFoundError(kind + " " + ns + "/" + name + " not found");
    return it->second;
  };
}

inline node::PodRuntimeInfo Info() {
  node::PodRuntimeInfo info;
  info.node_name = "node-1";
  info.host_ip = "192.168.1.10";
  info.pod_ips = {"10.42.0.7", "fd00::7"};
  info.node_allocatable_cpu = "2";
  info.node_allocatable_memory = "4Gi";
  return info;
}

}  // namespace skiff::runtime::testing

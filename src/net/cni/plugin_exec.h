// Runs one CNI plugin binary with the CNI exec protocol. Internal to skiff_cni.
//
// Environment: CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH and
// PATH (nothing else of skiff's environment leaks in); the config on stdin; a timeout.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "skiff/common/status.h"

namespace skiff::net {

struct PluginCall {
  std::string plugin_dir;  // where the binary is, and CNI_PATH
  std::string type;        // the binary's name: "bridge", "portmap", ...
  std::string command;     // ADD, DEL, CHECK, VERSION
  std::string container_id;
  std::string netns;  // may be empty for DEL
  std::string ifname;
  std::string cni_args;
  std::string search_path;  // PATH
  std::chrono::milliseconds timeout{30000};
};

// ADD returns the plugin's result; DEL and CHECK return null. Errors:
//   kNotFound     "CNI plugin bridge not found in /dir: ..."
//   kUnavailable  timeouts, and the plugin's "try again later" (CNI code 11)
//   kInternal     any other failure: "CNI plugin bridge ADD for sandbox X failed: CNI error
//                 7: <msg> (<details>)", or the exit status and stderr when stdout is not a
//                 CNI error.
Result<nlohmann::json> ExecPlugin(const PluginCall& call, const nlohmann::json& stdin_conf);

}  // namespace skiff::net

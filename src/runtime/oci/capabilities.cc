#include "capabilities.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "json_access.h"

namespace skiff::runtime::internal {
namespace {

std::string Normalize(std::string name) {
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name.rfind("CAP_", 0) != 0) name = "CAP_" + name;
  return name;
}

bool IsAll(const std::string& name) {
  std::string upper = name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper == "ALL";
}

}  // namespace

const std::vector<std::string>& DefaultCapabilities() {
  static const std::vector<std::string> kDefault = {
      "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
      "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
      "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
      "CAP_KILL",    "CAP_AUDIT_WRITE"};
  return kDefault;
}

const std::vector<std::string>& AllCapabilities() {
  // In capability-number order (linux/capability.h), 0 .. 40.
  static const std::vector<std::string> kAll = {"CAP_CHOWN",
                                                "CAP_DAC_OVERRIDE",
                                                "CAP_DAC_READ_SEARCH",
                                                "CAP_FOWNER",
                                                "CAP_FSETID",
                                                "CAP_KILL",
                                                "CAP_SETGID",
                                                "CAP_SETUID",
                                                "CAP_SETPCAP",
                                                "CAP_LINUX_IMMUTABLE",
                                                "CAP_NET_BIND_SERVICE",
                                                "CAP_NET_BROADCAST",
                                                "CAP_NET_ADMIN",
                                                "CAP_NET_RAW",
                                                "CAP_IPC_LOCK",
                                                "CAP_IPC_OWNER",
                                                "CAP_SYS_MODULE",
                                                "CAP_SYS_RAWIO",
                                                "CAP_SYS_CHROOT",
                                                "CAP_SYS_PTRACE",
                                                "CAP_SYS_PACCT",
                                                "CAP_SYS_ADMIN",
                                                "CAP_SYS_BOOT",
                                                "CAP_SYS_NICE",
                                                "CAP_SYS_RESOURCE",
                                                "CAP_SYS_TIME",
                                                "CAP_SYS_TTY_CONFIG",
                                                "CAP_MKNOD",
                                                "CAP_LEASE",
                                                "CAP_AUDIT_WRITE",
                                                "CAP_AUDIT_CONTROL",
                                                "CAP_SETFCAP",
                                                "CAP_MAC_OVERRIDE",
                                                "CAP_MAC_ADMIN",
                                                "CAP_SYSLOG",
                                                "CAP_WAKE_ALARM",
                                                "CAP_BLOCK_SUSPEND",
                                                "CAP_AUDIT_READ",
                                                "CAP_PERFMON",
                                                "CAP_BPF",
                                                "CAP_CHECKPOINT_RESTORE"};
  return kAll;
}

std::vector<std::string> ContainerCapabilities(const nlohmann::json& capabilities,
                                               bool privileged) {
  std::set<std::string> caps;
  if (privileged) {
    caps.insert(AllCapabilities().begin(), AllCapabilities().end());
  } else {
    caps.insert(DefaultCapabilities().begin(), DefaultCapabilities().end());
    std::vector<std::string> add, drop;
    if (capabilities.is_object()) {
      if (auto it = capabilities.find("add"); it != capabilities.end()) add = StringList(*it);
      if (auto it = capabilities.find("drop"); it != capabilities.end()) drop = StringList(*it);
    }
    if (std::any_of(add.begin(), add.end(), IsAll)) {
      caps.insert(AllCapabilities().begin(), AllCapabilities().end());
    }
    if (std::any_of(drop.begin(), drop.end(), IsAll)) caps.clear();
    for (const auto& a : add) {
      if (!IsAll(a)) caps.insert(Normalize(a));
    }
    for (const auto& d : drop) {
      if (!IsAll(d)) caps.erase(Normalize(d));
    }
  }
  // Known capabilities in number order, then any unknown names (runc ignores those it does not
  // know, with a warning) in name order.
  std::vector<std::string> out;
  for (const auto& c : AllCapabilities()) {
    if (caps.erase(c)) out.push_back(c);
  }
  out.insert(out.end(), caps.begin(), caps.end());
  return out;
}

}  // namespace skiff::runtime::internal

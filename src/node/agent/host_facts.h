// What the node reports about the machine it runs on: capacity, identity and pressure signals,
// read from /proc, /sys, /etc and statvfs. Plain values; Read* functions never fail (unknown
// values stay empty or zero).
#pragma once

#include <cstdint>
#include <string>

namespace skiff::node {

struct HostFacts {
  int cpus = 0;
  int64_t memory_bytes = 0;            // MemTotal
  int64_t memory_available_bytes = 0;  // MemAvailable
  int64_t disk_bytes = 0;              // the file system of the state dir
  int64_t disk_available_bytes = 0;
  int64_t disk_inodes = 0;             // and its inodes
  int64_t disk_inodes_free = 0;
  int64_t pids_max = 0;                // kernel.pid_max
  int64_t pids_used = 0;               // processes now running
  std::string machine_id, system_uuid, boot_id;
  std::string kernel_version, os_image, architecture;  // architecture in GOARCH terms
};

HostFacts ReadHostFacts(const std::string& state_dir);
// The lowest oom_score_adj this process can give its children: -1000 when it has
// CAP_SYS_RESOURCE, else its own oom_score_adj (0 when unreadable).
int LowestOomScoreAdj();
// "amd64", "arm64", "arm", ... for uname's machine field.
std::string GoArch(const std::string& uname_machine);

}  // namespace skiff::node

// `skiff check`: whether this box can run `skiff server` with the given settings. Each check
// is one line: what was looked at, whether it is fine, and what to do when it is not:
//   ok    runc            runc version 1.1.5
//   FAIL  nftables        nft not found in PATH: apt-get install nftables
// WARN lines name what works with less (no br_netfilter: pod-to-pod service traffic on one
// bridge is not seen by the proxy's rules; no NFS client in the kernel: pods with nfs volumes
// cannot start). The agent's checks are left out with
// --disable-agent.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "skiff/cli/options.h"

namespace skiff::server {

struct CheckLine {
  enum class Result { kOk, kWarn, kFail };
  Result result = Result::kOk;
  std::string what;    // "runc"
  std::string detail;  // what was found, or what is wrong and what to do
};

std::vector<CheckLine> CheckHost(const cli::ServerOptions& options);

// Prints the lines; returns 0 when nothing failed, else 1.
int RunCheck(const cli::ServerOptions& options, std::ostream& out);

}  // namespace skiff::server

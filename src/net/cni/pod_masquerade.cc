// The node's pod network rules, one nftables table per bridge: the masquerade of pod traffic
// leaving the cluster, and the guard that keeps the outside from reaching pods directly.
#include <algorithm>
#include <cctype>

#include "net/cni/plugin_config.h"
#include "net/cni/process.h"
#include "skiff/net/cni.h"

namespace skiff::net {
namespace {

// Letters, digits, '_', '.', '-': what an nft identifier may hold without quoting.
bool IsPlainName(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

const char* Family(const PodMasquerade& m) { return IsIpv6Subnet(m.pod_subnet) ? "ip6" : "ip"; }

Status CheckMasquerade(const PodMasquerade& m) {
  if (!IsInterfaceName(m.bridge) || !IsPlainName(m.bridge)) {
    return InvalidArgumentError("pod masquerade: bridge name \"" + m.bridge +
                                "\" must be 1-15 letters, digits, '_', '.' or '-'");
  }
  int subnet_family = 0;
  if (!IsCidr(m.pod_subnet, &subnet_family)) {
    return InvalidArgumentError("pod masquerade: pod subnet \"" + m.pod_subnet +
                                "\" is not a CIDR like 10.42.0.0/24");
  }
  int cluster_family = 0;
  if (!m.cluster_cidr.empty() && !IsCidr(m.cluster_cidr, &cluster_family)) {
    return InvalidArgumentError("pod masquerade: cluster CIDR \"" + m.cluster_cidr +
                                "\" is not a CIDR like 10.42.0.0/16");
  }
  if (!m.cluster_cidr.empty() && cluster_family != subnet_family) {
    return InvalidArgumentError("pod masquerade: cluster CIDR " + m.cluster_cidr +
                                " and pod subnet " + m.pod_subnet + " are of different families");
  }
  return Status::Ok();
}

// Runs `nft -f -` with `script`.
Status RunNft(const PodMasquerade& m, const std::string& script, const std::string& what) {
  Status s = RunChecked(m.search_path, {"nft", "-f", "-"}, script, m.timeout);
  if (s.code() != Code::kUnavailable) return s;
  return UnavailableError("pod masquerade: cannot " + what + " nftables table " +
                          PodMasqueradeTable(m) + ": " + s.message());
}

}  // namespace

std::string PodMasqueradeTable(const PodMasquerade& m) { return "skiff-" + m.bridge; }

Status EnsurePodMasquerade(const PodMasquerade& m) {
  if (Status s = CheckMasquerade(m); !s.ok()) return s;
  const std::string family = Family(m);
  const std::string table = family + " " + PodMasqueradeTable(m);
  const bool v6 = family == "ip6";
  const std::string cluster = m.cluster_cidr.empty() ? m.pod_subnet : m.cluster_cidr;
  // Declared, deleted and declared again in one transaction: the old contents (if any) go
  // and the new ones arrive atomically.
  std::string script = "table " + table + " {}\n";
  script += "delete table " + table + "\n";
  script += "table " + table + " {\n";
  script += "  chain postrouting {\n";
  script += "    type nat hook postrouting priority srcnat; policy accept;\n";
  script += "    " + family + " saddr " + m.pod_subnet + " " + family + " daddr != " + cluster +
            " " + family + " daddr != " + (v6 ? "ff00::/8" : "224.0.0.0/4") + " masquerade\n";
  script += "  }\n";
  // Routed traffic to this node's pods: replies, Services and hostPorts (DNATed here), pods
  // of this bridge and pods of other nodes pass; anything else from outside is dropped.
  script += "  chain forward {\n";
  script += "    type filter hook forward priority filter; policy accept;\n";
  script += "    oifname \"" + m.bridge + "\" " + family + " daddr " + m.pod_subnet +
            " jump guard-pods\n";
  script += "  }\n";
  script += "  chain guard-pods {\n";
  script += "    ct state established,related accept\n";
  script += "    ct status dnat accept\n";
  script += "    iifname \"" + m.bridge + "\" accept\n";
  script += "    " + family + " saddr " + cluster + " accept\n";
  script += "    counter drop\n";
  script += "  }\n}\n";
  return RunNft(m, script, "write");
}

Status RemovePodMasquerade(const PodMasquerade& m) {
  if (Status s = CheckMasquerade(m); !s.ok()) return s;
  const std::string table = std::string(Family(m)) + " " + PodMasqueradeTable(m);
  // Declaring it first makes the delete succeed when it is not there.
  return RunNft(m, "table " + table + " {}\ndelete table " + table + "\n", "delete");
}

}  // namespace skiff::net

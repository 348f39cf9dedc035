// Finds and deletes the per-pod NAT rules the bridge (ipMasq) and portmap plugins create,
// by the comments they put on them:
//   bridge:  'name: "<network>" id: "<sandbox>"'  in POSTROUTING and its CNI-<hash> chain
//   portmap: 'dnat name: "<network>" id: "<sandbox>"' in CNI-HOSTPORT-DNAT -> CNI-DN-<hash>
// The bridge plugin cannot remove its rules when the pod's namespace is already gone (it
// learns the addresses from the interface), so skiff sweeps them itself. The chains every
// pod shares (CNI-HOSTPORT-DNAT, -MASQ, -SETMARK and the jumps to them) are never touched.
// Internal to skiff_cni.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::net {

// One "-A CHAIN ..." line of iptables-save output.
struct SavedRule {
  std::string line;     // as printed
  std::string chain;    // CHAIN
  std::string comment;  // the --comment value, unquoted; empty when none
  std::string target;   // the -j / -g value; empty when none
};

// The rules and the declared chains (":NAME POLICY [..]") of one table's iptables-save text.
struct SavedTable {
  std::vector<SavedRule> rules;
  std::vector<std::string> chains;
};
SavedTable ParseIptablesSave(const std::string& text);

// The sandbox a CNI comment of `network` names, if it is one.
std::optional<std::string> CniCommentOwner(const std::string& comment, const std::string& network);

// iptables-restore --noflush input for the nat table that deletes every rule whose CNI
// comment of `network` names an owner for which `drop` is true, and flushes and deletes the
// per-pod chains (CNI-* but not CNI-HOSTPORT-*) those rules sit in or jump to (with any
// other rule jumping to them). Empty when there is nothing to delete.
std::string BuildNatCleanup(const SavedTable& table, const std::string& network,
                            const std::function<bool(const std::string& owner)>& drop);

struct NatTools {
  bool ipv6 = false;        // ip6tables-save/-restore instead of iptables-*
  std::string search_path;  // PATH used to find them
  std::chrono::milliseconds timeout{30000};
};

// The nat table as iptables-save prints it.
Result<SavedTable> ReadNatTable(const NatTools& tools);

// Reads the nat table, deletes what BuildNatCleanup selects, and retries once when a
// concurrent change made the deletion fail. Returns how many rules and chains it removed.
Result<int> RemoveNatRules(const NatTools& tools, const std::string& network,
                           const std::function<bool(const std::string& owner)>& drop);

}  // namespace skiff::net

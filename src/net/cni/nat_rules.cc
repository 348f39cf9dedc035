#include "net/cni/nat_rules.h"

#include <algorithm>
#include <set>
#include <sstream>

#include "net/cni/process.h"

namespace skiff::net {
namespace {

// Splits an iptables-save rule into words; "..." is one word with \" and \\ unescaped.
std::vector<std::string> Words(const std::string& line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::string w;
    if (line[i] == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        w += line[i];
      }
      ++i;  // the closing quote
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') w += line[i++];
    }
    words.push_back(std::move(w));
  }
  return words;
}

bool IsPerPodChain(const std::string& chain) {
  return chain.rfind("CNI-", 0) == 0 && chain.rfind("CNI-HOSTPORT-", 0) != 0;
}

}  // namespace

SavedTable ParseIptablesSave(const std::string& text) {
  SavedTable table;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind(':', 0) == 0) {
      size_t end = line.find(' ');
      table.chains.push_back(line.substr(1, end == std::string::npos ? end : end - 1));
      continue;
    }
    if (line.rfind("-A ", 0) != 0) continue;
    std::vector<std::string> words = Words(line);
    if (words.size() < 2) continue;
    SavedRule rule;
    rule.line = line;
    rule.chain = words[1];
    for (size_t i = 2; i + 1 < words.size(); ++i) {
      if (words[i] == "--comment") rule.comment = words[i + 1];
      if (words[i] == "-j" || words[i] == "-g") rule.target = words[i + 1];
    }
    table.rules.push_back(std::move(rule));
  }
  return table;
}

std::optional<std::string> CniCommentOwner(const std::string& comment, const std::string& network) {
  std::string rest = comment;
  if (rest.rfind("dnat ", 0) == 0) rest = rest.substr(5);
  const std::string head = "name: \"" + network + "\" id: \"";
  if (rest.size() <= head.size() + 1 || rest.rfind(head, 0) != 0 || rest.back() != '"') {
    return std::nullopt;
  }
  return rest.substr(head.size(), rest.size() - head.size() - 1);
}

std::string BuildNatCleanup(const SavedTable& table, const std::string& network,
                            const std::function<bool(const std::string&)>& drop) {
  const std::set<std::string> declared(table.chains.begin(), table.chains.end());
  std::set<std::string> drop_chains;
  std::vector<bool> remove(table.rules.size(), false);
  for (size_t i = 0; i < table.rules.size(); ++i) {
    const SavedRule& r = table.rules[i];
    std::optional<std::string> owner = CniCommentOwner(r.comment, network);
    if (!owner || !drop(*owner)) continue;
    if (IsPerPodChain(r.chain)) {
      drop_chains.insert(r.chain);
    } else {
      remove[i] = true;
    }
    if (IsPerPodChain(r.target) && declared.count(r.target)) drop_chains.insert(r.target);
  }
  // A chain can only be deleted once nothing jumps to it.
  for (size_t i = 0; i < table.rules.size(); ++i) {
    const SavedRule& r = table.rules[i];
    if (!drop_chains.count(r.chain) && drop_chains.count(r.target)) remove[i] = true;
  }
  std::string out;
  for (size_t i = 0; i < table.rules.size(); ++i) {
    if (remove[i] && !drop_chains.count(table.rules[i].chain)) {
      out += "-D" + table.rules[i].line.substr(2) + "\n";
    }
  }
  for (const std::string& c : drop_chains) out += "-F " + c + "\n-X " + c + "\n";
  if (out.empty()) return out;
  return "*nat\n" + out + "COMMIT\n";
}

namespace {

struct Tools {
  std::string save_name, restore_name, save_path, restore_path;
  std::vector<std::string> env;
};

Result<Tools> Locate(const NatTools& tools) {
  Tools t;
  t.save_name = tools.ipv6 ? "ip6tables-save" : "iptables-save";
  t.restore_name = tools.ipv6 ? "ip6tables-restore" : "iptables-restore";
  Result<std::string> save = FindExecutable(t.save_name, tools.search_path);
  if (!save.ok()) return save.status();
  Result<std::string> restore = FindExecutable(t.restore_name, tools.search_path);
  if (!restore.ok()) return restore.status();
  t.save_path = *save;
  t.restore_path = *restore;
  t.env = {"PATH=" + tools.search_path};
  return t;
}

Result<SavedTable> Save(const Tools& t, const NatTools& tools) {
  ProcessSpec save;
  save.path = t.save_path;
  save.argv = {t.save_name, "-t", "nat"};
  save.env = t.env;
  save.timeout = tools.timeout;
  save.max_output = 64 << 20;
  Result<ProcessOutput> listed = RunProcess(save);
  if (!listed.ok()) return listed.status();
  if (!listed->ok()) {
    return UnavailableError(t.save_name + " -t nat failed: " + DescribeExit(*listed, save) + ": " +
                            listed->err);
  }
  return ParseIptablesSave(listed->out);
}

}  // namespace

Result<SavedTable> ReadNatTable(const NatTools& tools) {
  Result<Tools> t = Locate(tools);
  if (!t.ok()) return t.status();
  return Save(*t, tools);
}

Result<int> RemoveNatRules(const NatTools& tools, const std::string& network,
                           const std::function<bool(const std::string&)>& drop) {
  Result<Tools> t = Locate(tools);
  if (!t.ok()) return t.status();
  Status last;
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<SavedTable> table = Save(*t, tools);
    if (!table.ok()) return table.status();
    std::string script = BuildNatCleanup(*table, network, drop);
    if (script.empty()) return 0;

    ProcessSpec restore;
    restore.path = t->restore_path;
    restore.argv = {t->restore_name, "--noflush", "--wait", "10"};
    restore.env = t->env;
    restore.input = script;
    restore.timeout = tools.timeout;
    Result<ProcessOutput> applied = RunProcess(restore);
    if (!applied.ok()) return applied.status();
    if (applied->ok()) {
      int n = 0;
      std::istringstream lines(script);
      std::string l;
      while (std::getline(lines, l)) n += (l.rfind("-D ", 0) == 0 || l.rfind("-X ", 0) == 0);
      return n;
    }
    last = UnavailableError(t->restore_name + " could not delete the NAT rules of network " +
                            network + ": " + DescribeExit(*applied, restore) + ": " + applied->err +
                            "; input:\n" + script);
  }
  return last;
}

}  // namespace skiff::net

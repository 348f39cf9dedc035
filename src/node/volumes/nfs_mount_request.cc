#include "nfs_mount_request.h"

#include <algorithm>

namespace skiff::node::internal {
namespace {

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\n");
  return s.substr(b, e - b + 1);
}

// "name" of "name=value" (or the whole option).
std::string OptionName(const std::string& option) { return option.substr(0, option.find('=')); }

std::string OptionValue(const std::string& option) {
  const size_t eq = option.find('=');
  return eq == std::string::npos ? "" : option.substr(eq + 1);
}

bool IsIpv6(const std::string& host) { return host.find(':') != std::string::npos; }

std::string Bracketed(const std::string& host) { return IsIpv6(host) ? "[" + host + "]" : host; }

}  // namespace

std::string NfsMountRequest::Endpoint() const {
  return Bracketed(server) + ":" + std::to_string(port);
}

std::string NfsMountRequest::JoinedOptions() const {
  std::string out;
  for (const std::string& o : options) out += (out.empty() ? "" : ",") + o;
  return out;
}

Result<NfsMountRequest> BuildNfsMountRequest(const std::string& server, const std::string& path,
                                             bool read_only,
                                             const std::vector<std::string>& mount_options) {
  NfsMountRequest r;
  r.server = Trim(server);
  if (r.server.size() >= 2 && r.server.front() == '[' && r.server.back() == ']') {
    r.server = r.server.substr(1, r.server.size() - 2);
  }
  if (r.server.empty()) return InvalidArgumentError("nfs.server is empty");
  r.path = path;
  if (r.path.empty() || r.path.front() != '/') {
    return InvalidArgumentError("nfs.path \"" + path + "\" of server " + r.server +
                                " is not an absolute path");
  }
  r.source = Bracketed(r.server) + ":" + r.path;
  r.read_only = read_only;

  bool timeouts_given = false;
  int version = 0;  // 3 or 4 when asked
  for (const std::string& entry : mount_options) {
    size_t start = 0;
    while (start <= entry.size()) {
      size_t comma = entry.find(',', start);
      if (comma == std::string::npos) comma = entry.size();
      const std::string option = Trim(entry.substr(start, comma - start));
      start = comma + 1;
      if (option.empty()) continue;
      const std::string name = OptionName(option);
      if (name == "timeo" || name == "retrans" || name == "retry") timeouts_given = true;
      if (name == "vers" || name == "nfsvers") {
        const std::string v = OptionValue(option);
        if (!v.empty() && v[0] == '4') version = 4;
        if (!v.empty() && v[0] == '3') version = 3;
      }
      if (name == "port") {
        const std::string v = OptionValue(option);
        int port = -1;
        if (!v.empty() && v.size() <= 5 && std::all_of(v.begin(), v.end(), ::isdigit)) {
          port = std::stoi(v);
        }
        if (port < 0 || port > 65535) {
          return InvalidArgumentError("mount option \"" + option + "\" for " + r.source +
                                      " is not a port number");
        }
        // port=0 asks rpcbind; the ping then tries the well-known port.
        if (port > 0) r.port = port;
      }
      if (read_only && option == "rw") continue;
      if (std::find(r.options.begin(), r.options.end(), option) != r.options.end()) continue;
      r.options.push_back(option);
    }
  }
  if (read_only && std::find(r.options.begin(), r.options.end(), "ro") == r.options.end()) {
    r.options.push_back("ro");
  }
  if (!timeouts_given) {
    for (const char* o : {"timeo=100", "retrans=3", "retry=0"}) r.options.push_back(o);
  }
  r.fstype = version == 4 ? "nfs4" : "nfs";
  r.versions = version == 0 ? std::vector<int>{4, 3} : std::vector<int>{version};
  return r;
}

}  // namespace skiff::node::internal

#include "net/dns/upstreams.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "skiff/common/log.h"

namespace skiff::net::dns {

std::string Upstream::ToString() const {
  const std::string a = address.ToString();
  return (address.family == cli::IpFamily::kV6 ? "[" + a + "]" : a) + ":" + std::to_string(port);
}

std::vector<cli::IpAddress> ParseResolvConfNameservers(std::string_view text) {
  std::vector<cli::IpAddress> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (auto c = line.find_first_of("#;"); c != std::string::npos) line.resize(c);
    std::istringstream words(line);
    std::string key, value;
    if (!(words >> key >> value) || key != "nameserver") continue;
    auto ip = cli::ParseIpAddress(value);
    if (ip.ok()) out.push_back(*ip);
  }
  return out;
}

UpstreamList::UpstreamList(UpstreamListOptions options) : options_(std::move(options)) {}

std::shared_ptr<const std::vector<Upstream>> UpstreamList::Get() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!current_ || now >= next_check_) {
    next_check_ = now + options_.recheck;
    Reload();
  }
  return current_ ? current_ : std::make_shared<const std::vector<Upstream>>();
}

void UpstreamList::Reload() {
  struct stat st {};
  if (stat(options_.resolv_conf.c_str(), &st) != 0) {
    if (!current_) {
      log::Warning("dns", "cannot read the upstream resolvers' file",
                   {{"path", options_.resolv_conf}});
      current_ = std::make_shared<const std::vector<Upstream>>();
    }
    return;
  }
  const int64_t mtime = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  if (current_ && mtime == mtime_ns_ && st.st_size == size_) return;
  std::ifstream f(options_.resolv_conf);
  if (!f) return;
  std::stringstream text;
  text << f.rdbuf();
  std::vector<cli::IpAddress> addrs = ParseResolvConfNameservers(text.str());
  if (addrs.empty()) addrs.push_back(cli::ParseIpAddress("127.0.0.1").value());
  auto list = std::make_shared<std::vector<Upstream>>();
  for (const cli::IpAddress& a : addrs) {
    Upstream u{a, options_.port};
    if (std::find(options_.exclude.begin(), options_.exclude.end(), u) != options_.exclude.end()) {
      continue;
    }
    if (std::find(list->begin(), list->end(), u) == list->end()) list->push_back(u);
  }
  mtime_ns_ = mtime;
  size_ = st.st_size;
  std::string names;
  for (const Upstream& u : *list) names += (names.empty() ? "" : ",") + u.ToString();
  log::Info("dns", "upstream resolvers", {{"path", options_.resolv_conf}, {"upstreams", names}});
  current_ = std::move(list);
}

}  // namespace skiff::net::dns

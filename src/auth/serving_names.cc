// ComputeServingNames: the SANs of the API server's certificate.
#include <algorithm>
#include <cctype>

#include "names.h"
#include "skiff/auth/pki.h"

namespace skiff::auth {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

void AddUnique(std::vector<std::string>* list, std::string value) {
  if (std::find(list->begin(), list->end(), value) == list->end()) {
    list->push_back(std::move(value));
  }
}

}  // namespace

Result<ServingNames> ComputeServingNames(const PkiOptions& options) {
  ServingNames out;
  std::vector<std::string> extra_dns;
  std::vector<std::string> extra_ips;
  for (const std::string& san : options.extra_sans) {
    std::string raw;
    if (internal::ParseIp(Trim(san), &raw)) {
      extra_ips.push_back(internal::IpToString(raw));
    } else if (internal::IsDnsName(Trim(san))) {
      extra_dns.push_back(Lower(Trim(san)));
    } else {
      return InvalidArgumentError("invalid extra SAN \"" + san +
                                  "\": not an IP address or a DNS name");
    }
  }

  for (const char* name :
       {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"}) {
    AddUnique(&out.dns, name);
  }
  if (!internal::IsDnsName(options.cluster_domain) ||
      options.cluster_domain.find('*') != std::string::npos) {
    return InvalidArgumentError("invalid cluster domain \"" + options.cluster_domain +
                                "\": not a DNS domain");
  }
  AddUnique(&out.dns, "kubernetes.default.svc." + Lower(options.cluster_domain));
  if (!options.hostname.empty()) {
    if (!internal::IsDnsName(options.hostname) || options.hostname.find('*') != std::string::npos) {
      return InvalidArgumentError("invalid hostname \"" + options.hostname + "\": not a DNS name");
    }
    AddUnique(&out.dns, Lower(options.hostname));
  }
  for (std::string& dns : extra_dns) AddUnique(&out.dns, std::move(dns));

  AddUnique(&out.ips, "127.0.0.1");
  AddUnique(&out.ips, "::1");
  for (const std::string& element : options.service_cidrs) {
    std::string_view rest = element;
    while (true) {
      size_t comma = rest.find(',');
      std::string_view cidr = Trim(rest.substr(0, comma));
      Result<std::string> first = internal::FirstAddressOf(cidr);
      if (!first.ok()) return first.status();
      AddUnique(&out.ips, internal::IpToString(*first));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  for (const std::string& ip : options.node_ips) {
    std::string raw;
    if (!internal::ParseIp(Trim(ip), &raw)) {
      return InvalidArgumentError("invalid node IP \"" + ip + "\": not an IPv4 or IPv6 address");
    }
    AddUnique(&out.ips, internal::IpToString(raw));
  }
  for (std::string& ip : extra_ips) AddUnique(&out.ips, std::move(ip));
  return out;
}

}  // namespace skiff::auth

// Service proxy benchmark: the nftables ruleset for N services of M endpoints each, built and
// applied by the real nft in a private network namespace (never the host's tables): a first
// (full) sync, then a sync after one endpoint of one service changed. The endpoints are spread
// over 100 nodes, as a cluster's would be (the proxy runs on one of them). Needs root.
//
//   proxy_bench [--quick] [--services 1000] [--endpoints 10]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "net/proxy/nft_ruleset.h"

using namespace skiff::net::proxy;
using Clock = std::chrono::steady_clock;

namespace {

// The endpoints are spread over this many nodes (a node runs at most 110 pods); the proxy
// runs on node-0.
constexpr int kNodes = 100;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::vector<ServicePort> Ports(int services, int endpoints, int changed_endpoint) {
  std::vector<ServicePort> out;
  for (int s = 0; s < services; ++s) {
    ServicePort sp;
    sp.ns = "bench";
    sp.name = "svc-" + std::to_string(s);
    sp.cluster_ips = {"10.96." + std::to_string(s / 250) + "." + std::to_string(s % 250 + 1)};
    sp.port = 80;
    for (int e = 0; e < endpoints; ++e) {
      Endpoint ep;
      const int n = s * endpoints + e + (s == 0 && e == 0 ? changed_endpoint : 0);
      ep.ip = "10.200." + std::to_string(n / 250) + "." + std::to_string(n % 250 + 1);
      ep.port = 8080;
      ep.node = "node-" + std::to_string(n % kNodes);
      ep.ready = ep.serving = true;
      sp.endpoints.push_back(ep);
    }
    out.push_back(std::move(sp));
  }
  return out;
}

int Sh(const std::string& cmd) { return std::system(cmd.c_str()); }

}  // namespace

int main(int argc, char** argv) {
  int services = 1000, endpoints = 10;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      services = 100;
    } else if (!std::strcmp(argv[i], "--services") && i + 1 < argc) {
      services = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--endpoints") && i + 1 < argc) {
      endpoints = std::atoi(argv[++i]);
    }
  }
  if (geteuid() != 0) {
    std::fprintf(stderr, "proxy_bench: needs root (a network namespace)\n");
    return 1;
  }
  const std::string ns = "skpxbench-" + std::to_string(getpid());
  if (Sh("ip netns add " + ns) != 0) return 1;
  const std::string script = "/tmp/" + ns + ".nft";
  auto apply = [&](const std::string& text) {
    std::ofstream(script) << text;
    return Sh("ip netns exec " + ns + " nft -f " + script);
  };
  ProxyConfig config;
  config.table = "skiff-proxy-bench";
  config.cluster_cidr = "10.200.0.0/16";
  config.node_name = "node-0";
  int rc = 0;
  {
    auto t0 = Clock::now();
    Ruleset first = BuildRuleset(config, Ports(services, endpoints, 0));
    auto t1 = Clock::now();
    rc |= apply(SyncScript(first, nullptr));
    auto t2 = Clock::now();
    Ruleset second = BuildRuleset(config, Ports(services, endpoints, 100000));
    auto t3 = Clock::now();
    rc |= apply(SyncScript(second, &first));
    auto t4 = Clock::now();
    std::printf("%-44s %d x %d (%zu KB of rules)\n", "services x endpoints", services, endpoints,
                Definition(first).size() / 1024);
    std::printf("%-44s %.1f ms (build %.1f, nft %.1f)\n", "full sync", Ms(t2 - t0),
                Ms(t1 - t0), Ms(t2 - t1));
    std::printf("%-44s %.1f ms (build %.1f, nft %.1f)\n", "one endpoint changed, sync", Ms(t4 - t2),
                Ms(t3 - t2), Ms(t4 - t3));
  }
  std::remove(script.c_str());
  Sh("ip netns del " + ns);
  return rc == 0 ? 0 : 1;
}

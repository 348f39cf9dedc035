// Scheduler decision benchmark: Decide for one pod over 100 nodes (each with some pods), the
// common path (requests, a controller, no inter-pod affinity). Prints decisions per second and
// the time per decision, with the pod parsed from JSON each time and pre-parsed.
//
//   sched_decide_bench [--quick] [--nodes N] [--pods-per-node M]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "scheduler/decide.h"

using nlohmann::json;
using skiff::scheduler::Decide;
using skiff::scheduler::DecideOptions;
using skiff::scheduler::NodeInfo;

namespace {

json MakeNode(int i) {
  std::string name = "node-" + std::to_string(i);
  return {{"metadata",
           {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}, {"arch", "arm64"}}}}},
          {"spec", {{"taints", json::array({{{"key", "spot"}, {"effect", "PreferNoSchedule"}}})}}},
          {"status", {{"allocatable", {{"cpu", "64"}, {"memory", "256Gi"}, {"pods", "250"}}}}}};
}

json MakePod(int i, const std::string& owner) {
  std::string name = "pod-" + std::to_string(i);
  return {{"metadata",
           {{"name", name},
            {"namespace", "default"},
            {"uid", "uid-" + name},
            {"labels", {{"app", owner}}},
            {"ownerReferences",
             json::array({{{"uid", owner}, {"controller", true}, {"kind", "ReplicaSet"}}})}}},
          {"spec",
           {{"nodeSelector", {{"arch", "arm64"}}},
            {"tolerations", json::array({{{"key", "node.kubernetes.io/not-ready"},
                                          {"operator", "Exists"},
                                          {"effect", "NoExecute"}}})},
            {"containers",
             json::array({{{"name", "c"},
                           {"image", "nginx"},
                           {"resources", {{"requests", {{"cpu", "50m"}, {"memory", "64Mi"}}}}},
                           {"ports", json::array({{{"containerPort", 80}}})}}})}}}};
}

double Run(const std::vector<const NodeInfo*>& nodes, const json& pod, int iterations, bool parse) {
  skiff::scheduler::PodInfo info = skiff::scheduler::ParsePodInfo(pod);
  skiff::scheduler::ScoreConfig config;
  size_t sink = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    DecideOptions opt;
    opt.seed = static_cast<uint64_t>(i);
    auto d = parse ? Decide(pod, nodes, config, opt) : Decide(info, nodes, config, opt);
    sink += d.node.size();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (sink == 0) std::printf("(no decisions)\n");
  return secs / iterations;
}

}  // namespace

int main(int argc, char** argv) {
  int node_count = 100, pods_per_node = 20, iterations = 20000;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) iterations = 500;
    if (!std::strcmp(argv[i], "--nodes") && i + 1 < argc) node_count = std::atoi(argv[++i]);
    if (!std::strcmp(argv[i], "--pods-per-node") && i + 1 < argc)
      pods_per_node = std::atoi(argv[++i]);
  }
  std::vector<NodeInfo> nodes;
  nodes.reserve(node_count);
  int n = 0;
  for (int i = 0; i < node_count; ++i) {
    nodes.emplace_back(MakeNode(i));
    for (int j = 0; j < pods_per_node; ++j) {
      nodes.back().AddPod(MakePod(n++, "rs-" + std::to_string(j % 7)));
    }
  }
  std::vector<const NodeInfo*> ptrs;
  for (const NodeInfo& ni : nodes) ptrs.push_back(&ni);
  json pod = MakePod(n, "rs-3");

  double parsed = Run(ptrs, pod, iterations, true);
  double pre = Run(ptrs, pod, iterations, false);
  std::printf("sched_decide_bench: %d nodes, %d pods each\n", node_count, pods_per_node);
  std::printf("  Decide(json):    %8.1f us/decision  %9.0f pods/s\n", parsed * 1e6, 1 / parsed);
  std::printf("  Decide(PodInfo): %8.1f us/decision  %9.0f pods/s\n", pre * 1e6, 1 / pre);
  return 0;
}

// Scheduler throughput and latency benchmark, in process with the real parts: a SQLite store
// in a temporary directory, the API's Resources, the LocalClient, shared informers and the
// Scheduler (events included), on hollow Node objects.
//
// 1. Throughput: N pending pods exist before the scheduler starts; prints pods bound per
//    second until the last one is bound (as the "10,000 pending pods").
// 2. Latency at steady load: pods created at a fixed rate from several threads while the
//    scheduler runs; prints p50/p99 from each pod's creation to its binding being observed by
//    an informer (what a controller or kubelet would see).
// Also prints the process's resident memory at the end.
//
//   sched_bench [--quick] [--nodes 100] [--pods 10000] [--rate 1000] [--steady-pods 5000]
//               [--dir DIR]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/resources.h"
#include "client/local_client.h"
#include "events/event_recorder.h"
#include "scheduler/scheduler.h"
#include "skiff/client/informer.h"
#include "skiff/store/sqlite_store.h"

using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace client = skiff::client;

namespace {

struct Args {
  int nodes = 100;
  int pods = 10000;
  int rate = 1000;
  int steady_pods = 5000;
  std::string dir = "/tmp";
};

long RssKb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

json Node(int i) {
  const std::string name = "hollow-" + std::to_string(i);
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
          {"spec", json::object()}};
}

json NodeStatus() {
  return {{"status",
           {{"capacity", {{"cpu", "64"}, {"memory", "256Gi"}, {"pods", "250"}}},
            {"allocatable", {{"cpu", "64"}, {"memory", "256Gi"}, {"pods", "250"}}},
            {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

json Pod(const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", {{"name", name}, {"labels", {{"app", "bench"}}}}},
          {"spec",
           {{"containers",
             {{{"name", "c"},
               {"image", "busybox"},
               {"resources", {{"requests", {{"cpu", "10m"}, {"memory", "16Mi"}}}}}}}}}}};
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// Creates pods name-<from>..name-<to-1> from `threads` threads; when `rate` > 0, paced so that
// pods are created at that many per second overall. Records each creation time.
void CreatePods(client::Client& c, const std::string& prefix, int from, int to, int threads,
                int rate, std::unordered_map<std::string, Clock::time_point>* created,
                std::mutex* mu) {
  std::atomic<int> next{from};
  const auto start = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&] {
      for (int i = next++; i < to; i = next++) {
        if (rate > 0) {
          std::this_thread::sleep_until(start + std::chrono::microseconds(
                                                    int64_t{1000000} * (i - from) / rate));
        }
        const std::string name = prefix + std::to_string(i);
        const auto at = Clock::now();
        auto r = c.Create(client::Pods(), "default", Pod(name));
        if (!r.ok()) {
          std::fprintf(stderr, "create %s: %s\n", name.c_str(), r.status().ToString().c_str());
          std::exit(1);
        }
        std::lock_guard lock(*mu);
        (*created)[name] = at;
      }
    });
  }
  for (auto& t : ts) t.join();
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (f == "--quick") {
      a.pods = 1000;
      a.steady_pods = 500;
      a.nodes = 20;
    } else if (f == "--nodes") {
      a.nodes = std::stoi(next());
    } else if (f == "--pods") {
      a.pods = std::stoi(next());
    } else if (f == "--rate") {
      a.rate = std::stoi(next());
    } else if (f == "--steady-pods") {
      a.steady_pods = std::stoi(next());
    } else if (f == "--dir") {
      a.dir = next();
    } else {
      std::fprintf(stderr, "usage: sched_bench [--quick] [--nodes N] [--pods N] [--rate N] "
                           "[--steady-pods N] [--dir DIR]\n");
      return 2;
    }
  }
  char tmpl[4096];
  std::snprintf(tmpl, sizeof tmpl, "%s/skiff-sched-bench-XXXXXX", a.dir.c_str());
  if (!mkdtemp(tmpl)) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string dir = tmpl;

  skiff::store::SqliteStoreOptions so;
  so.path = dir + "/state.db";
  auto store = skiff::store::OpenSqliteStore(so);
  if (!store.ok()) {
    std::fprintf(stderr, "store: %s\n", store.status().ToString().c_str());
    return 1;
  }
  skiff::api::Resources resources(**store, skiff::apis::Registry::Builtin());
  client::LocalClient c(resources);
  (void)c.Create(client::Namespaces(), "", {{"metadata", {{"name", "default"}}}});
  for (int i = 0; i < a.nodes; ++i) {
    const json node = Node(i);
    if (!c.Create(client::Nodes(), "", node).ok() ||
        !c.MergePatch(client::Nodes(), "", node["metadata"]["name"], NodeStatus(), "status")
             .ok()) {
      std::fprintf(stderr, "cannot create the nodes\n");
      return 1;
    }
  }

  // Phase 1: a backlog of pending pods, then the scheduler.
  std::mutex mu;
  std::unordered_map<std::string, Clock::time_point> created;
  std::unordered_map<std::string, Clock::time_point> bound_at;
  CreatePods(c, "backlog-", 0, a.pods, 16, 0, &created, &mu);

  client::SharedInformerFactory informers(c);
  skiff::events::EventRecorder events(c, {"default-scheduler", ""});
  skiff::scheduler::Scheduler scheduler(c, informers, events);
  client::EventHandler seen;
  seen.on_update = [&](const client::ObjectPtr& old_pod, const client::ObjectPtr& pod) {
    if (old_pod->at("spec").contains("nodeName") || !pod->at("spec").contains("nodeName")) return;
    const auto now = Clock::now();
    std::lock_guard lock(mu);
    bound_at.emplace(pod->at("metadata").at("name").get<std::string>(), now);
  };
  informers.For(client::Pods()).AddHandler(seen);
  informers.Start();
  if (!informers.WaitForSync(std::chrono::minutes(2))) {
    std::fprintf(stderr, "informers did not sync\n");
    return 1;
  }
  const auto start = Clock::now();
  scheduler.Start();
  while (scheduler.bound() < static_cast<uint64_t>(a.pods)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (Clock::now() - start > std::chrono::minutes(5)) {
      std::fprintf(stderr, "only %llu of %d pods bound after 5 minutes\n",
                   static_cast<unsigned long long>(scheduler.bound()), a.pods);
      return 1;
    }
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("nodes                              %d\n", a.nodes);
  std::printf("backlog of pending pods            %d\n", a.pods);
  std::printf("backlog bound in                   %.2f s\n", secs);
  std::printf("pods bound per second              %.0f\n", a.pods / secs);

  // Phase 2: steady load.
  const uint64_t before = scheduler.bound();
  {
    std::lock_guard lock(mu);
    created.clear();
    bound_at.clear();
  }
  CreatePods(c, "steady-", 0, a.steady_pods, 8, a.rate, &created, &mu);
  while (scheduler.bound() < before + static_cast<uint64_t>(a.steady_pods)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // The informer hears of the last bindings a moment after the scheduler counts them.
  for (int i = 0; i < 5000; ++i) {
    {
      std::lock_guard lock(mu);
      if (bound_at.size() >= static_cast<size_t>(a.steady_pods)) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::vector<double> ms;
  {
    std::lock_guard lock(mu);
    for (const auto& [name, at] : created) {
      auto it = bound_at.find(name);
      if (it != bound_at.end()) {
        ms.push_back(std::chrono::duration<double, std::milli>(it->second - at).count());
      }
    }
  }
  std::printf("steady load                        %d pods at %d/s\n", a.steady_pods, a.rate);
  std::printf("create-to-bind p50 / p99 / max     %.1f / %.1f / %.1f ms (%zu observed)\n",
              Percentile(ms, 0.5), Percentile(ms, 0.99), Percentile(ms, 1.0), ms.size());
  std::printf("resident memory                    %.1f MB\n", RssKb() / 1024.0);
  scheduler.Stop();
  informers.Stop();
  std::string rm = "rm -rf '" + dir + "'";
  return std::system(rm.c_str()) == 0 ? 0 : 1;
}

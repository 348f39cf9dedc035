// API server benchmark: starts a real `skiff server` on loopback and measures its Kubernetes
// API over HTTPS with persistent keep-alive connections (one per client thread).
//   api_bench [--skiff PATH] [--dir DIR] [--quick]
// PATH is the skiff binary (default ./build/skiff); DIR (default /var/tmp) holds the server's
// temporary data directory, so it should be on the disk under test (the store fsyncs).
// --quick scales the counts down about 10x (the CTest smoke run). Prints a table of figures
// beside the targets; a failed request fails the run (exit 1), a missed target does not.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "api_bench_https.h"
#include "api_bench_server.h"

namespace {

using skiff::bench::HttpsConnection;
using skiff::bench::SkiffServer;
using Clock = std::chrono::steady_clock;

constexpr char kNamespace[] = "bench";
constexpr char kTableAccept[] = "application/json;as=Table;v=v1;g=meta.k8s.io";

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Nearest-rank percentile of `v` (sorted in place); p in (0, 1].
double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

std::string Num(double v, int decimals = 0) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, std::fabs(v));
  std::string digits = buf;
  size_t int_len = std::min(digits.find('.'), digits.size());
  std::string out = v < 0 ? "-" : "";
  for (size_t i = 0; i < int_len; ++i) {
    if (i > 0 && (int_len - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  out.append(digits, int_len, std::string::npos);
  return out;
}

std::string PodName(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "pod-%05d", i);
  return buf;
}

// A small, realistic pod: one container with image, ports, env and resources.
std::string PodJson(int i) {
  std::string name = PodName(i);
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
         R"(","labels":{"app":"bench","tier":"web","shard":")" + std::to_string(i % 8) +
         R"("}},"spec":{"containers":[{"name":"web","image":"registry.example.com/bench/web:1.4.2",)"
         R"("ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],)"
         R"("env":[{"name":"LOG_LEVEL","value":"info"},{"name":"POD_INDEX","value":")" +
         std::to_string(i) +
         R"("}],"resources":{"requests":{"cpu":"100m","memory":"64Mi"},)"
         R"("limits":{"cpu":"250m","memory":"128Mi"}}}],"restartPolicy":"Always",)"
         R"("terminationGracePeriodSeconds":10}})";
}

std::string ConfigMapName(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "watch-%05d", i);
  return buf;
}

std::string ConfigMapJson(int i) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + ConfigMapName(i) +
         R"("},"data":{"index":")" + std::to_string(i) + R"("}})";
}

struct Scale {
  int clients = 16;
  int list_pods = 1000;  // pods created by the create run, then listed
  int gets = 20000;      // total GETs across all clients
  int list_runs = 21;    // per representation
  int watchers = 10;
  int watch_events = 200;   // configmaps created while the watchers watch
  double watch_rate = 200;  // creates per second during the watch run
  int total_pods = 10000;   // pods stored for the memory figure
};

struct Row {
  std::string figure, measured, target, verdict;
};

// One benchmark run against one server. Methods return false after printing the failure.
class ApiBench {
 public:
  ApiBench(SkiffServer& server, Scale scale, bool quick)
      : server_(server), scale_(scale), quick_(quick) {}

  bool Run();
  void PrintTable() const;

 private:
  using Op = std::function<bool(HttpsConnection&, int, std::string*)>;

  std::unique_ptr<HttpsConnection> NewConnection() const {
    return std::make_unique<HttpsConnection>(server_.tls(), server_.host(), server_.port());
  }
  struct RunStats {
    int ops = 0;
    double seconds = 0;
    std::vector<double> latencies_ms;  // one per operation
    double server_cpu = 0;             // seconds of CPU the server used meanwhile
    double client_cpu = 0;             // and this benchmark process
  };
  // Runs op(conn, i) for i in [0, n) on the client threads.
  bool Parallel(int n, const Op& op, RunStats* stats);
  // "server N us, client M us": CPU time per operation of a run.
  static std::string CpuPerOp(const RunStats& s);
  // Sends one request and checks its status; on a mismatch or transport error sets *error.
  static bool Expect(HttpsConnection& c, const std::string& method, const std::string& target,
                     const std::string& body, int want, std::string* error,
                     std::string* response = nullptr, const char* accept = "application/json");
  bool Fail(const std::string& what) {
    std::fprintf(stderr, "api_bench: FAILED: %s\n", what.c_str());
    return false;
  }
  void Add(std::string figure, std::string measured, std::string target = "-",
           std::string verdict = "") {
    rows_.push_back(
        {std::move(figure), std::move(measured), std::move(target), std::move(verdict)});
  }
  static std::string Verdict(bool met) { return met ? "met" : "MISSED"; }

  bool Setup();
  bool Creates();
  bool Gets();
  bool Lists();
  bool WatchLatency();
  bool MemoryWithObjects();
  // The resourceVersion of a collection (from a one-item list).
  bool CollectionVersion(const std::string& path, std::string* rv);

  SkiffServer& server_;
  Scale scale_;
  bool quick_;
  std::vector<std::unique_ptr<HttpsConnection>> clients_;
  std::vector<Row> rows_;
};

bool ApiBench::Expect(HttpsConnection& c, const std::string& method, const std::string& target,
                      const std::string& body, int want, std::string* error, std::string* response,
                      const char* accept) {
  auto r = c.Request(method, target, body, accept);
  if (!r) {
    *error = method + " " + target + ": " + c.error();
    return false;
  }
  if (r->status != want) {
    *error = method + " " + target + ": HTTP " + std::to_string(r->status) + " (want " +
             std::to_string(want) + "): " + r->body.substr(0, 400);
    return false;
  }
  if (response) *response = std::move(r->body);
  return true;
}

double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

std::string ApiBench::CpuPerOp(const RunStats& s) {
  double n = std::max(1, s.ops);
  return "server " + Num(s.server_cpu / n * 1e6) + " us, client " + Num(s.client_cpu / n * 1e6) +
         " us";
}

bool ApiBench::Parallel(int n, const Op& op, RunStats* stats) {
  const int threads = static_cast<int>(clients_.size());
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::string first_error;
  std::vector<std::vector<double>> lat(static_cast<size_t>(threads));
  std::vector<std::thread> ts;
  double server_cpu0 = server_.CpuSeconds(), client_cpu0 = ProcessCpuSeconds();
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      auto& mine = lat[static_cast<size_t>(t)];
      mine.reserve(static_cast<size_t>(n / threads + 1));
      std::string error;
      for (int i = next++; i < n && !failed.load(std::memory_order_relaxed); i = next++) {
        auto t0 = Clock::now();
        if (!op(*clients_[static_cast<size_t>(t)], i, &error)) {
          std::lock_guard<std::mutex> l(mu);
          if (!failed.exchange(true)) first_error = error;
          return;
        }
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
    });
  }
  for (auto& t : ts) t.join();
  stats->seconds = Seconds(Clock::now() - start);
  stats->server_cpu = server_.CpuSeconds() - server_cpu0;
  stats->client_cpu = ProcessCpuSeconds() - client_cpu0;
  if (failed) return Fail(first_error);
  stats->ops = n;
  stats->latencies_ms.clear();
  for (auto& v : lat) stats->latencies_ms.insert(stats->latencies_ms.end(), v.begin(), v.end());
  return true;
}

bool ApiBench::CollectionVersion(const std::string& path, std::string* rv) {
  auto c = NewConnection();
  std::string error, body;
  if (!Expect(*c, "GET", path + "?limit=1", "", 200, &error, &body)) return Fail(error);
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.contains("metadata") ||
      !j["metadata"].value("resourceVersion", std::string()).size()) {
    return Fail("GET " + path + ": no metadata.resourceVersion in the list");
  }
  *rv = j["metadata"]["resourceVersion"].get<std::string>();
  return true;
}

bool ApiBench::Setup() {
  for (int i = 0; i < scale_.clients; ++i) {
    clients_.push_back(NewConnection());
    if (!clients_.back()->Connect()) return Fail("connect: " + clients_.back()->error());
  }
  std::string error;
  std::string ns = std::string(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")") +
                   kNamespace + R"("}})";
  if (!Expect(*clients_[0], "POST", "/api/v1/namespaces", ns, 201, &error)) return Fail(error);
  return true;
}

bool ApiBench::Creates() {
  const std::string path = std::string("/api/v1/namespaces/") + kNamespace + "/pods";
  RunStats st;
  std::fprintf(stderr, "creating %d pods with %d clients...\n", scale_.list_pods, scale_.clients);
  bool ok = Parallel(
      scale_.list_pods,
      [&](HttpsConnection& c, int i, std::string* e) {
        return Expect(c, "POST", path, PodJson(i), 201, e);
      },
      &st);
  if (!ok) return false;
  double rate = scale_.list_pods / st.seconds;
  double p50 = Percentile(st.latencies_ms, 0.50), p99 = Percentile(st.latencies_ms, 0.99);
  Add("pod creates/s, " + std::to_string(scale_.clients) + " clients (" + Num(scale_.list_pods) +
          " pods)",
      Num(rate) + " /s", ">= 2,000 /s", Verdict(rate >= 2000));
  Add("  create latency p50 / p99", Num(p50, 1) + " / " + Num(p99, 1) + " ms", "p99 < 50 ms",
      Verdict(p99 < 50));
  Add("  CPU per create", CpuPerOp(st));
  return true;
}

bool ApiBench::Gets() {
  const std::string prefix = std::string("/api/v1/namespaces/") + kNamespace + "/pods/";
  RunStats st;
  std::fprintf(stderr, "getting pods, %d requests with %d clients...\n", scale_.gets,
               scale_.clients);
  bool ok = Parallel(
      scale_.gets,
      [&](HttpsConnection& c, int i, std::string* e) {
        int pod = static_cast<int>((static_cast<long long>(i) * 7919) % scale_.list_pods);
        return Expect(c, "GET", prefix + PodName(pod), "", 200, e);
      },
      &st);
  if (!ok) return false;
  double p50 = Percentile(st.latencies_ms, 0.50), p99 = Percentile(st.latencies_ms, 0.99);
  Add("pod gets/s, " + std::to_string(scale_.clients) + " clients (one pod each)",
      Num(scale_.gets / st.seconds) + " /s");
  Add("  get latency p50 / p99", Num(p50, 2) + " / " + Num(p99, 2) + " ms");
  Add("  CPU per get", CpuPerOp(st));
  return true;
}

bool ApiBench::Lists() {
  const std::string path = std::string("/api/v1/namespaces/") + kNamespace + "/pods";
  std::fprintf(stderr, "listing %d pods, %d times as JSON and as a Table...\n", scale_.list_pods,
               scale_.list_runs);
  auto& c = *clients_[0];
  struct Kind {
    const char* name;
    const char* accept;
    const char* items;
  };
  for (const Kind& k :
       {Kind{"JSON", "application/json", "items"}, Kind{"Table", kTableAccept, "rows"}}) {
    std::vector<double> ms;
    std::string body, error;
    for (int run = 0; run < scale_.list_runs; ++run) {
      auto t0 = Clock::now();
      if (!Expect(c, "GET", path, "", 200, &error, &body, k.accept)) return Fail(error);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (run == 0) {  // check the answer once, outside the timing
        auto j = nlohmann::json::parse(body, nullptr, false);
        size_t n = !j.is_discarded() && j.contains(k.items) && j[k.items].is_array()
                       ? j[k.items].size()
                       : 0;
        if (n != static_cast<size_t>(scale_.list_pods)) {
          return Fail("GET " + path + " as " + k.name + ": " + std::to_string(n) + " " + k.items +
                      ", want " + std::to_string(scale_.list_pods));
        }
      }
    }
    Add(std::string("list ") + Num(scale_.list_pods) + " pods as " + k.name + " (" +
            Num(static_cast<double>(body.size()) / 1024.0) + " KiB), median",
        Num(Percentile(ms, 0.5), 1) + " ms");
  }
  return true;
}

// Reads watch events on its own connection, timing each line's arrival.
class Watcher {
 public:
  Watcher(std::unique_ptr<HttpsConnection> conn, std::string target)
      : conn_(std::move(conn)), target_(std::move(target)) {}

  // Opens the stream (on the caller's thread); false with error() on failure.
  bool Open() {
    int status = conn_->StartStream(target_);
    if (status != 200) {
      error_ = "GET " + target_ + ": " +
               (status == 0 ? conn_->error() : "HTTP " + std::to_string(status));
      return false;
    }
    return true;
  }
  // Starts reading events on a thread; on_event(line, arrival_ns) returns false to fail.
  void Start(std::function<bool(const std::string&, int64_t)> on_event) {
    thread_ = std::thread([this, on_event = std::move(on_event)] {
      std::string line;
      while (!stop_.load()) {
        if (conn_->ReadLine(&line, std::chrono::milliseconds(100))) {
          int64_t t = NowNs();
          if (line.empty()) continue;
          if (!on_event(line, t)) {
            error_ = "unexpected watch event: " + line.substr(0, 300);
            failed_ = true;
            return;
          }
          events_++;
        } else if (!conn_->timed_out()) {
          if (!stop_.load()) {
            error_ = "watch " + target_ + " ended: " + conn_->error();
            failed_ = true;
          }
          return;
        }
      }
    });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    conn_->Close();
  }
  ~Watcher() { Stop(); }
  int events() const { return events_.load(); }
  bool failed() const { return failed_.load(); }
  const std::string& error() const { return error_; }

 private:
  std::unique_ptr<HttpsConnection> conn_;
  std::string target_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::atomic<int> events_{0};
  std::string error_;
};

// Waits until every watcher has seen `want` events; false (with *error) on failure/timeout.
bool AwaitEvents(std::vector<std::unique_ptr<Watcher>>& ws, int want, std::chrono::seconds limit,
                 std::string* error) {
  auto deadline = Clock::now() + limit;
  for (;;) {
    bool all = true;
    for (auto& w : ws) {
      if (w->failed()) {
        *error = w->error();
        return false;
      }
      all = all && w->events() >= want;
    }
    if (all) return true;
    if (Clock::now() > deadline) {
      int least = want;
      for (auto& w : ws) least = std::min(least, w->events());
      *error = "a watcher saw only " + std::to_string(least) + " of " + std::to_string(want) +
               " events within " + std::to_string(limit.count()) + " s";
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool ApiBench::WatchLatency() {
  const std::string path = std::string("/api/v1/namespaces/") + kNamespace + "/configmaps";
  const int n = scale_.watch_events;
  std::fprintf(stderr, "watch latency: %d watchers, %d creates at %.0f/s...\n", scale_.watchers, n,
               scale_.watch_rate);
  std::string rv;
  if (!CollectionVersion(path, &rv)) return false;

  std::vector<std::atomic<int64_t>> sent(static_cast<size_t>(n));
  for (auto& s : sent) s.store(0);
  std::mutex mu;
  std::vector<double> lat_ms;
  std::vector<std::unique_ptr<Watcher>> ws;
  for (int w = 0; w < scale_.watchers; ++w) {
    ws.push_back(
        std::make_unique<Watcher>(NewConnection(), path + "?watch=true&resourceVersion=" + rv));
    if (!ws.back()->Open()) return Fail(ws.back()->error());
  }
  const std::string prefix = "watch-";
  for (auto& w : ws) {
    w->Start([&](const std::string& line, int64_t arrived) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || j.value("type", "") != "ADDED" || !j.contains("object")) {
        return false;
      }
      std::string name = j["object"]["metadata"].value("name", "");
      if (name.rfind(prefix, 0) != 0) return false;
      int i = std::atoi(name.c_str() + prefix.size());
      if (i < 0 || i >= n) return false;
      int64_t t0 = sent[static_cast<size_t>(i)].load(std::memory_order_acquire);
      if (t0 == 0) return false;
      std::lock_guard<std::mutex> l(mu);
      lat_ms.push_back(static_cast<double>(arrived - t0) / 1e6);
      return true;
    });
  }

  auto& c = *clients_[0];
  std::string error;
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    std::this_thread::sleep_until(start +
                                  std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(i / scale_.watch_rate)));
    std::string body = ConfigMapJson(i);
    sent[static_cast<size_t>(i)].store(NowNs(), std::memory_order_release);
    if (!Expect(c, "POST", path, body, 201, &error)) return Fail(error);
  }
  if (!AwaitEvents(ws, n, std::chrono::seconds(30), &error)) return Fail(error);
  for (auto& w : ws) w->Stop();
  std::lock_guard<std::mutex> l(mu);
  double p50 = Percentile(lat_ms, 0.5), p99 = Percentile(lat_ms, 0.99);
  Add("watch event latency, " + std::to_string(scale_.watchers) + " watchers x " +
          std::to_string(n) + " creates at " + Num(scale_.watch_rate) + "/s, p50 / p99",
      Num(p50, 2) + " / " + Num(p99, 2) + " ms");
  return true;
}

bool ApiBench::MemoryWithObjects() {
  const std::string path = std::string("/api/v1/namespaces/") + kNamespace + "/pods";
  const int more = scale_.total_pods - scale_.list_pods;
  std::fprintf(stderr, "memory: %d pod watchers open, creating %d more pods (%d in all)...\n",
               scale_.watchers, more, scale_.total_pods);
  std::string rv;
  if (!CollectionVersion(path, &rv)) return false;
  std::vector<std::unique_ptr<Watcher>> ws;
  for (int w = 0; w < scale_.watchers; ++w) {
    ws.push_back(
        std::make_unique<Watcher>(NewConnection(), path + "?watch=true&resourceVersion=" + rv));
    if (!ws.back()->Open()) return Fail(ws.back()->error());
  }
  for (auto& w : ws) {
    w->Start([](const std::string& line, int64_t) {
      return line.compare(0, 16, R"({"type":"ADDED",)") == 0;
    });
  }

  // Sample the server's RSS while the pods go in, for the peak.
  std::atomic<bool> sampling{true};
  double peak = server_.RssMiB();
  std::thread sampler([&] {
    while (sampling.load()) {
      peak = std::max(peak, server_.RssMiB());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  RunStats st;
  bool ok = Parallel(
      more,
      [&](HttpsConnection& c, int i, std::string* e) {
        return Expect(c, "POST", path, PodJson(scale_.list_pods + i), 201, e);
      },
      &st);
  std::string error;
  if (ok && !AwaitEvents(ws, more, std::chrono::seconds(60), &error)) ok = Fail(error);
  sampling = false;
  sampler.join();
  if (!ok) return false;
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let the server settle
  double rss = server_.RssMiB();
  peak = std::max(peak, rss);
  double rate = more / st.seconds;
  Add("pod creates/s, " + std::to_string(scale_.clients) + " clients, " +
          std::to_string(scale_.watchers) + " pod watchers (" + Num(more) + " pods)",
      Num(rate) + " /s");
  Add("  create latency p50 / p99", Num(Percentile(st.latencies_ms, 0.5), 1) + " / " +
                                        Num(Percentile(st.latencies_ms, 0.99), 1) + " ms");
  Add("  CPU per create (with the watch streams)", CpuPerOp(st));
  std::string label = "server RSS, " + Num(scale_.total_pods) + " pods + " +
                      std::to_string(scale_.watchers) + " watchers open";
  if (quick_) {
    Add(label, Num(rss, 1) + " MB", "< 80 MB at 10,000", "n/a (quick)");
  } else {
    Add(label, Num(rss, 1) + " MB", "< 80 MB", Verdict(rss < 80));
  }
  Add("  peak RSS while creating", Num(peak, 1) + " MB");
  for (auto& w : ws) w->Stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  Add("  RSS after closing the watchers", Num(server_.RssMiB(), 1) + " MB");
  return true;
}

bool ApiBench::Run() {
  std::this_thread::sleep_for(std::chrono::seconds(1));  // let start-up work finish
  double idle = server_.RssMiB();
  Add("server RSS, idle (1 s after ready)", Num(idle, 1) + " MB", "< 20 MB", Verdict(idle < 20));
  return Setup() && Creates() && Gets() && Lists() && WatchLatency() && MemoryWithObjects();
}

void ApiBench::PrintTable() const {
  const Row header{"figure", "measured", "target", ""};
  size_t w[3] = {header.figure.size(), header.measured.size(), header.target.size()};
  for (const Row& r : rows_) {
    w[0] = std::max(w[0], r.figure.size());
    w[1] = std::max(w[1], r.measured.size());
    w[2] = std::max(w[2], r.target.size());
  }
  auto print = [&](const Row& r) {
    std::printf("  %-*s  %*s  %-*s  %s\n", static_cast<int>(w[0]), r.figure.c_str(),
                static_cast<int>(w[1]), r.measured.c_str(), static_cast<int>(w[2]),
                r.target.c_str(), r.verdict.c_str());
  };
  print(header);
  std::printf("  %s\n", std::string(w[0] + w[1] + w[2] + 12, '-').c_str());
  for (const Row& r : rows_) print(r);
}

}  // namespace

int main(int argc, char** argv) {
  std::string skiff = "./build/skiff";
  std::string dir = "/var/tmp";
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--skiff") && i + 1 < argc) {
      skiff = argv[++i];
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else if (!std::strcmp(argv[i], "--quick")) {
      quick = true;
    } else {
      std::fprintf(stderr, "usage: %s [--skiff PATH] [--dir DIR] [--quick]\n", argv[0]);
      return 2;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);  // a closed connection is an error return, not a signal

  // Ctrl-C / SIGTERM: one thread takes the signal and kills the server, so the requests in
  // flight fail and the run ends through the normal cleanup (server stopped, directory removed).
  struct Interrupt {
    std::atomic<pid_t> server{0};
    std::atomic<bool> received{false};
  };
  auto interrupt = std::make_shared<Interrupt>();
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stop_signals, s);
  ::pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // before any thread starts
  std::thread([interrupt, stop_signals] {
    int sig = 0;
    if (::sigwait(&stop_signals, &sig) != 0) return;
    interrupt->received = true;
    std::fprintf(stderr, "api_bench: interrupted (signal %d); stopping\n", sig);
    if (pid_t p = interrupt->server.load(); p > 0) ::kill(p, SIGKILL);
  }).detach();

  Scale scale;
  if (quick) {
    scale.list_pods = 100;
    scale.gets = 2000;
    scale.list_runs = 5;
    scale.watch_events = 20;
    scale.total_pods = 1000;
  }

  SkiffServer server(skiff, dir);
  std::string error;
  if (!server.Start(std::chrono::seconds(60), &error)) {
    std::fprintf(stderr, "api_bench: FAILED: %s\n", error.c_str());
    return 1;
  }
  interrupt->server = server.pid();
  if (interrupt->received) return 1;
  std::printf("skiff API benchmark%s: %s, pid %d, https://%s:%d, %d clients, %u CPUs\n",
              quick ? " (--quick: counts scaled down 10x)" : "", skiff.c_str(),
              static_cast<int>(server.pid()), server.host().c_str(), server.port(), scale.clients,
              std::thread::hardware_concurrency());
  std::fflush(stdout);

  ApiBench bench(server, scale, quick);
  bool ok = bench.Run() && !interrupt->received;
  bench.PrintTable();
  if (!ok) {
    std::fprintf(stderr, "api_bench: the server's log ends:\n%s\n", server.LogTail(10).c_str());
  }
  if (!server.Stop()) std::fprintf(stderr, "api_bench: the server ignored SIGTERM; killed it\n");
  return ok ? 0 : 1;
}

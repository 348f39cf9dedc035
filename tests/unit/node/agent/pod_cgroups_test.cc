// PodCgroups against the host's real cgroup hierarchies, under a root of the test's own.
#include "node/agent/pod_cgroups.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

using skiff::node::PodCgroups;

namespace {

bool IsDir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The cgroup of `pid` in the hierarchy mounted at `top` (from /proc/<pid>/cgroup).
std::string CgroupIn(pid_t pid, const std::string& top) {
  // A v1 hierarchy's line names its controllers (or name=...), the unified one has none.
  std::string key;
  std::string base = top.substr(top.find_last_of('/') + 1);
  std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
  for (std::string line; std::getline(in, line);) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    std::string controllers = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    bool unified = controllers.empty();
    if ((unified && base == "unified") || (!unified && (controllers == base ||
                                                        controllers == "name=" + base))) {
      return path;
    }
  }
  return "?";
}

// A child process that sleeps until killed; reaped at the end.
class Sleeper {
 public:
  Sleeper() {
    pid_ = ::fork();
    if (pid_ == 0) {
      ::pause();
      ::_exit(0);
    }
  }
  ~Sleeper() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

// Removes everything under the test's root in every hierarchy, whatever a test left.
class RootGuard {
 public:
  RootGuard(std::vector<std::string> tops, std::string root)
      : tops_(std::move(tops)), root_(std::move(root)) {}
  ~RootGuard() {
    for (const auto& top : tops_) {
      for (const char* rel : {"/shims", "/podA/c1", "/podA", "/podB", ""}) {
        for (int i = 0; i < 50 && ::rmdir((top + root_ + rel).c_str()) != 0 && errno == EBUSY; ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
    }
  }

 private:
  std::vector<std::string> tops_;
  std::string root_;
};

}  // namespace

TEST_CASE("the hierarchies are every cgroup and cgroup2 mount") {
  char path[] = "/tmp/skiff-mounts-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(path) << "tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0\n"
                      << "cgroup /sys/fs/cgroup/cpu cgroup rw,relatime,cpu 0 0\n"
                      << "cgroup /sys/fs/cgroup/systemd cgroup rw,name=systemd 0 0\n"
                      << "cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0\n"
                      << "proc /proc proc rw 0 0\n";
  CHECK(PodCgroups::MountedHierarchies(path) ==
        std::vector<std::string>{"/sys/fs/cgroup/cpu", "/sys/fs/cgroup/systemd",
                                 "/sys/fs/cgroup/unified"});
  ::unlink(path);
}

TEST_CASE("a shim moved to <root>/shims is there in every hierarchy, its children follow") {
  const auto tops = PodCgroups::MountedHierarchies();
  REQUIRE_FALSE(tops.empty());
  const std::string root = "/skiff-test-cg-" + std::to_string(::getpid());
  RootGuard guard(tops, root);
  PodCgroups cgroups(tops, root);
  Sleeper shim;
  REQUIRE(cgroups.MoveToShims(shim.pid()).ok());
  for (const auto& top : tops) {
    INFO(top);
    CHECK(CgroupIn(shim.pid(), top) == root + "/shims");
    CHECK(CgroupIn(::getpid(), top) != root + "/shims");  // only the process itself moved
  }
  // Moving again (an adopted shim) changes nothing and succeeds.
  CHECK(cgroups.MoveToShims(shim.pid()).ok());
  // A process that is gone is an error naming it.
  auto gone = cgroups.MoveToShims(999999999);
  CHECK_FALSE(gone.ok());
  CHECK_THAT(gone.message(), Catch::Contains("cannot move process 999999999 to " + root + "/shims"));
}

TEST_CASE("a pod's cgroups are removed, orphans only, busy ones kept") {
  const auto tops = PodCgroups::MountedHierarchies();
  const std::string root = "/skiff-test-cg-" + std::to_string(::getpid());
  RootGuard guard(tops, root);
  PodCgroups cgroups(tops, root);
  for (const auto& top : tops) {
    // As runc leaves them after the containers were deleted: the pod's, and an empty child.
    REQUIRE(::mkdir((top + root).c_str(), 0755) == 0);
    REQUIRE(::mkdir((top + root + "/podA").c_str(), 0755) == 0);
    REQUIRE(::mkdir((top + root + "/podA/c1").c_str(), 0755) == 0);
    REQUIRE(::mkdir((top + root + "/podB").c_str(), 0755) == 0);
  }
  // Just made: another skiff's pod being started, perhaps. Left alone by default.
  CHECK(cgroups.RemoveOrphans({"B"}) == 0);
  CHECK(IsDir(tops.front() + root + "/podA"));
  CHECK(cgroups.RemoveOrphans({"B"}, std::chrono::seconds(0)) == 1);
  for (const auto& top : tops) {
    CHECK_FALSE(IsDir(top + root + "/podA"));
    CHECK(IsDir(top + root + "/podB"));
  }

  // A pod cgroup still holding a process stays, and says why.
  Sleeper busy;
  const std::string pids = "/sys/fs/cgroup/pids";
  if (IsDir(pids + root + "/podB")) {
    std::ofstream(pids + root + "/podB/cgroup.procs") << busy.pid() << std::flush;
    auto s = cgroups.RemovePod("B");
    CHECK_FALSE(s.ok());
    CHECK_THAT(s.message(), Catch::Contains("cannot remove the cgroup"));
    CHECK(cgroups.RemoveOrphans({}, std::chrono::seconds(0)) == 0);
    std::ofstream("/sys/fs/cgroup/pids/cgroup.procs") << busy.pid() << std::flush;
  }
  CHECK(cgroups.RemovePod("B").ok());
  CHECK(cgroups.RemovePod("B").ok());  // absent is fine
  for (const auto& top : tops) CHECK_FALSE(IsDir(top + root + "/podB"));
}

namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

// A child process that, once let go, touches `bytes` of fresh memory and then sleeps until
// killed; reaped at the end.
class MemoryHog {
 public:
  explicit MemoryHog(size_t bytes) {
    REQUIRE(::pipe(go_) == 0);
    REQUIRE(::pipe(ready_) == 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      char c;
      if (::read(go_[0], &c, 1) != 1) ::_exit(1);
      std::vector<char> block(bytes, 1);  // every page written
      if (::write(ready_[1], "r", 1) != 1) ::_exit(1);
      ::pause();
      ::_exit(block[bytes / 2]);
    }
  }
  ~MemoryHog() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    for (int fd : {go_[0], go_[1], ready_[0], ready_[1]}) ::close(fd);
  }
  pid_t pid() const { return pid_; }
  // Lets it allocate; returns once it has.
  void Allocate() {
    REQUIRE(::write(go_[1], "g", 1) == 1);
    char c;
    REQUIRE(::read(ready_[0], &c, 1) == 1);
  }

 private:
  pid_t pid_;
  int go_[2], ready_[2];
};

}  // namespace

TEST_CASE("memory working set and processes as cgroup v1 and v2 account them") {
  char tmpl[] = "/tmp/skiff-cg-usage-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  constexpr int64_t kMi = 1024 * 1024;
  // v1: memory and pids hierarchies (and one without either); v2: the unified one.
  std::filesystem::create_directories(dir + "/cpu/skiff/podA");
  WriteFile(dir + "/memory/skiff/podA/memory.usage_in_bytes", std::to_string(100 * kMi) + "\n");
  WriteFile(dir + "/memory/skiff/podA/memory.stat",
            "cache 8388608\ninactive_file 1\ntotal_cache 8388608\ntotal_inactive_file " +
                std::to_string(4 * kMi) + "\n");
  WriteFile(dir + "/memory/skiff/podA/c1/memory.usage_in_bytes", std::to_string(50 * kMi));
  WriteFile(dir + "/memory/skiff/podA/c1/memory.stat", "total_inactive_file 0\n");
  WriteFile(dir + "/pids/skiff/podA/pids.current", "7\n");
  WriteFile(dir + "/unified/skiff/podB/memory.current", std::to_string(20 * kMi) + "\n");
  WriteFile(dir + "/unified/skiff/podB/memory.stat",
            "anon 100\nfile 2097152\ninactive_file " + std::to_string(kMi) + "\n");
  WriteFile(dir + "/unified/skiff/podB/pids.current", "3\n");
  // Cache beyond usage (a racy read) is no usage, not a negative one.
  WriteFile(dir + "/unified/skiff/podC/memory.current", "4096\n");
  WriteFile(dir + "/unified/skiff/podC/memory.stat", "inactive_file 8192\n");
  PodCgroups cgroups({dir + "/cpu", dir + "/memory", dir + "/pids", dir + "/unified"});

  CHECK(cgroups.MemoryWorkingSet("A") == 96 * kMi);
  CHECK(cgroups.MemoryWorkingSet("A", "c1") == 50 * kMi);
  CHECK(cgroups.Processes("A") == 7);
  CHECK(cgroups.MemoryWorkingSet("B") == 19 * kMi);
  CHECK(cgroups.Processes("B") == 3);
  CHECK(cgroups.MemoryWorkingSet("C") == 0);
  CHECK_FALSE(cgroups.MemoryWorkingSet("D").has_value());
  CHECK_FALSE(cgroups.MemoryWorkingSet("A", "c2").has_value());
  CHECK_FALSE(cgroups.Processes("D").has_value());
  std::filesystem::remove_all(dir);
}

TEST_CASE("a real pod cgroup's working set counts the memory its process touched") {
  const auto tops = PodCgroups::MountedHierarchies();
  const std::string root = "/skiff-test-cg-" + std::to_string(::getpid());
  RootGuard guard(tops, root);
  PodCgroups cgroups(tops, root);
  constexpr size_t kHog = 64 << 20;
  MemoryHog hog(kHog);  // (dies before the guard removes the cgroups)
  bool memory = false, pids = false;
  for (const auto& top : tops) {
    const std::string pod = top + root + "/podA";
    REQUIRE(::mkdir((top + root).c_str(), 0755) == 0);
    REQUIRE(::mkdir(pod.c_str(), 0755) == 0);
    const bool counts_memory =
        IsFile(pod + "/memory.usage_in_bytes") || IsFile(pod + "/memory.current");
    const bool counts_pids = IsFile(pod + "/pids.current");
    if (!counts_memory && !counts_pids) continue;
    std::ofstream(pod + "/cgroup.procs") << hog.pid() << std::flush;
    memory = memory || counts_memory;
    pids = pids || counts_pids;
  }
  REQUIRE(memory);
  hog.Allocate();
  auto working_set = cgroups.MemoryWorkingSet("A");
  REQUIRE(working_set.has_value());
  CHECK(*working_set >= static_cast<int64_t>(kHog));
  CHECK(*working_set < static_cast<int64_t>(kHog) + (16 << 20));
  if (pids) CHECK(cgroups.Processes("A") == 1);
}

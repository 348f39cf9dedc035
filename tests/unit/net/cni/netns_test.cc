// Network namespaces pinned under a test directory (root).
#include "skiff/net/netns.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <fstream>
#include <sstream>

#include "cni_test_support.h"

namespace skiff::net {
namespace {

using testing::InspectInterface;
using testing::InterfaceNames;
using testing::TempDir;

// Whether /proc/self/mountinfo lists a mount at `path`.
bool Mounted(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point;
    fields >> id >> parent >> dev >> root >> mount_point;
    if (mount_point == path) return true;
  }
  return false;
}

ino_t Inode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

std::string ThreadNetNs() {
  char buf[64] = {};
  ssize_t n = ::readlink("/proc/thread-self/ns/net", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// Removes the namespace even when an assertion fails.
struct Pinned {
  const NetNs& ns;
  std::string name;
  ~Pinned() { (void)ns.Remove(name); }
};

TEST_CASE("net_cni netns: create pins a new namespace, remove unpins and deletes it") {
  TempDir tmp;
  NetNs netns(tmp.path() + "/netns");  // created on demand
  const std::string before = ThreadNetNs();
  Result<std::string> path = netns.Create("sktcni-one");
  Pinned guard{netns, "sktcni-one"};
  REQUIRE(path.ok());
  CHECK(*path == tmp.path() + "/netns/sktcni-one");
  CHECK(netns.PathOf("sktcni-one") == *path);
  CHECK(netns.Exists("sktcni-one"));
  CHECK(IsNetNsPath(*path));
  CHECK(Mounted(*path));
  CHECK(Inode(*path) != Inode("/proc/self/ns/net"));  // a namespace of its own
  CHECK(ThreadNetNs() == before);                     // the caller did not move
  Result<std::vector<std::string>> names = netns.List();
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"sktcni-one"});

  Result<std::string> again = netns.Create("sktcni-one");
  REQUIRE_FALSE(again.ok());
  CHECK(again.status().code() == Code::kAlreadyExists);
  CHECK(netns.Exists("sktcni-one"));  // the failed create did not disturb it

  REQUIRE(netns.Remove("sktcni-one").ok());
  CHECK_FALSE(netns.Exists("sktcni-one"));
  CHECK(::access(path->c_str(), F_OK) != 0);
  CHECK_FALSE(Mounted(*path));
  CHECK(netns.Remove("sktcni-one").ok());  // idempotent
  REQUIRE(netns.List().ok());
  CHECK(netns.List()->empty());
}

TEST_CASE("net_cni netns: a new namespace holds only lo, and lo is down") {
  TempDir tmp;
  NetNs netns(tmp.path());
  Result<std::string> path = netns.Create("sktcni-empty");
  Pinned guard{netns, "sktcni-empty"};
  REQUIRE(path.ok());
  CHECK(InterfaceNames(*path) == std::set<std::string>{"lo"});
  testing::IfaceInfo lo = InspectInterface(*path, "lo");
  CHECK(lo.exists);
  CHECK_FALSE(lo.up);
}

TEST_CASE("net_cni netns: two namespaces are distinct and RunInNetNs enters the right one") {
  TempDir tmp;
  NetNs netns(tmp.path());
  Result<std::string> a = netns.Create("sktcni-a");
  Pinned guard_a{netns, "sktcni-a"};
  Result<std::string> b = netns.Create("sktcni-b");
  Pinned guard_b{netns, "sktcni-b"};
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(Inode(*a) != Inode(*b));
  std::string seen;
  REQUIRE(RunInNetNs(*b, [&]() -> Status {
            seen = ThreadNetNs();
            return Status::Ok();
          }).ok());
  CHECK(seen == "net:[" + std::to_string(Inode(*b)) + "]");
  // fn's status and exceptions come back to the caller.
  Status failed = RunInNetNs(*a, [] { return UnavailableError("from inside"); });
  CHECK(failed.message() == "from inside");
  Status threw = RunInNetNs(*a, []() -> Status { throw std::runtime_error("boom"); });
  CHECK(threw.code() == Code::kInternal);
  CHECK(threw.message() == "run in network namespace " + *a + ": boom");
}

TEST_CASE("net_cni netns: bad names and paths are refused") {
  TempDir tmp;
  NetNs netns(tmp.path());
  for (const char* bad : {"", ".", "..", "a/b"}) {
    Result<std::string> r = netns.Create(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message() == std::string("invalid network namespace name \"") + bad + "\"");
    CHECK_FALSE(netns.Exists(bad));
  }
  Status missing = RunInNetNs(tmp.path() + "/nothing", [] { return Status::Ok(); });
  CHECK(missing.code() == Code::kNotFound);
  std::ofstream(tmp.path() + "/plain") << "x";
  Status plain = RunInNetNs(tmp.path() + "/plain", [] { return Status::Ok(); });
  CHECK(plain.code() == Code::kInvalidArgument);
  CHECK(plain.message() == tmp.path() + "/plain is not a network namespace");
  CHECK_FALSE(IsNetNsPath(tmp.path() + "/plain"));
  CHECK(IsNetNsPath("/proc/self/ns/net"));
}

TEST_CASE("net_cni netns: a later ip netns add does not hide the namespaces pinned before") {
  TempDir tmp;
  NetNs netns(tmp.path() + "/netns");
  Result<std::string> path = netns.Create("sktcni-hidden");
  Pinned guard{netns, "sktcni-hidden"};
  REQUIRE(path.ok());
  CHECK(Mounted(netns.dir()));  // bound onto itself, as ip netns add would
  // What `ip netns add` does to its directory: share it, or bind it onto itself recursively
  // when it is not a mount point (which would cover the pin with a copy).
  if (::mount("", netns.dir().c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    REQUIRE(errno == EINVAL);
    REQUIRE(::mount(netns.dir().c_str(), netns.dir().c_str(), "none", MS_BIND | MS_REC,
                    nullptr) == 0);
  }
  REQUIRE(netns.Remove("sktcni-hidden").ok());
  CHECK_FALSE(Mounted(*path));
  CHECK(::access(path->c_str(), F_OK) != 0);
}

TEST_CASE("net_cni netns: remove copes with a leftover file and with stacked mounts") {
  TempDir tmp;
  NetNs netns(tmp.path());
  // A crash between unmount and unlink leaves a plain file.
  std::ofstream(tmp.path() + "/sktcni-left") << "";
  CHECK_FALSE(netns.Exists("sktcni-left"));
  REQUIRE(netns.Remove("sktcni-left").ok());
  CHECK(::access((tmp.path() + "/sktcni-left").c_str(), F_OK) != 0);

  Result<std::string> path = netns.Create("sktcni-twice");
  Pinned guard{netns, "sktcni-twice"};
  REQUIRE(path.ok());
  // Pin the host's namespace on top as well: two mounts on one name.
  REQUIRE(::mount("/proc/self/ns/net", path->c_str(), "none", MS_BIND, nullptr) == 0);
  REQUIRE(netns.Remove("sktcni-twice").ok());
  CHECK_FALSE(Mounted(*path));
  CHECK(::access(path->c_str(), F_OK) != 0);
}

}  // namespace
}  // namespace skiff::net

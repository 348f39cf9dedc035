// Helpers for the net_cni tests: a temporary directory, a host-wide lock that serializes the
// tests touching the sktcni0 bridge and 10.201.0.0/24 (CTest runs cases in parallel), a
// fixture that cleans every host change up even when an assertion fails, and probes that
// look inside a pod's network namespace.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/mount.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/cni/host_local_store.h"
#include "net/cni/nat_rules.h"
#include "net/cni/process.h"
#include "skiff/net/cni.h"
#include "skiff/net/netns.h"

namespace skiff::net::testing {

inline constexpr char kBridge[] = "sktcni0";
inline constexpr char kSubnet[] = "10.201.0.0/24";
inline constexpr char kGateway[] = "10.201.0.1";
inline constexpr char kNetwork[] = "sktcni";
inline constexpr char kPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

class TempDir {
 public:
  TempDir() {
    std::string tmpl = "/tmp/sktcni-test-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    // A NetNs directory here is a mount point bound onto itself (NetNs::Create).
    for (const std::string& dir : {path_ + "/netns", path_}) ::umount2(dir.c_str(), MNT_DETACH);
    ::remove((path_ + ".lock").c_str());
    ::nftw(
        path_.c_str(),
        [](const char* p, const struct stat*, int, struct FTW*) {
          ::remove(p);  // best effort: keep walking
          return 0;
        },
        16, FTW_DEPTH | FTW_PHYS);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// flock on a fixed file: one sktcni test at a time on this host, across processes.
class HostLock {
 public:
  HostLock() {
    fd_ = ::open("/tmp/sktcni-tests.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0 || ::flock(fd_, LOCK_EX) != 0) throw std::runtime_error("cannot take test lock");
  }
  ~HostLock() { ::close(fd_); }
  HostLock(const HostLock&) = delete;
  HostLock& operator=(const HostLock&) = delete;

 private:
  int fd_ = -1;
};

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

inline Result<ProcessOutput> Run(std::vector<std::string> argv, int timeout_ms = 10000) {
  ProcessSpec spec;
  Result<std::string> exe = FindExecutable(argv[0], kPath);
  if (!exe.ok()) return exe.status();
  spec.path = *exe;
  spec.argv = std::move(argv);
  spec.env = {std::string("PATH=") + kPath};
  spec.timeout = std::chrono::milliseconds(timeout_ms);
  return RunProcess(spec);
}

// The text of `iptables-save -t nat`.
inline std::string NatTable() {
  Result<ProcessOutput> out = Run({"iptables-save", "-t", "nat"});
  return out.ok() ? out->out : std::string();
}

// Owners named by this network's CNI comments in the nat table.
inline std::set<std::string> NatOwners() {
  std::set<std::string> owners;
  for (const SavedRule& r : ParseIptablesSave(NatTable()).rules) {
    if (auto o = CniCommentOwner(r.comment, kNetwork)) owners.insert(*o);
  }
  return owners;
}

// The IPv4 address, flags and MTU of an interface inside a namespace.
struct IfaceInfo {
  bool exists = false;
  std::string ipv4;
  bool up = false;
  int mtu = 0;
};
inline IfaceInfo InspectInterface(const std::string& netns, const std::string& name) {
  IfaceInfo info;
  Status s = RunInNetNs(netns, [&]() -> Status {
    Fd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ifreq req{};
    std::snprintf(req.ifr_name, IFNAMSIZ, "%s", name.c_str());
    if (::ioctl(sock.get(), SIOCGIFFLAGS, &req) != 0) return Status::Ok();
    info.exists = true;
    info.up = (req.ifr_flags & IFF_UP) != 0;
    if (::ioctl(sock.get(), SIOCGIFMTU, &req) == 0) info.mtu = req.ifr_mtu;
    if (::ioctl(sock.get(), SIOCGIFADDR, &req) == 0) {
      char buf[INET_ADDRSTRLEN];
      auto* sin = reinterpret_cast<sockaddr_in*>(&req.ifr_addr);
      info.ipv4 = ::inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
    }
    return Status::Ok();
  });
  if (!s.ok()) throw std::runtime_error(s.ToString());
  return info;
}

// Interface names inside a namespace.
inline std::set<std::string> InterfaceNames(const std::string& netns) {
  std::set<std::string> names;
  Status s = RunInNetNs(netns, [&]() -> Status {
    if (struct if_nameindex* list = ::if_nameindex()) {
      for (struct if_nameindex* i = list; i->if_index != 0; ++i) names.insert(i->if_name);
      ::if_freenameindex(list);
    }
    return Status::Ok();
  });
  if (!s.ok()) throw std::runtime_error(s.ToString());
  return names;
}

inline sockaddr_in Addr(const std::string& ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

// A TCP socket created inside `netns` (empty: the host's); it stays in that namespace.
inline Fd SocketIn(const std::string& netns) {
  if (netns.empty()) return Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int fd = -1;
  Status s = RunInNetNs(netns, [&]() -> Status {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    return Status::Ok();
  });
  if (!s.ok()) throw std::runtime_error(s.ToString());
  return Fd(fd);
}

inline Fd ListenIn(const std::string& netns, int port) {
  Fd sock = SocketIn(netns);
  int one = 1;
  ::setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = Addr("0.0.0.0", port);
  if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(sock.get(), 8) != 0) {
    throw std::runtime_error(std::string("listen: ") + std::strerror(errno));
  }
  return sock;
}

// Connects from `client_netns` (empty: the host) to ip:port, lets `listener` accept and send
// a greeting, and returns what the client read, or "(failed: <reason>)".
inline std::string Exchange(const std::string& client_netns, const Fd& listener,
                            const std::string& ip, int port) {
  auto failed = [](const std::string& why) { return "(failed: " + why + ")"; };
  Fd client = SocketIn(client_netns);
  ::fcntl(client.get(), F_SETFL, O_NONBLOCK);
  sockaddr_in a = Addr(ip, port);
  if (::connect(client.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 &&
      errno != EINPROGRESS) {
    return failed(std::string("connect: ") + std::strerror(errno));
  }
  pollfd p{client.get(), POLLOUT, 0};
  if (::poll(&p, 1, 3000) != 1) return failed("connect timed out");
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(client.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return failed(std::string("connect: ") + std::strerror(err));
  pollfd l{listener.get(), POLLIN, 0};
  if (::poll(&l, 1, 3000) != 1) return failed("no connection reached the listener");
  Fd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  const char greeting[] = "hello from the pod";
  if (::send(conn.get(), greeting, sizeof greeting - 1, MSG_NOSIGNAL) < 0) {
    return failed("send");
  }
  pollfd c{client.get(), POLLIN, 0};
  if (::poll(&c, 1, 3000) != 1) return failed("no reply");
  char buf[64] = {};
  ssize_t n = ::recv(client.get(), buf, sizeof buf - 1, 0);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : failed("empty reply");
}

// Everything a real-plugin test changes on the host, undone in the destructor (also when an
// assertion throws): pods are DELeted, namespaces removed, this network's NAT rules swept
// and the sktcni0 bridge deleted. What stays is shared by every portmap user on the host:
// the CNI-HOSTPORT-DNAT/-MASQ/-SETMARK chains and their PREROUTING/OUTPUT/POSTROUTING jumps
// (portmap creates them once and never deletes them), and net.ipv4.ip_forward=1.
class CniHost {
 public:
  // `bridge_ip_masq`: the bridge plugin's per-pod masquerade, as skiff before the node-wide
  // rule configured it (pods of such versions must still be torn down cleanly).
  explicit CniHost(bool bridge_ip_masq = false)
      : bridge_ip_masq_(bridge_ip_masq), netns_(tmp_.path() + "/netns") {
    Result<std::unique_ptr<CniNetwork>> made = CniNetwork::Create(Config());
    if (!made.ok()) throw std::runtime_error(made.status().ToString());
    cni_ = std::move(*made);
  }
  ~CniHost() {
    for (const PodNetworkRequest& pod : pods_) (void)cni_->Del(pod);
    for (const std::string& name : names_) (void)netns_.Remove(name);
    NatTools tools{false, kPath, std::chrono::milliseconds(10000)};
    (void)RemoveNatRules(tools, kNetwork, [](const std::string&) { return true; });
    (void)Run({"ip", "link", "del", kBridge});
  }
  CniHost(const CniHost&) = delete;
  CniHost& operator=(const CniHost&) = delete;

  CniConfig Config() const {
    CniConfig c;
    c.network_name = kNetwork;
    c.bridge = kBridge;
    c.subnet = kSubnet;
    c.mtu = 1400;
    c.ipam_data_dir = tmp_.path() + "/ipam";
    c.cache_dir = tmp_.path() + "/cache";
    c.plugin_timeout = std::chrono::milliseconds(20000);
    c.bridge_ip_masq = bridge_ip_masq_;
    return c;
  }
  std::string IpamDir() const { return tmp_.path() + "/ipam/" + kNetwork; }
  const std::string& dir() const { return tmp_.path(); }
  CniNetwork& cni() { return *cni_; }
  const NetNs& netns() const { return netns_; }

  // A namespace "sktcni-<name>" and a request for sandbox "sktcni-<name>" (not added yet).
  PodNetworkRequest NewPod(const std::string& name, std::vector<PortMapping> ports = {}) {
    const std::string full = "sktcni-" + name;
    Result<std::string> path = netns_.Create(full);
    if (!path.ok()) throw std::runtime_error(path.status().ToString());
    names_.push_back(full);
    PodNetworkRequest r;
    r.sandbox_id = full;
    r.netns_path = *path;
    r.pod_namespace = "default";
    r.pod_name = name;
    r.port_mappings = std::move(ports);
    pods_.push_back(r);
    return r;
  }

  // The host-local owners of this network's addresses: ip -> sandbox.
  std::vector<Reservation> Reservations() const {
    Result<std::vector<Reservation>> r = ListReservations(IpamDir());
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    return *r;
  }

 private:
  HostLock lock_;  // declared first: released last
  bool bridge_ip_masq_;
  TempDir tmp_;
  NetNs netns_;
  std::unique_ptr<CniNetwork> cni_;
  std::vector<std::string> names_;
  std::vector<PodNetworkRequest> pods_;
};

}  // namespace skiff::net::testing

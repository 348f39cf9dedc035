// BuildNfsMountRequest: source, fstype, options, port and ping versions from an nfs volume
// source and mount options.
#include <catch2/catch.hpp>

#include "node/volumes/nfs_mount_request.h"

using skiff::Code;
using skiff::node::internal::BuildNfsMountRequest;
using Options = std::vector<std::string>;

TEST_CASE("nfs request: an inline volume gets the source and the default timeouts") {
  auto r = BuildNfsMountRequest("10.0.0.5", "/export", false, {});
  REQUIRE(r.ok());
  CHECK(r->source == "10.0.0.5:/export");
  CHECK(r->fstype == "nfs");
  CHECK(r->options == Options{"timeo=100", "retrans=3", "retry=0"});
  CHECK(r->JoinedOptions() == "timeo=100,retrans=3,retry=0");
  CHECK(r->port == 2049);
  CHECK(r->Endpoint() == "10.0.0.5:2049");
  CHECK(r->versions == std::vector<int>{4, 3});
  CHECK_FALSE(r->read_only);
}

TEST_CASE("nfs request: read-only adds ro once and drops rw") {
  auto r = BuildNfsMountRequest("nas.local", "/srv/data", true, {});
  REQUIRE(r.ok());
  CHECK(r->options == Options{"ro", "timeo=100", "retrans=3", "retry=0"});
  CHECK(r->read_only);

  auto given = BuildNfsMountRequest("nas.local", "/srv/data", true, {"rw", "ro", "hard"});
  REQUIRE(given.ok());
  CHECK(given->options == Options{"ro", "hard", "timeo=100", "retrans=3", "retry=0"});

  auto writable = BuildNfsMountRequest("nas.local", "/srv/data", false, {"rw"});
  REQUIRE(writable.ok());
  CHECK(writable->options.front() == "rw");
}

TEST_CASE("nfs request: an IPv6 server is bracketed in the source and the endpoint") {
  auto r = BuildNfsMountRequest("fd00::5", "/export", false, {});
  REQUIRE(r.ok());
  CHECK(r->source == "[fd00::5]:/export");
  CHECK(r->server == "fd00::5");
  CHECK(r->Endpoint() == "[fd00::5]:2049");

  auto bracketed = BuildNfsMountRequest("[fd00::5]", "/export", false, {});
  REQUIRE(bracketed.ok());
  CHECK(bracketed->source == "[fd00::5]:/export");
  CHECK(bracketed->server == "fd00::5");
}

TEST_CASE("nfs request: given options are kept in order and a timeout option turns the defaults off") {
  auto r = BuildNfsMountRequest("10.0.0.5", "/export", false, {"hard,timeo=30", " port=20049 "});
  REQUIRE(r.ok());
  CHECK(r->options == Options{"hard", "timeo=30", "port=20049"});
  CHECK(r->port == 20049);
  CHECK(r->Endpoint() == "10.0.0.5:20049");

  auto retry = BuildNfsMountRequest("10.0.0.5", "/export", false, {"retry=5"});
  REQUIRE(retry.ok());
  CHECK(retry->options == Options{"retry=5"});

  auto other = BuildNfsMountRequest("10.0.0.5", "/export", false, {"noatime", "", "noatime"});
  REQUIRE(other.ok());
  CHECK(other->options == Options{"noatime", "timeo=100", "retrans=3", "retry=0"});
}

TEST_CASE("nfs request: vers=4 asks fstype nfs4 and pings version 4 only") {
  for (const char* o : {"vers=4", "nfsvers=4.1", "vers=4.2"}) {
    auto r = BuildNfsMountRequest("10.0.0.5", "/export", false, {o});
    REQUIRE(r.ok());
    CHECK(r->fstype == "nfs4");
    CHECK(r->versions == std::vector<int>{4});
  }
  auto v3 = BuildNfsMountRequest("10.0.0.5", "/export", false, {"nfsvers=3"});
  REQUIRE(v3.ok());
  CHECK(v3->fstype == "nfs");
  CHECK(v3->versions == std::vector<int>{3});
}

TEST_CASE("nfs request: port=0 leaves the ping on 2049") {
  auto r = BuildNfsMountRequest("10.0.0.5", "/export", false, {"port=0"});
  REQUIRE(r.ok());
  CHECK(r->port == 2049);
  CHECK(r->options.front() == "port=0");
}

TEST_CASE("nfs request: spec errors name the field") {
  auto no_server = BuildNfsMountRequest(" ", "/export", false, {});
  REQUIRE_FALSE(no_server.ok());
  CHECK(no_server.status().code() == Code::kInvalidArgument);
  CHECK(no_server.status().message() == "nfs.server is empty");

  auto relative = BuildNfsMountRequest("10.0.0.5", "export", false, {});
  REQUIRE_FALSE(relative.ok());
  CHECK(relative.status().message() ==
        "nfs.path \"export\" of server 10.0.0.5 is not an absolute path");

  for (const char* bad : {"port=abc", "port=70000", "port="}) {
    auto r = BuildNfsMountRequest("10.0.0.5", "/export", false, {bad});
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message() == "mount option \"" + std::string(bad) +
                                      "\" for 10.0.0.5:/export is not a port number");
  }
}

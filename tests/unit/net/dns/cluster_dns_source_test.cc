// ClusterDnsSource against a real store: Services, EndpointSlices and Namespaces created and
// changed through the client, seen by informers, and the answers following them.
#include "net/dns/cluster_dns_source.h"

#include <catch2/catch.hpp>

#include "cluster_objects.h"
#include "dns_test_util.h"
#include "unit/client/client_fixture.h"

namespace skiff::net::dns {
namespace {

using namespace testing;
using client::testing::Cluster;
using client::testing::Eventually;
using client::testing::Ok;
using Strings = std::vector<std::string>;

const client::Resource kServices = client::Services();
const client::Resource kSlices = client::EndpointSlices();

struct Fixture {
  Cluster cluster;
  std::unique_ptr<ClusterRecords> records;
  std::unique_ptr<client::SharedInformerFactory> informers;
  std::unique_ptr<ClusterDnsSource> source;

  Fixture() {
    cluster.resources->SetServiceCidr("10.43.0.0/16");
    ClusterRecordsOptions o;
    o.service_cidrs = {cli::ParseCidr("10.43.0.0/16").value()};
    records = ClusterRecords::Create(o).value();
    informers = std::make_unique<client::SharedInformerFactory>(cluster.api());
    source = std::make_unique<ClusterDnsSource>(*informers, *records);
    CHECK_FALSE(records->synced());
    source->Start();
    informers->Start();
    REQUIRE(Eventually([&] { return source->HasSynced(); }));
    CHECK(records->synced());
  }
  ~Fixture() {
    source->Stop();
    informers->Stop();
  }

  // The answer's records as text, or the rcode name when there are none.
  Strings Ask(const std::string& name, uint16_t type) const {
    ZoneAnswer a = records->Lookup(Q(name, type));
    if (a.answers.empty()) return {a.rcode == rcode::kNxDomain ? "NXDOMAIN" : "NODATA"};
    return ShowAll(a.answers);
  }
  bool Becomes(const std::string& name, uint16_t type, const Strings& want) const {
    return Eventually([&] { return Ask(name, type) == want; });
  }
};

TEST_CASE("The source follows Services and their EndpointSlices through informers") {
  Fixture f;
  const std::string web = "web.default.svc.cluster.local.";
  CHECK(f.Ask(web, rrtype::kA) == Strings{"NXDOMAIN"});

  json svc = ServiceJson("default", "web", {"10.43.0.50"}, {{"http", 80}});
  svc["spec"]["selector"] = {{"app", "web"}};
  Ok(f.cluster.api().Create(kServices, "default", svc));
  CHECK(f.Becomes(web, rrtype::kA, {web + " 5 A 10.43.0.50"}));
  CHECK(f.Ask("_http._tcp." + web, rrtype::kSRV) ==
        Strings{"_http._tcp." + web + " 5 SRV 0 100 80 " + web});
  CHECK(f.Ask("50.0.43.10.in-addr.arpa", rrtype::kPTR) ==
        Strings{"50.0.43.10.in-addr.arpa. 5 PTR " + web});

  // A headless service gets its addresses from its slices.
  const std::string db = "db.default.svc.cluster.local.";
  json headless = ServiceJson("default", "db", {"None"}, {{"pg", 5432}});
  headless["spec"]["selector"] = {{"app", "db"}};
  Ok(f.cluster.api().Create(kServices, "default", headless));
  CHECK(f.Becomes(db, rrtype::kA, {"NXDOMAIN"}));  // no ready endpoints yet
  json slice =
      SliceJson("default", "db", "db-x1", "IPv4",
                {{{"10.42.0.11"}, "db-0", true}, {{"10.42.0.12"}, "db-1", true}}, {{"pg", 5432}});
  slice = Ok(f.cluster.api().Create(kSlices, "default", slice));
  CHECK(f.Becomes(db, rrtype::kA, {db + " 5 A 10.42.0.11", db + " 5 A 10.42.0.12"}));
  CHECK(f.Ask("db-1." + db, rrtype::kA) == Strings{"db-1." + db + " 5 A 10.42.0.12"});

  // An endpoint turning unready leaves the answers.
  slice["endpoints"][1]["conditions"]["ready"] = false;
  slice = Ok(f.cluster.api().Update(kSlices, "default", slice));
  CHECK(f.Becomes(db, rrtype::kA, {db + " 5 A 10.42.0.11"}));
  CHECK(f.Ask("db-1." + db, rrtype::kA) == Strings{"NXDOMAIN"});

  // A slice relabelled to another service leaves the first one.
  json db2 = ServiceJson("default", "db2", {"None"}, {});
  Ok(f.cluster.api().Create(kServices, "default", db2));
  slice["metadata"]["labels"]["kubernetes.io/service-name"] = "db2";
  slice = Ok(f.cluster.api().Update(kSlices, "default", slice));
  CHECK(f.Becomes(db, rrtype::kA, {"NXDOMAIN"}));
  CHECK(f.Becomes("db2.default.svc.cluster.local", rrtype::kA,
                  {"db2.default.svc.cluster.local. 5 A 10.42.0.11"}));

  // Deleting a service removes its names and PTRs.
  client::Client::DeleteOptions del;
  REQUIRE(f.cluster.api().Delete(kServices, "default", "web", del).ok());
  CHECK(f.Becomes(web, rrtype::kA, {"NXDOMAIN"}));
  CHECK(f.Ask("50.0.43.10.in-addr.arpa", rrtype::kPTR) == Strings{"NXDOMAIN"});
  REQUIRE(f.cluster.api().Delete(kSlices, "default", "db-x1", del).ok());
  CHECK(f.Becomes("db2.default.svc.cluster.local", rrtype::kA, {"NXDOMAIN"}));
}

TEST_CASE("The source knows the namespaces: empty ones exist, deleted ones do not") {
  Fixture f;
  // "other" was created with the cluster and has no services: NODATA, not NXDOMAIN.
  CHECK(f.Becomes("other.svc.cluster.local", rrtype::kA, {"NODATA"}));
  CHECK(f.Ask("fresh.svc.cluster.local", rrtype::kA) == Strings{"NXDOMAIN"});
  Ok(f.cluster.api().Create(client::Namespaces(), "", {{"metadata", {{"name", "fresh"}}}}));
  CHECK(f.Becomes("10-1-2-3.fresh.pod.cluster.local", rrtype::kA,
                  {"10-1-2-3.fresh.pod.cluster.local. 5 A 10.1.2.3"}));
  CHECK(f.Ask("fresh.svc.cluster.local", rrtype::kA) == Strings{"NODATA"});
}

TEST_CASE("A source over services that existed before it starts answers them once synced") {
  Cluster cluster;
  cluster.resources->SetServiceCidr("10.43.0.0/16");
  for (int i = 0; i < 20; ++i) {
    Ok(cluster.api().Create(kServices, "other",
                            ServiceJson("other", "s" + std::to_string(i),
                                        {"10.43.1." + std::to_string(i + 1)}, {{"http", 80}})));
  }
  auto records = ClusterRecords::Create({}).value();
  client::SharedInformerFactory informers(cluster.api());
  ClusterDnsSource source(informers, *records);
  source.Start();
  informers.Start();
  REQUIRE(Eventually([&] { return source.HasSynced(); }));
  // Synced means every service of the first list is in.
  CHECK(records->service_count() == 20);
  ZoneAnswer a = records->Lookup(Q("s19.other.svc.cluster.local", rrtype::kA));
  CHECK(ShowAll(a.answers) == Strings{"s19.other.svc.cluster.local. 5 A 10.43.1.20"});
  source.Stop();
  informers.Stop();
}

}  // namespace
}  // namespace skiff::net::dns

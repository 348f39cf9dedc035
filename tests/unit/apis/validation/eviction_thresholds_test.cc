#include "skiff/apis/eviction_thresholds.h"

#include <catch2/catch.hpp>

using skiff::apis::EvictionSignal;
using skiff::apis::EvictionThresholds;
using skiff::apis::FindThreshold;
using skiff::apis::FormatEvictionHard;
using skiff::apis::ParseEvictionHard;

namespace {
std::string ErrorOf(std::string_view text) {
  auto t = ParseEvictionHard(text);
  return t.ok() ? "" : std::string(t.status().message());
}
}  // namespace

TEST_CASE("the default thresholds are kubelet's, with a PID threshold", "[apis]") {
  EvictionThresholds t = skiff::apis::DefaultEvictionThresholds();
  REQUIRE(t.size() == 6);
  const auto* memory = FindThreshold(t, EvictionSignal::kMemoryAvailable);
  REQUIRE(memory != nullptr);
  CHECK(memory->Amount(8LL << 30) == 100LL << 20);
  CHECK(FindThreshold(t, EvictionSignal::kNodefsAvailable)->Amount(1000) == 100);
  CHECK(FindThreshold(t, EvictionSignal::kImagefsAvailable)->Amount(1000) == 150);
  CHECK(FindThreshold(t, EvictionSignal::kNodefsInodesFree)->Amount(1000) == 50);
  CHECK(FindThreshold(t, EvictionSignal::kPidAvailable)->Amount(1000) == 100);
  CHECK(FormatEvictionHard(t) == skiff::apis::kDefaultEvictionHard);
}

TEST_CASE("thresholds take quantities and percentages; a list replaces the default", "[apis]") {
  auto t = ParseEvictionHard(" nodefs.available < 500Mi , memory.available<1.5Gi,pid.available<2.5%");
  REQUIRE(t.ok());
  REQUIRE(t->size() == 3);
  CHECK(FindThreshold(*t, EvictionSignal::kImagefsAvailable) == nullptr);
  const auto* nodefs = FindThreshold(*t, EvictionSignal::kNodefsAvailable);
  CHECK(nodefs->Amount(1LL << 40) == 500LL << 20);
  CHECK(nodefs->Crossed((500LL << 20) - 1, 1LL << 40));
  CHECK_FALSE(nodefs->Crossed(500LL << 20, 1LL << 40));
  CHECK_FALSE(nodefs->Crossed(0, 0));  // capacity unknown: never under pressure
  CHECK(FindThreshold(*t, EvictionSignal::kMemoryAvailable)->Amount(0) == 1536LL << 20);
  CHECK(FindThreshold(*t, EvictionSignal::kPidAvailable)->Amount(4000) == 100);
  CHECK(FormatEvictionHard(*t) == "nodefs.available<500Mi,memory.available<1536Mi,pid.available<2.5%");
  // Decimal quantities are plain byte counts.
  CHECK(FindThreshold(*ParseEvictionHard("nodefs.inodesFree<1k"),
                      EvictionSignal::kNodefsInodesFree)->Amount(1) == 1000);
}

TEST_CASE("a zero threshold switches its signal off and an empty list means none", "[apis]") {
  auto t = ParseEvictionHard("memory.available<0,nodefs.available<0%,imagefs.available<1Gi");
  REQUIRE(t.ok());
  REQUIRE(t->size() == 1);
  CHECK(t->front().signal == EvictionSignal::kImagefsAvailable);
  CHECK(ParseEvictionHard("")->empty());
}

TEST_CASE("bad thresholds name the pair and the reason", "[apis]") {
  CHECK(ErrorOf("memory.available>100Mi") ==
        "\"memory.available>100Mi\" is not signal<amount (only the < operator is supported)");
  CHECK(ErrorOf("memory.free<100Mi") ==
        "\"memory.free<100Mi\": unsupported signal \"memory.free\" (supported: memory.available, "
        "nodefs.available, nodefs.inodesFree, imagefs.available, imagefs.inodesFree, "
        "pid.available)");
  CHECK(ErrorOf("nodefs.available<lots") ==
        "\"nodefs.available<lots\": \"lots\" is neither a quantity (e.g. 100Mi) nor a percentage "
        "(e.g. 10%)");
  CHECK(ErrorOf("nodefs.available<x%") ==
        "\"nodefs.available<x%\": \"x%\" is not a percentage");
  CHECK(ErrorOf("nodefs.available<101%") ==
        "\"nodefs.available<101%\": a percentage must be between 0% and 100%");
  CHECK(ErrorOf("nodefs.available<-1Gi") ==
        "\"nodefs.available<-1Gi\": the amount must not be negative");
  CHECK(ErrorOf("nodefs.available<1Gi,,memory.available<1Gi") ==
        "has an empty threshold between commas");
  CHECK(ErrorOf("nodefs.available<1Gi,nodefs.available<5%") ==
        "names the signal nodefs.available twice");
}

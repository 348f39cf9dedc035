#include "skiff/common/log.h"

#include <catch2/catch.hpp>

using skiff::log::Level;

TEST_CASE("log levels parse from their names", "[common]") {
  Level l = Level::kInfo;
  CHECK(skiff::log::ParseLevel("debug", &l));
  CHECK(l == Level::kDebug);
  CHECK(skiff::log::ParseLevel("warn", &l));
  CHECK(l == Level::kWarning);
  CHECK(skiff::log::ParseLevel("error", &l));
  CHECK(l == Level::kError);
  CHECK_FALSE(skiff::log::ParseLevel("loud", &l));
  CHECK(l == Level::kError);
}

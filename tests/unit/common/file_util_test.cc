// skiff/common/file_util.h's path helpers.
#include "skiff/common/file_util.h"

#include <catch2/catch.hpp>

using skiff::BaseName;
using skiff::DirName;

TEST_CASE("DirName and BaseName split at the last slash", "[file_util]") {
  CHECK(DirName("/var/log/pods/0.log") == "/var/log/pods");
  CHECK(BaseName("/var/log/pods/0.log") == "0.log");
  CHECK(DirName("/x") == "/");
  CHECK(BaseName("/x") == "x");
  CHECK(DirName("x") == ".");
  CHECK(BaseName("x") == "x");
  CHECK(DirName("a/b/") == "a/b");
  CHECK(BaseName("a/b/") == "");
  CHECK(DirName("a//b") == "a/");
}

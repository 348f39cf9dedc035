#include "skiff/common/status.h"

#include <catch2/catch.hpp>

using skiff::Code;
using skiff::Result;
using skiff::Status;

TEST_CASE("Status carries code and message", "[common]") {
  Status ok;
  CHECK(ok.ok());
  CHECK(ok.ToString() == "ok");
  Status s = skiff::ConflictError("key /a changed at revision 7");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == Code::kConflict);
  CHECK(s.ToString() == "conflict: key /a changed at revision 7");
}

TEST_CASE("Result holds a value or an error", "[common]") {
  Result<int> good = 42;
  REQUIRE(good.ok());
  CHECK(*good == 42);
  CHECK(good.status().ok());

  Result<int> bad = skiff::NotFoundError("no such key");
  CHECK_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kNotFound);

  // An OK status is not a value: it turns into an internal error instead of a silent success.
  Result<int> odd = Status::Ok();
  CHECK_FALSE(odd.ok());
  CHECK(odd.status().code() == Code::kInternal);
}

// The admin token file.
#include "skiff/auth/token.h"

#include <catch2/catch.hpp>

#include "auth_test_util.h"
#include "support/temp_dir.h"

namespace skiff::testing {
namespace {

using auth::EnsureTokenFile;

bool IsLowerHex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

TEST_CASE("the token is created once as 64 hex characters, mode 0600, and then reused") {
  TempDir dir;
  const std::string path = dir / "server/token";
  auto first = EnsureTokenFile(path);
  INFO(first.status().ToString());
  REQUIRE(first.ok());
  CHECK(first->size() == 64);
  CHECK(IsLowerHex(*first));
  CHECK(ReadOrEmpty(path) == *first + "\n");
  CHECK(FileMode(path) == 0600);
  CHECK(FileMode(dir / "server") == 0700);

  auto again = EnsureTokenFile(path);
  REQUIRE(again.ok());
  CHECK(*again == *first);
  CHECK(ReadOrEmpty(path) == *first + "\n");

  TempDir other;
  auto different = EnsureTokenFile(other / "token");
  REQUIRE(different.ok());
  CHECK(*different != *first);  // random, not derived from anything
}

TEST_CASE("an operator-written token is used as written, trimmed") {
  TempDir dir;
  REQUIRE(WriteFileAtomic(dir / "token", "  my-Secret.Token_1\r\n", 0600).ok());
  auto token = EnsureTokenFile(dir / "token");
  REQUIRE(token.ok());
  CHECK(*token == "my-Secret.Token_1");
  CHECK(ReadOrEmpty(dir / "token") == "  my-Secret.Token_1\r\n");  // never rewritten
}

TEST_CASE("a malformed token file is an error naming it") {
  TempDir dir;
  const std::string path = dir / "token";
  REQUIRE(WriteFileAtomic(path, "abc def\n", 0600).ok());
  auto token = EnsureTokenFile(path);
  REQUIRE_FALSE(token.ok());
  CHECK(token.status().code() == Code::kCorrupt);
  CHECK(token.status().message() ==
        "the token file " + path + " holds whitespace or control characters inside the token");
  CHECK(ReadOrEmpty(path) == "abc def\n");  // left for its owner to fix
}

TEST_CASE("an empty token file (a write cut short) is replaced by a new token") {
  TempDir dir;
  const std::string path = dir / "token";
  REQUIRE(WriteFileAtomic(path, "\n\n", 0600).ok());
  auto token = EnsureTokenFile(path);
  REQUIRE(token.ok());
  CHECK(token->size() == 64);
  CHECK(ReadOrEmpty(path) == *token + "\n");
  auto again = EnsureTokenFile(path);
  REQUIRE(again.ok());
  CHECK(*again == *token);
}

}  // namespace
}  // namespace skiff::testing

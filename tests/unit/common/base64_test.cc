#include <catch2/catch.hpp>

#include "skiff/common/base64.h"

TEST_CASE("base64 round-trips and rejects malformed input", "[common]") {
  CHECK(skiff::Base64Encode("") == "");
  CHECK(skiff::Base64Encode("f") == "Zg==");
  CHECK(skiff::Base64Encode("fo") == "Zm8=");
  CHECK(skiff::Base64Encode("foo") == "Zm9v");
  CHECK(skiff::Base64Encode("foob") == "Zm9vYg==");
  CHECK(skiff::Base64Encode(std::string("\xff\xfe\x00", 3)) == "//4A");
  CHECK(skiff::Base64Decode("Zm9vYg==") == std::optional<std::string>("foob"));
  CHECK(skiff::Base64Decode("//4A") == std::optional<std::string>(std::string("\xff\xfe\x00", 3)));
  CHECK(skiff::Base64Decode("") == std::optional<std::string>(""));
  CHECK_FALSE(skiff::Base64Decode("Zm9").has_value());
  CHECK_FALSE(skiff::Base64Decode("Z=9v").has_value());
  CHECK_FALSE(skiff::Base64Decode("Zm9v\n").has_value());
  CHECK_FALSE(skiff::Base64Decode("Zm=v").has_value());
}

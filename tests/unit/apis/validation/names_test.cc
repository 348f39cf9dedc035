// The name validators return apimachinery's exact messages.
#include <catch2/catch.hpp>

#include "skiff/apis/validation.h"

using namespace skiff::apis;

namespace {
using Msgs = std::vector<std::string>;
const std::string kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
}  // namespace

TEST_CASE("IsDNS1123Subdomain accepts subdomains and rejects others with the exact message") {
  CHECK(IsDNS1123Subdomain("example.com").empty());
  CHECK(IsDNS1123Subdomain("a").empty());
  CHECK(IsDNS1123Subdomain("my-app.v1").empty());
  CHECK(IsDNS1123Subdomain("MyApp") == Msgs{kSubdomainMsg});
  CHECK(IsDNS1123Subdomain("-app") == Msgs{kSubdomainMsg});
  CHECK(IsDNS1123Subdomain("app.") == Msgs{kSubdomainMsg});
  CHECK(IsDNS1123Subdomain("a..b") == Msgs{kSubdomainMsg});
  CHECK(IsDNS1123Subdomain("") == Msgs{kSubdomainMsg});
  CHECK(IsDNS1123Subdomain(std::string(254, 'a')) == Msgs{"must be no more than 253 characters"});
}

TEST_CASE("IsDNS1123Label distinguishes dots from other faults") {
  const std::string label_msg =
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
      "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
      "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  CHECK(IsDNS1123Label("my-name").empty());
  CHECK(IsDNS1123Label("123-abc").empty());
  CHECK(IsDNS1123Label("a.b") == Msgs{"must not contain dots"});
  CHECK(IsDNS1123Label("Nginx") == Msgs{label_msg});
  CHECK(IsDNS1123Label("web_1") == Msgs{label_msg});
  CHECK(IsDNS1123Label(std::string(64, 'a')) == Msgs{"must be no more than 63 characters"});
}

TEST_CASE("IsDNS1035Label requires a leading letter") {
  const std::string msg =
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
      "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
      "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  CHECK(IsDNS1035Label("web").empty());
  CHECK(IsDNS1035Label("1web") == Msgs{msg});
  CHECK(IsDNS1035Label("web.svc") == Msgs{msg});
}

TEST_CASE("IsQualifiedName checks prefix and name parts") {
  CHECK(IsQualifiedName("app").empty());
  CHECK(IsQualifiedName("app.kubernetes.io/name").empty());
  CHECK(IsQualifiedName("My_Key.1").empty());
  auto bad = IsQualifiedName("-app");
  REQUIRE(bad.size() == 1);
  CHECK(bad[0] ==
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
        "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
        "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  CHECK(IsQualifiedName("/app") == Msgs{"prefix part must be non-empty"});
  auto empty_name = IsQualifiedName("example.com/");
  REQUIRE(empty_name.size() == 2);
  CHECK(empty_name[0] == "name part must be non-empty");
  auto bad_prefix = IsQualifiedName("Example.com/app");
  REQUIRE(bad_prefix.size() == 1);
  CHECK(bad_prefix[0].rfind("prefix part a lowercase RFC 1123 subdomain", 0) == 0);
  auto too_many = IsQualifiedName("a/b/c");
  REQUIRE(too_many.size() == 1);
  CHECK(too_many[0] ==
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with "
        "an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
  CHECK(IsQualifiedName(std::string(64, 'a')) ==
        Msgs{"name part must be no more than 63 characters"});
}

TEST_CASE("IsValidLabelValue allows empty values") {
  CHECK(IsValidLabelValue("").empty());
  CHECK(IsValidLabelValue("v1.2_3-x").empty());
  CHECK(IsValidLabelValue("has space") ==
        Msgs{"a valid label must be an empty string or consist of alphanumeric characters, '-', "
             "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  "
             "or 'my_value',  or '12345', regex used for validation is "
             "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"});
  CHECK(IsValidLabelValue(std::string(64, 'a')) == Msgs{"must be no more than 63 characters"});
}

TEST_CASE("Port names, numbers and ranges") {
  CHECK(IsValidPortName("http").empty());
  CHECK(IsValidPortName("http-2").empty());
  CHECK(IsValidPortName("80") == Msgs{"must contain at least one letter (a-z)"});
  CHECK(IsValidPortName("a--b") == Msgs{"must not contain consecutive hyphens"});
  CHECK(IsValidPortName("-ab") == Msgs{"must not begin or end with a hyphen"});
  CHECK(IsValidPortName("HTTP") ==
        Msgs{"must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
             "must contain at least one letter (a-z)"});
  CHECK(IsValidPortName("abcdefghijklmnop") == Msgs{"must be no more than 15 characters"});
  CHECK(IsValidPortNum(1).empty());
  CHECK(IsValidPortNum(65535).empty());
  CHECK(IsValidPortNum(0) == Msgs{"must be between 1 and 65535, inclusive"});
  CHECK(IsValidPortNum(70000) == Msgs{"must be between 1 and 65535, inclusive"});
}

TEST_CASE("Config keys, env names, C identifiers, percents and headers") {
  CHECK(IsConfigMapKey("app.properties").empty());
  CHECK(IsConfigMapKey("..data") == Msgs{"must not start with '..'"});
  CHECK(IsConfigMapKey(".") == Msgs{"must not be '.'"});
  CHECK(IsConfigMapKey("a/b") ==
        Msgs{"a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "
             "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
             "'[-._a-zA-Z0-9]+')"});
  CHECK(IsEnvVarName("MY_VAR").empty());
  CHECK(IsEnvVarName("1VAR").size() == 1);
  CHECK(IsRelaxedEnvVarName("1VAR weird!").empty());
  CHECK(IsRelaxedEnvVarName("A=B") ==
        Msgs{"a valid environment variable name must consist only of printable ASCII characters "
             "other than '='"});
  CHECK(IsCIdentifier("_ok1").empty());
  CHECK(IsCIdentifier("9no").size() == 1);
  CHECK(IsValidPercent("25%").empty());
  CHECK(IsValidPercent("25") ==
        Msgs{"a valid percent string must be a numeric string followed by an ending '%' (e.g. "
             "'1%',  or '93%', regex used for validation is '[0-9]+%')"});
  CHECK(IsHTTPHeaderName("X-Custom").empty());
  CHECK(IsHTTPHeaderName("X Custom").size() == 1);
}

TEST_CASE("IPs, CIDRs, path segments and metadata name validators") {
  CHECK(IsValidIP("10.0.0.1").empty());
  CHECK(IsValidIP("2001:db8::1").empty());
  CHECK(IsValidIP("010.000.0.1").empty());  // accepted like Go's ParseIPSloppy
  CHECK(IsValidIP("1.2.3").size() == 1);
  CHECK(IsValidIP("10.0.0.256") ==
        Msgs{"must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"});
  CHECK(IsValidCIDR("10.42.0.0/16").empty());
  CHECK(IsValidCIDR("10.42.0.0") ==
        Msgs{"must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"});
  CHECK(IsValidPathSegmentName("..") == Msgs{"may not be '..'"});
  CHECK(IsValidPathSegmentName("a/b%c") == Msgs{"may not contain '/'", "may not contain '%'"});
  CHECK(IsValidPathSegmentName("system:controller").empty());
  // generateName prefixes may end in '-'.
  CHECK(NameIsDNSSubdomain("web-", true).empty());
  CHECK(NameIsDNSSubdomain("web-", false).size() == 1);
  CHECK(NameIsDNSLabel("web-", true).empty());
  CHECK(IsWildcardDNS1123Subdomain("*.example.com").empty());
  CHECK(IsWildcardDNS1123Subdomain("*example.com").size() == 1);
}

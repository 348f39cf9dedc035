// `skiff agent`: its flag table and the checks that span several settings.
#include "cli/common_flags.h"
#include "cli/flag_tables.h"
#include "skiff/cli/options.h"

namespace skiff::cli {
namespace {

using O = AgentOptions;

Status SetServerUrl(O& o, std::string_view v) {
  Result<HttpUrl> url = ParseHttpUrl(v);
  if (!url.ok()) return url.status();
  if (url->scheme != "https") {
    return InvalidArgumentError("must be an https:// URL (skiff serves its API over HTTPS only)");
  }
  o.server = std::string(v);
  return Status::Ok();
}

constexpr FlagDef<O> kAgentFlags[] = {
    ConfigFlag<O>(),
    {.name = "server",
     .alias = 's',
     .value_name = "URL",
     .usage = "https:// URL of the skiff server to join, e.g. https://10.0.0.1:6443",
     .default_doc = "none; required",
     .set = SetServerUrl,
     .show = [](const O& o) { return o.server; }},
    TokenFlag<O>("shared secret of the server to join; this or --token-file is required"),
    TokenFileFlag<O>(),
    DataDirFlag<O>(),
    NodeNameFlag<O>(),
    NodeIpFlag<O>(),
    EvictionHardFlag<O>(),
    EvictionPressureTransitionFlag<O>(),
    ImageGcHighFlag<O>(),
    ImageGcLowFlag<O>(),
    MinimumImageTtlFlag<O>(),
    LogLevelFlag<O>(),
};

}  // namespace

FlagSet<AgentOptions> AgentFlagSet() {
  FlagSet<AgentOptions> set{"skiff agent", kAgentFlags};
  // One config.yaml serves both commands: the agent skips the server's keys.
  set.IgnoringFileKeys([](std::string_view key) { return ServerFlagSet().Find(key) != nullptr; });
  return set;
}

Result<AgentOptions> ParseAgentArgs(const std::vector<std::string>& args, const Environment& env) {
  AgentOptions o;
  Provenance prov;
  if (Status s = AgentFlagSet().Load(args, env, o, prov); !s.ok()) return s;
  if (o.server.empty()) {
    return InvalidArgumentError(
        "--server is required: the https:// URL of the skiff server to join, e.g. "
        "--server https://10.0.0.1:6443");
  }
  if (o.token.empty() && o.token_file.empty()) {
    return InvalidArgumentError("--token or --token-file is required to join a server");
  }
  if (Status s = CheckOneTokenSource(prov, o); !s.ok()) return s;
  if (Status s = CheckImageGcThresholds(prov, o); !s.ok()) return s;
  if (Status s = FillDataDir(env, prov, o); !s.ok()) return s;
  if (Status s = FillNodeName(env, prov, o); !s.ok()) return s;
  return o;
}

}  // namespace skiff::cli

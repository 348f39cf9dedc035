#include "stream_channels.h"

#include <nlohmann/json.hpp>

#include "skiff/common/base64.h"

namespace skiff::api {
namespace {

struct Known {
  const char* name;
  ChannelProtocol protocol;
};
// Best first.
constexpr Known kKnown[] = {
    {"v5.channel.k8s.io", ChannelProtocol::kV5},
    {"v4.channel.k8s.io", ChannelProtocol::kV4},
    {"v4.base64.channel.k8s.io", ChannelProtocol::kV4Base64},
    {"channel.k8s.io", ChannelProtocol::kV1},
    {"base64.channel.k8s.io", ChannelProtocol::kV1Base64},
};

bool IsBase64(ChannelProtocol p) {
  return p == ChannelProtocol::kV1Base64 || p == ChannelProtocol::kV4Base64;
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

// Go's fmt %v of a []string: [a b c].
std::string GoList(const std::vector<std::string>& items) {
  std::string s = "[";
  for (size_t i = 0; i < items.size(); ++i) s += (i ? " " : "") + items[i];
  return s + "]";
}

}  // namespace

std::string ChannelProtocolName(ChannelProtocol protocol) {
  for (const Known& k : kKnown) {
    if (k.protocol == protocol) return k.name;
  }
  return "";
}

std::vector<std::string> SupportedChannelProtocols() {
  std::vector<std::string> names;
  for (const Known& k : kKnown) names.emplace_back(k.name);
  return names;
}

std::optional<NegotiatedProtocol> NegotiateChannelProtocol(const std::string& offered) {
  if (Trim(offered).empty()) return NegotiatedProtocol{ChannelProtocol::kV1, ""};
  size_t start = 0;
  while (start <= offered.size()) {
    size_t end = offered.find(',', start);
    if (end == std::string::npos) end = offered.size();
    std::string name = Trim(std::string_view(offered).substr(start, end - start));
    for (const Known& k : kKnown) {
      if (name == k.name) return NegotiatedProtocol{k.protocol, name};
    }
    start = end + 1;
  }
  return std::nullopt;
}

WebSocketMessage EncodeChannelMessage(ChannelProtocol protocol, StreamChannel channel,
                                      std::string_view data) {
  WebSocketMessage m;
  if (IsBase64(protocol)) {
    m.binary = false;
    m.data.push_back(static_cast<char>('0' + static_cast<uint8_t>(channel)));
    m.data += Base64Encode(data);
  } else {
    m.binary = true;
    m.data.reserve(data.size() + 1);
    m.data.push_back(static_cast<char>(static_cast<uint8_t>(channel)));
    m.data.append(data);
  }
  return m;
}

std::optional<ChannelMessage> DecodeChannelMessage(ChannelProtocol protocol,
                                                   const WebSocketMessage& message) {
  if (message.data.empty()) return std::nullopt;
  ChannelMessage out;
  if (IsBase64(protocol)) {
    char c = message.data[0];
    if (c < '0' || c > '9') return std::nullopt;
    out.channel = static_cast<uint8_t>(c - '0');
    auto decoded = Base64Decode(std::string_view(message.data).substr(1));
    if (!decoded) return std::nullopt;
    out.data = std::move(*decoded);
  } else {
    out.channel = static_cast<uint8_t>(message.data[0]);
    out.data = message.data.substr(1);
  }
  return out;
}

std::string ExitStatusPayload(ChannelProtocol protocol, int exit_code, const std::string& error,
                              const std::vector<std::string>& command) {
  // Field order as Go marshals metav1.Status.
  nlohmann::ordered_json status;
  status["metadata"] = nlohmann::ordered_json::object();
  if (error.empty() && exit_code == 0) {
    status["status"] = "Success";
  } else if (error.empty()) {
    std::string what = command.empty() ? "exit code " + std::to_string(exit_code)
                                       : "error executing command " + GoList(command) +
                                             ", exit code " + std::to_string(exit_code);
    status["status"] = "Failure";
    status["message"] = "command terminated with non-zero exit code: " + what;
    status["reason"] = "NonZeroExitCode";
    status["details"] = {
        {"causes", nlohmann::ordered_json::array(
                       {{{"reason", "ExitCode"}, {"message", std::to_string(exit_code)}}})}};
  } else {
    status["status"] = "Failure";
    status["message"] = "Internal error occurred: " + error;
    status["reason"] = "InternalError";
    status["details"] = {{"causes", nlohmann::ordered_json::array({{{"message", error}}})}};
    status["code"] = 500;
  }
  if (protocol == ChannelProtocol::kV4 || protocol == ChannelProtocol::kV4Base64 ||
      protocol == ChannelProtocol::kV5) {
    return status.dump();
  }
  // Before v4 only a failure is reported, as its message.
  if (status["status"] == "Success") return "";
  return status["message"].get<std::string>();
}

std::optional<TerminalSize> ParseTerminalSize(std::string_view data) {
  try {
    auto j = nlohmann::json::parse(data);
    if (!j.is_object()) return std::nullopt;
    TerminalSize size;
    const auto w = j.find("Width");
    const auto h = j.find("Height");
    if (w == j.end() || h == j.end() || !w->is_number_unsigned() || !h->is_number_unsigned()) {
      return std::nullopt;
    }
    uint64_t wv = w->get<uint64_t>(), hv = h->get<uint64_t>();
    if (wv > 65535 || hv > 65535) return std::nullopt;  // uint16 in kubelet
    size.width = static_cast<int>(wv);
    size.height = static_cast<int>(hv);
    return size;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace skiff::api

#include <cstdio>

#include "skiff/node/container_logs.h"

namespace skiff::node {
namespace {

// Percent-encodes everything but RFC 3986 unreserved characters and '/'.
std::string Escape(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::string PodLogsDir(const std::string& root, const std::string& ns, const std::string& pod,
                       const std::string& uid) {
  std::string dir = root;
  if (!dir.empty() && dir.back() == '/') dir.pop_back();
  return dir + "/" + ns + "_" + pod + "_" + uid;
}

std::string ContainerLogPath(const std::string& pod_logs_dir, const std::string& container,
                             int64_t restart_count) {
  return pod_logs_dir + "/" + container + "/" + std::to_string(restart_count) + ".log";
}

namespace {

// The driver's key/value pairs without attach settings.
std::vector<std::string> BaseArgs(const std::string& log_path, int64_t max_size, int max_files) {
  return {std::string(kLogDriverArg), "", "path", log_path, "max-size", std::to_string(max_size),
          "max-files", std::to_string(max_files)};
}

// binary://<binary>?k=v&k=v... with the values escaped.
std::string UriOf(const std::string& skiff_binary, const std::vector<std::string>& args) {
  std::string uri = "binary://" + Escape(skiff_binary) + "?";
  for (size_t i = 0; i + 1 < args.size(); i += 2) {
    uri += (i == 0 ? "" : "&") + args[i] + "=" + Escape(args[i + 1]);
  }
  return uri;
}

}  // namespace

std::string LogDriverUri(const std::string& skiff_binary, const std::string& log_path,
                         int64_t max_size, int max_files) {
  return UriOf(skiff_binary, BaseArgs(log_path, max_size, max_files));
}

std::string LogDriverUri(const std::string& skiff_binary, const std::string& log_path,
                         int64_t max_size, int max_files, const LogDriverAttach& attach) {
  return UriOf(skiff_binary, LogDriverArgs(log_path, max_size, max_files, attach));
}

std::vector<std::string> LogDriverArgs(const std::string& log_path, int64_t max_size, int max_files,
                                       const LogDriverAttach& attach) {
  std::vector<std::string> args = BaseArgs(log_path, max_size, max_files);
  if (!attach.socket.empty()) args.insert(args.end(), {"attach", attach.socket});
  if (!attach.stdin_fifo.empty()) {
    args.insert(args.end(),
                {"stdin", attach.stdin_fifo, "stdin-once", attach.stdin_once ? "true" : "false"});
  }
  args.insert(args.end(), {"tty", attach.tty ? "true" : "false"});
  return args;
}

}  // namespace skiff::node

// Container logs: the writer that turns a container's stdout/stderr into Kubernetes (CRI) log
// files, and the reader that serves them to the `log` subresource.
//
// File format, one entry per line, as kubelet and containerd write it:
//   <RFC 3339 timestamp, UTC, 9 fraction digits> <stdout|stderr> <F|P> <content>\n
// An output line longer than 16 KiB is split into 16 KiB pieces tagged P, the last piece F; the
// line's own newline is not part of the content. Files live at
//   <root>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log          (the live file)
//   <live>.<YYYYMMDD-hhmmss>[.<n>]                                          (rotated, UTC, plain)
// Rotated names sort by (stamp, n) in the order they were rotated; n appears when a stamp is
// already taken (several rotations in one second, or a clock that went backwards).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "skiff/common/status.h"

namespace skiff::node {

// ---- Paths ---------------------------------------------------------------------------------

// "<root>/<ns>_<pod>_<uid>", e.g. PodLogsDir("/var/log/pods", "default", "web", "1234-...").
std::string PodLogsDir(const std::string& root, const std::string& ns, const std::string& pod,
                       const std::string& uid);

// "<pod_logs_dir>/<container>/<restart_count>.log". `kubectl logs -p` reads restart_count - 1.
std::string ContainerLogPath(const std::string& pod_logs_dir, const std::string& container,
                             int64_t restart_count);

// ---- The log driver (a process of its own) --------------------------------------------------

// The argv marker the node agent puts in the shim's stdout/stderr URI, e.g.
//   binary:///usr/bin/skiff?skiff-log-driver=&path=/var/log/pods/.../0.log&max-size=10485760
// (use the same URI for stdout and stderr). main() runs RunLogDriver when argv holds this
// element and CONTAINER_ID is in the environment.
inline constexpr std::string_view kLogDriverArg = "skiff-log-driver";

// The stdout (and stderr: use the same) URI for the shim's Create that starts the log driver:
//   binary://<skiff_binary>?skiff-log-driver=&path=<log_path>&max-size=<n>&max-files=<n>
// Every byte outside [A-Za-z0-9-._~/] is percent-encoded, because the shim decodes the URI with
// Go's url.Parse ('+' would become a space, ';' drops the pair). Both paths must be absolute.
std::string LogDriverUri(const std::string& skiff_binary, const std::string& log_path,
                         int64_t max_size, int max_files);

// Runs the log driver and returns the process exit code; call it from main() only, in a
// process that has no other threads (it blocks SIGTERM and reads it through a signalfd).
//
// Contract with containerd-shim-runc-v2's binary:// logging: fd 3 is the container's stdout,
// fd 4 its stderr, fd 5 a readiness pipe. argv[1..] are key/value pairs in any order (the shim
// passes the URI query that way): `skiff-log-driver` (value ignored), `path` (absolute path of the
// live log file, required), `max-size` (bytes, or a quantity such as 10Mi; default 10 MiB),
// `max-files` (live plus rotated files kept, >= 1; default 5). Unknown keys are ignored.
//
// Behaviour: creates the parent directory (0755) and opens/creates `path` (0640, append) BEFORE
// signalling readiness, so once the shim's Create returns the file exists iff the driver runs.
// Then copies both streams into CRI entries (one 16 KiB line buffer per stream, so a line is
// never split between streams; a final unterminated piece at EOF is written as F), timestamps
// from CLOCK_REALTIME. Before an entry would take the file past max-size it renames the file to
// `<path>.<YYYYMMDD-hhmmss>` (UTC), opens a new one and deletes the oldest rotated files beyond
// max-files - 1. Write errors (disk full) drop output but keep draining the pipes, so the
// container never blocks on a driver that cannot write. Exits 0 when both streams reach EOF.
//
// Signals: SIGPIPE, SIGHUP and SIGINT are ignored. SIGTERM means "finish up", as for containerd's
// own binary loggers (the shim sends SIGTERM when the task's IO is closed and SIGKILLs 12 s
// later): the driver reads what is already in the pipes, writes it, and exits 0.
// Errors (bad arguments, file cannot be created) go to stderr and give exit code 1 without
// signalling readiness.
int RunLogDriver(int argc, char** argv);

// ---- The reader (the `log` subresource) ----------------------------------------------------

struct LogOptions {
  bool follow = false;
  std::optional<int64_t> tail_lines;  // >= 0: only the last N whole lines (counted across files)
  std::optional<std::chrono::system_clock::time_point> since_time;  // skip lines older than this
  bool timestamps = false;             // prefix each line with "<RFC3339 9-digit UTC> "
  std::optional<int64_t> limit_bytes;  // > 0: stop after this many output bytes (may cut a line)
  std::string stream;                  // "" or "all" (both), "stdout", "stderr"; case-insensitive
};

// Writes the container's log to `sink` as kubectl expects: every line's content followed by '\n'
// (P pieces are joined into one line with one timestamp, that of its first piece), reading the
// rotated files oldest first and then the live file at `path`. Lines are the unit of since_time,
// tail_lines and the stream filter. Interleaved pieces of the two streams are kept apart: a
// partial line is held (up to 64 KiB, then passed on in pieces) until its F piece arrives, and a
// line still unterminated when reading ends is written without a trailing newline. Malformed
// entries (hand edits, a crash mid-write) are skipped; nothing in a file can make it fail or
// allocate without bound.
//
// Without follow it returns at the end of the files. With follow it then waits for more output
// (inotify on the log directory, re-checked every 250 ms; without inotify it polls at that
// rate), keeps following across rotations, and returns when `stop()` returns true, when
// `still_running()` returns false and the file is drained (plus one quiet 250 ms round for the
// driver to catch up), when limit_bytes is reached, or when `sink` returns false (client gone).
//
// `sink` receives output in chunks of about 32 KiB (more when one line is longer), and pending
// output is flushed before every wait.
// Callbacks run on the calling thread. Concurrent calls (also on the same file) are safe; each
// call owns its descriptors. Errors: kInvalidArgument for bad options, kNotFound when neither the
// live file nor a rotated file exists, kUnavailable for read errors (naming the file). A stop,
// the end of the container or a refusing sink is not an error.
Status ReadContainerLog(const std::string& path, const LogOptions& options,
                        const std::function<bool(std::string_view)>& sink,
                        const std::function<bool()>& still_running,
                        const std::function<bool()>& stop);

}  // namespace skiff::node

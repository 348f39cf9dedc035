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
#include <vector>

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

// What makes a container attachable (pods/attach): the driver's attach socket and, for a
// container with `stdin: true`, the FIFO the shim reads the container's stdin from.
struct LogDriverAttach {
  std::string socket;      // absolute, shorter than 108 bytes (sun_path)
  std::string stdin_fifo;  // "" (no stdin) or an existing FIFO (absolute)
  bool stdin_once = false;
  bool tty = false;
};

// LogDriverUri plus `&attach=<socket>[&stdin=<fifo>&stdin-once=<bool>]&tty=<bool>`.
std::string LogDriverUri(const std::string& skiff_binary, const std::string& log_path,
                         int64_t max_size, int max_files, const LogDriverAttach& attach);

// The driver's argv[1..] (key/value pairs) for the same settings, for SpawnLogDriver.
std::vector<std::string> LogDriverArgs(const std::string& log_path, int64_t max_size, int max_files,
                                       const LogDriverAttach& attach);

// Starts the log driver as a daemon of its own (double fork, new session: it outlives the
// caller and is never the caller's child), reading the FIFOs `stdout_fifo` and `stderr_fifo`
// (opened read-only and non-blocking before it starts; it waits for their writers and ends
// when the last writer closes after one came). Used for a container with stdin but no
// terminal: containerd-shim-runc-v2 does not connect stdin for binary:// IO, only for FIFO
// IO, so such a container gets FIFOs (fifo scheme) and this driver behind them. Returns once
// the driver signalled readiness (its file exists and its attach socket listens), with
// kInternal naming the binary when it did not within 10 s or exited. Thread-safe (the caller
// may have threads: only async-signal-safe calls run between fork and exec).
// To end a driver whose writers never came, open each FIFO for writing and close it.
// `cgroup_procs`: cgroup.procs files the driver joins before it starts (the shims' cgroup, so
// that it outlives a stop of skiff's service like a shim's own driver); a failure to join is
// ignored.
Status SpawnLogDriver(const std::string& skiff_binary, const std::vector<std::string>& args,
                      const std::string& container_id, const std::string& stdout_fifo,
                      const std::string& stderr_fifo,
                      const std::vector<std::string>& cgroup_procs = {});

// Runs the log driver and returns the process exit code; call it from main() only, in a
// process that has no other threads (it blocks SIGTERM and reads it through a signalfd).
//
// Contract with containerd-shim-runc-v2's binary:// logging: fd 3 is the container's stdout,
// fd 4 its stderr, fd 5 a readiness pipe. argv[1..] are key/value pairs in any order (the shim
// passes the URI query that way): `skiff-log-driver` (value ignored), `path` (absolute path of the
// live log file, required), `max-size` (bytes, or a quantity such as 10Mi; default 10 MiB),
// `max-files` (live plus rotated files kept, >= 1; default 5), and for attach (see
// LogDriverAttach): `attach` (socket path), `stdin` (FIFO path), `stdin-once` and `tty`
// ("true"/"false"). Unknown keys are ignored.
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
//
// Attach (with `attach`): before readiness the driver listens on the socket (0600, parent
// directory made 0700; the file is removed when the driver exits) and, with `stdin`, opens the
// FIFO O_RDWR|O_NONBLOCK and holds it for the container's life, so the container blocks
// reading stdin (never sees EOF) until a client writes. Every chunk read from fd 3/4 goes, as
// read (no waiting for a newline), to every client as a stdout/stderr frame
// (src/node/logs/attach_frames.h) besides the log file. Each client's queue is bounded (1 MiB);
// a client over it is disconnected with a warning, so a slow client never stalls the container
// or the log. Clients' stdin frames (after a hello saying the session uses stdin) are written
// to the FIFO non-blocking; while bytes are pending no client is read. With `stdin-once` and
// no `tty` (as containerd's CRI attach) the driver closes the FIFO (the container sees EOF) when
// the first session that used stdin ends or closes its stdin; without it stdin stays open across
// sessions. With `tty`, fd 3 is the console and fd 4 is closed unread. When both streams end the
// driver gives clients up to 2 s to take what is queued, closes them (they see EOF) and exits.
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

// The log driver's attach side (internal to skiff_logs): a unix socket whose clients get every
// chunk of the container's output as frames (attach_frames.h), and the container's stdin FIFO,
// into which the clients' stdin frames are forwarded.
//
// Single-threaded and never blocking: the driver's poll loop asks for the hub's descriptors
// (AddPollFds) and hands back their events (HandlePoll). Output is queued per client (at most
// max_queue bytes; a client over it is disconnected with a warning, so a slow client never
// stalls the container or the log). Stdin is written non-blocking with a pending buffer; while
// bytes are pending the hub reads no client (flow control reaches the client's socket).
#pragma once

#include <poll.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "attach_frames.h"
#include "skiff/common/status.h"
#include "skiff/common/unique_fd.h"

namespace skiff::node::logs {

struct AttachHubOptions {
  std::string socket_path;  // required; created 0600 (parent made 0700), removed by ~AttachHub
  std::string stdin_path;   // "" or an existing FIFO, opened O_RDWR|O_NONBLOCK and held
  // Close the container's stdin when the first session that used stdin ends (or closes its
  // stdin). Without it a session closing its stdin changes nothing for the container.
  bool stdin_once = false;
  size_t max_queue = 1 << 20;
};

class AttachHub {
 public:
  // Errors (kInvalidArgument for a socket path over the sun_path limit, kInternal for socket
  // or FIFO failures) name the path.
  static Result<std::unique_ptr<AttachHub>> Open(const AttachHubOptions& options);
  // Closes every client and the stdin FIFO, removes the socket file.
  ~AttachHub();
  AttachHub(const AttachHub&) = delete;
  AttachHub& operator=(const AttachHub&) = delete;

  // Queues `data` as one or more frames of `kind` for every client and sends what the sockets
  // take now.
  void Broadcast(FrameKind kind, std::string_view data);
  // Appends the descriptors to poll, remembering where they start.
  void AddPollFds(std::vector<pollfd>* fds);
  // Handles the events of the descriptors AddPollFds appended (fds[first..]).
  void HandlePoll(const std::vector<pollfd>& fds);
  // The container's output ended: sends what is queued (for at most `flush` in all), then
  // closes every client (they see EOF) and stops accepting.
  void Finish(std::chrono::milliseconds flush);

  size_t clients() const { return clients_.size(); }

 private:
  struct Client {
    UniqueFd fd;
    std::string out;  // queued frames
    size_t out_off = 0;
    FrameDecoder decoder;
    bool hello = false;
    bool uses_stdin = false;
    bool dead = false;
  };

  explicit AttachHub(AttachHubOptions options) : options_(std::move(options)) {}
  void Accept();
  void ReadClient(Client& c);
  void OnFrame(Client& c, FrameKind kind, std::string_view payload);
  void SendQueued(Client& c);
  void Drop(Client& c, const char* why);
  void StdinSessionEnded();
  void FlushStdin();
  void Reap();

  const AttachHubOptions options_;
  UniqueFd listen_;
  UniqueFd stdin_;
  std::string stdin_pending_;
  std::string read_buf_;  // ReadClient's, kept between reads
  bool close_stdin_ = false;  // close once pending is written
  std::vector<std::unique_ptr<Client>> clients_;
  size_t first_ = 0;             // index of the hub's first pollfd
  std::vector<Client*> polled_;  // the clients, in the order AddPollFds added them
  bool polled_listen_ = false;
  bool polled_stdin_ = false;
};

}  // namespace skiff::node::logs

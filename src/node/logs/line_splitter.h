// Cuts one output stream into CRI pieces (internal to skiff_logs).
//
// Lines end at '\n' (not written). A line longer than max_piece bytes is cut into pieces of
// exactly max_piece bytes marked partial, the rest ending the line; a line of exactly max_piece
// bytes is one full piece, as containerd's CRI logger does. Holds at most max_piece bytes.
// Not thread-safe; one splitter per stream.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace skiff::node::logs {

inline constexpr size_t kMaxLogPiece = 16 * 1024;

class LineSplitter {
 public:
  // Receives each piece; `content` is only valid during the call.
  using PieceFn = std::function<void(bool partial, std::string_view content)>;

  explicit LineSplitter(size_t max_piece = kMaxLogPiece) : max_piece_(max_piece) {}

  // Splits `data` (any chunk of the stream) and emits every piece it completes.
  void Feed(std::string_view data, const PieceFn& emit);
  // End of stream: an unterminated rest is emitted as a full piece.
  void Finish(const PieceFn& emit);
  size_t buffered() const { return pending_.size(); }

 private:
  size_t max_piece_;
  std::string pending_;  // the start of the current line, at most max_piece_ bytes
};

}  // namespace skiff::node::logs

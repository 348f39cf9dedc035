// Status and Result: how every skiff module reports failure across its edges.
//
// A Status is a code plus a human-readable message that names the object and the cause.
// Modules never throw across their public interfaces; they return Status or Result<T>.
// Both types are cheap to move and safe to copy; neither is thread-safe for concurrent mutation.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace skiff {

enum class Code {
  kOk = 0,
  kNotFound,           // the object or key does not exist
  kAlreadyExists,      // create of something that exists
  kConflict,           // compare-and-swap failed: the object changed meanwhile
  kGone,               // the requested revision was compacted away
  kInvalidArgument,    // the caller's input is wrong
  kTooLarge,           // a value over the size limit
  kResourceExhausted,  // out of disk, memory or a bounded buffer
  kUnavailable,        // transient: shutting down, busy; retry may succeed
  kCorrupt,            // stored data is damaged or foreign; never overwritten
  kUnimplemented,      // the capability is not built (yet)
  kInternal,           // a bug or an unexpected failure below us
};

// The stable lower-case name of a code, e.g. "not found".
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "ok".
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status NotFoundError(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
inline Status ConflictError(std::string m) { return {Code::kConflict, std::move(m)}; }
inline Status GoneError(std::string m) { return {Code::kGone, std::move(m)}; }
inline Status InvalidArgumentError(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status TooLargeError(std::string m) { return {Code::kTooLarge, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) {
  return {Code::kResourceExhausted, std::move(m)};
}
inline Status UnavailableError(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status CorruptError(std::string m) { return {Code::kCorrupt, std::move(m)}; }
inline Status UnimplementedError(std::string m) { return {Code::kUnimplemented, std::move(m)}; }
inline Status InternalError(std::string m) { return {Code::kInternal, std::move(m)}; }

// Either a value or a non-OK Status. Accessing value() of an error is a programming error
// (checked with an assertion-like abort), so callers test ok() first.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) v_ = Status(Code::kInternal, "Result built from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace skiff

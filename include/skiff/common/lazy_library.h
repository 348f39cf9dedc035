// A shared library opened at its first use instead of by the dynamic loader at start.
//
// skiff is one binary that runs as many processes: the server, and per container a log
// driver (started by the shim for every container) and the CLI. The log driver needs none of
// libcurl or libarchive, yet the dynamic loader maps and relocates every library the binary
// names, with all their dependencies, before main: for libcurl and libarchive that is about
// 35 of the binary's 46 libraries, some 4 ms of CPU and 0.9 MB of private memory per process.
// Forwarding functions with the libraries' own names (runtime/lazy/*_forward.cc) resolve the
// real ones through a LazyLibrary, so the callers keep using the libraries' headers unchanged.
//
// Thread-safe. A library or symbol that cannot be loaded is an installation fault: the
// process stops with a message naming the library, the symbol and dlerror(), as the dynamic
// loader itself would have at start.
#pragma once

#include <mutex>

namespace skiff {

class LazyLibrary {
 public:
  // `soname` as dlopen takes it, e.g. "libcurl.so.4".
  explicit constexpr LazyLibrary(const char* soname) : soname_(soname) {}
  LazyLibrary(const LazyLibrary&) = delete;
  LazyLibrary& operator=(const LazyLibrary&) = delete;

  // The address of `name` in the library (opened on the first call); never null.
  void* Symbol(const char* name);

  // `name` as a pointer of the function type F.
  template <typename F>
  F Function(const char* name) {
    return reinterpret_cast<F>(Symbol(name));
  }

 private:
  const char* const soname_;
  std::once_flag once_;
  void* handle_ = nullptr;
};

}  // namespace skiff

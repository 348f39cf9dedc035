// skiff/common/lazy_library.h: a library opened at the first symbol asked for, and a clear
// stop when it cannot be.
#include "skiff/common/lazy_library.h"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstring>
#include <string>

namespace {

// Runs `fn` in a child with stderr captured; returns (wait status, stderr).
template <typename Fn>
std::pair<int, std::string> InChild(Fn fn) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], 2);
    fn();
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string err;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) err.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {status, err};
}

}  // namespace

TEST_CASE("LazyLibrary resolves functions of the library it opens", "[lazy_library]") {
  skiff::LazyLibrary libc("libc.so.6");
  auto real_strlen = libc.Function<size_t (*)(const char*)>("strlen");
  CHECK(real_strlen("skiff") == 5);
  CHECK(libc.Symbol("strlen") == reinterpret_cast<void*>(real_strlen));
}

TEST_CASE("LazyLibrary stops the process naming a missing library or symbol", "[lazy_library]") {
  auto [status, err] = InChild([] {
    skiff::LazyLibrary missing("libskiff-no-such-library.so.9");
    missing.Symbol("anything");
  });
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGABRT);
  CHECK_THAT(err, Catch::Matchers::Contains("skiff: cannot load libskiff-no-such-library.so.9"));

  std::tie(status, err) = InChild([] {
    skiff::LazyLibrary libc("libc.so.6");
    libc.Symbol("skiff_no_such_symbol");
  });
  CHECK(WIFSIGNALED(status));
  CHECK_THAT(err, Catch::Matchers::Contains("cannot find libc.so.6 symbol skiff_no_such_symbol"));
}

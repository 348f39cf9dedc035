// ExecFifos and WaitForFifoReader (node/agent/exec_fifos.h) on real FIFOs.
#include "node/agent/exec_fifos.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "support/temp_dir.h"

using namespace std::chrono_literals;
using namespace skiff;
using namespace skiff::node;

TEST_CASE("WaitForFifoReader sees a reading end only once one is open") {
  testing::TempDir dir;
  auto fifos = ExecFifos::Make(dir.path(), "e1", /*with_stdin=*/true, /*with_stderr=*/false);
  REQUIRE(fifos.ok());
  const int ours = (*fifos)->stdin_fd.get();  // read-write: a writer, not a reader, here
  const pid_t self = ::getpid();
  CHECK_FALSE(WaitForFifoReader(self, ours, 20ms));
  // An O_PATH handle (the shim's first step) is not a reader.
  UniqueFd path_only(::open((*fifos)->stdin_path.c_str(), O_PATH | O_CLOEXEC));
  REQUIRE(path_only.valid());
  CHECK_FALSE(WaitForFifoReader(self, ours, 20ms));
  // A reader opened a little later (the shim's goroutine) is waited for.
  UniqueFd reader;
  std::thread opener([&] {
    std::this_thread::sleep_for(50ms);
    reader.reset(::open((*fifos)->stdin_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  });
  const bool seen = WaitForFifoReader(self, ours, 5s);
  opener.join();
  REQUIRE(reader.valid());
  CHECK(seen);
  CHECK_FALSE(WaitForFifoReader(0, ours, 1ms));
}

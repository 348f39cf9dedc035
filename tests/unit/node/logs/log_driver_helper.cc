// A minimal program that is only the log driver, exec'ed by the tests (and by the shim in the
// shim test) to prove the fd 3/4/5 and argv contract from outside the test process.
#include "skiff/node/container_logs.h"

int main(int argc, char** argv) { return skiff::node::RunLogDriver(argc, argv); }

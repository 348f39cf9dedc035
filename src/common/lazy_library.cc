#include "skiff/common/lazy_library.h"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace skiff {

namespace {

[[noreturn]] void Fail(const char* what, const char* soname, const char* name) {
  const char* err = dlerror();
  std::fprintf(stderr, "skiff: cannot %s %s%s%s: %s\n", what, soname, name ? " symbol " : "",
               name ? name : "", err ? err : "unknown error");
  std::abort();
}

}  // namespace

void* LazyLibrary::Symbol(const char* name) {
  std::call_once(once_, [this] {
    // RTLD_LOCAL: the library's symbols must not interpose on anything else in the process.
    handle_ = dlopen(soname_, RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) Fail("load", soname_, nullptr);
  });
  dlerror();
  void* sym = dlsym(handle_, name);
  if (sym == nullptr) Fail("find", soname_, name);
  return sym;
}

}  // namespace skiff

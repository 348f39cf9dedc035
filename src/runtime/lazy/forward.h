// Defines a function with a shared library's own name and signature that calls the real one,
// resolved through a LazyLibrary on the first call (see skiff/common/lazy_library.h).
//   SKIFF_FORWARD(Library(), ret, name, (params...), (args...))
// `name` must already be declared by the library's header: the definition is checked
// against that declaration.
#pragma once

#include "skiff/common/lazy_library.h"

#define SKIFF_FORWARD(library, ret, name, params, args)                           \
  extern "C" ret name params {                                                    \
    static const auto real = (library).Function<decltype(&::name)>(#name);        \
    return real args;                                                             \
  }

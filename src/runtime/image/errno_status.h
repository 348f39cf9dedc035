// errno to Status, with the message naming what failed ("cannot create /x/y: No such file").
#pragma once

#include <string>

#include "skiff/common/status.h"

namespace skiff::runtime::image_detail {

// ENOSPC/EDQUOT: kResourceExhausted; ENOENT: kNotFound; EEXIST: kAlreadyExists; others:
// kUnavailable. `what` says the operation and the object, e.g. "cannot open /a/b".
Status ErrnoStatus(int err, const std::string& what);

}  // namespace skiff::runtime::image_detail

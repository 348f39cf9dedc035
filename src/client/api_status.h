// Failed API responses to skiff Statuses, with the codes LocalClient's StatusFromApiError gives
// for the same API errors (so a component behaves the same in-process and remote):
//
//   reason (first)                                  code without a known reason   skiff Code
//   NotFound                                        404                           kNotFound
//   AlreadyExists                                   -                             kAlreadyExists
//   Conflict                                        409                           kConflict
//   Gone, Expired                                   410                           kGone
//   Invalid, BadRequest                             400, 422                      kInvalidArgument
//   RequestEntityTooLarge                           413                           kTooLarge
//   TooManyRequests, ServiceUnavailable,            429, 5xx but 500              kUnavailable
//     Timeout, ServerTimeout
//   InternalError                                   500                           kInternal
//   Unauthorized, Forbidden                         401, 403                      kInternal
//   anything else (MethodNotAllowed, ...)           other                         kInternal
//
// 401 and 403 give kInternal, as LocalClient gives for every code it does not name: a bad
// credential or a missing permission is a deployment fault, not something a retry mends.
// The message is the Status' message; a body that is no Status gives "the server responded
// with HTTP <code>: <the start of the body>". Pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "skiff/common/status.h"

namespace skiff::client {

// `code` is the HTTP status (or a Status object's "code"), `reason` and `message` the Status'
// (either may be empty).
Status StatusFromApiStatus(long code, std::string_view reason, std::string_view message);

// A v1 Status object (as a watch ERROR event carries it): its code, reason and message.
Status StatusFromStatusObject(const nlohmann::json& status);

// A non-2xx HTTP response: the body's Status when it is one, else the HTTP code alone.
Status StatusFromHttpResponse(long http_code, std::string_view body);

}  // namespace skiff::client

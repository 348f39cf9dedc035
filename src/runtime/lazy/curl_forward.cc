// libcurl, opened at the first call (see skiff/common/lazy_library.h): every libcurl function
// skiff calls, with libcurl's names, forwarding to the real ones. A function not listed here
// fails to link, which is the reminder to add it.
//
// curl_easy_setopt and curl_easy_getinfo are variadic: the value is read back with the type
// libcurl itself reads for that option (its number range says which), and passed on as such.
#define CURL_DISABLE_TYPECHECK  // the checking macros would replace our definitions' names
#include <curl/curl.h>

#include <cstdarg>

#include "forward.h"

static_assert(LIBCURL_VERSION_MAJOR == 7 || LIBCURL_VERSION_MAJOR == 8,
              "libcurl 7 and 8 both have the soname libcurl.so.4");

namespace {

skiff::LazyLibrary& Curl() {
  static skiff::LazyLibrary library("libcurl.so.4");
  return library;
}

using AnyFunction = void (*)();

}  // namespace

SKIFF_FORWARD(Curl(), CURL*, curl_easy_init, (void), ())
SKIFF_FORWARD(Curl(), CURLcode, curl_easy_perform, (CURL * handle), (handle))
SKIFF_FORWARD(Curl(), void, curl_easy_cleanup, (CURL * handle), (handle))
SKIFF_FORWARD(Curl(), void, curl_easy_reset, (CURL * handle), (handle))
SKIFF_FORWARD(Curl(), const char*, curl_easy_strerror, (CURLcode code), (code))
SKIFF_FORWARD(Curl(), void, curl_free, (void* p), (p))
SKIFF_FORWARD(Curl(), curl_slist*, curl_slist_append, (curl_slist * list, const char* data),
              (list, data))
SKIFF_FORWARD(Curl(), void, curl_slist_free_all, (curl_slist * list), (list))
SKIFF_FORWARD(Curl(), CURLU*, curl_url, (void), ())
SKIFF_FORWARD(Curl(), void, curl_url_cleanup, (CURLU * handle), (handle))
SKIFF_FORWARD(Curl(), CURLUcode, curl_url_get,
              (CURLU * handle, CURLUPart what, char** part, unsigned int flags),
              (handle, what, part, flags))
SKIFF_FORWARD(Curl(), CURLUcode, curl_url_set,
              (CURLU * handle, CURLUPart what, const char* part, unsigned int flags),
              (handle, what, part, flags))

SKIFF_FORWARD(Curl(), CURLM*, curl_multi_init, (void), ())
SKIFF_FORWARD(Curl(), CURLMcode, curl_multi_cleanup, (CURLM * multi), (multi))
SKIFF_FORWARD(Curl(), CURLMcode, curl_multi_add_handle, (CURLM * multi, CURL* handle),
              (multi, handle))
SKIFF_FORWARD(Curl(), CURLMcode, curl_multi_remove_handle, (CURLM * multi, CURL* handle),
              (multi, handle))
SKIFF_FORWARD(Curl(), CURLMcode, curl_multi_perform, (CURLM * multi, int* running),
              (multi, running))
SKIFF_FORWARD(Curl(), CURLMcode, curl_multi_poll,
              (CURLM * multi, curl_waitfd* extra_fds, unsigned int extra_nfds, int timeout_ms,
               int* numfds),
              (multi, extra_fds, extra_nfds, timeout_ms, numfds))
SKIFF_FORWARD(Curl(), CURLMcode, curl_multi_wakeup, (CURLM * multi), (multi))
SKIFF_FORWARD(Curl(), CURLMsg*, curl_multi_info_read, (CURLM * multi, int* msgs_in_queue),
              (multi, msgs_in_queue))
SKIFF_FORWARD(Curl(), const char*, curl_multi_strerror, (CURLMcode code), (code))

extern "C" CURLcode curl_easy_setopt(CURL* handle, CURLoption option, ...) {
  static const auto real = Curl().Function<decltype(&::curl_easy_setopt)>("curl_easy_setopt");
  va_list ap;
  va_start(ap, option);
  CURLcode rc;
  if (option < CURLOPTTYPE_OBJECTPOINT) {
    rc = real(handle, option, va_arg(ap, long));
  } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
    rc = real(handle, option, va_arg(ap, void*));  // objects, strings, lists, callback data
  } else if (option < CURLOPTTYPE_OFF_T) {
    rc = real(handle, option, va_arg(ap, AnyFunction));
  } else if (option < CURLOPTTYPE_BLOB) {
    rc = real(handle, option, va_arg(ap, curl_off_t));
  } else {
    rc = real(handle, option, va_arg(ap, curl_blob*));
  }
  va_end(ap);
  return rc;
}

extern "C" CURLcode curl_easy_getinfo(CURL* handle, CURLINFO info, ...) {
  static const auto real = Curl().Function<decltype(&::curl_easy_getinfo)>("curl_easy_getinfo");
  va_list ap;
  va_start(ap, info);
  void* out = va_arg(ap, void*);  // always a pointer to where the value goes
  va_end(ap);
  return real(handle, info, out);
}

// libarchive, opened at the first call (see skiff/common/lazy_library.h): every libarchive
// function skiff calls, with libarchive's names, forwarding to the real ones. A function not
// listed here fails to link, which is the reminder to add it.
#include <archive.h>
#include <archive_entry.h>

#include <cstdarg>
#include <cstdio>

#include "forward.h"

static_assert(ARCHIVE_VERSION_NUMBER >= 3000000 && ARCHIVE_VERSION_NUMBER < 4000000,
              "libarchive 3 has the soname libarchive.so.13");

namespace {

skiff::LazyLibrary& Archive() {
  static skiff::LazyLibrary library("libarchive.so.13");
  return library;
}

}  // namespace

#define SKIFF_ARCHIVE(ret, name) SKIFF_FORWARD(Archive(), ret, name, (archive * a), (a))
#define SKIFF_ENTRY(ret, name) SKIFF_FORWARD(Archive(), ret, name, (archive_entry * e), (e))

SKIFF_FORWARD(Archive(), archive*, archive_read_new, (void), ())
SKIFF_ARCHIVE(int, archive_read_free)
SKIFF_ARCHIVE(const char*, archive_error_string)
SKIFF_ARCHIVE(int, archive_read_support_filter_bzip2)
SKIFF_ARCHIVE(int, archive_read_support_filter_gzip)
SKIFF_ARCHIVE(int, archive_read_support_filter_xz)
SKIFF_ARCHIVE(int, archive_read_support_filter_zstd)
SKIFF_ARCHIVE(int, archive_read_support_format_raw)
SKIFF_ARCHIVE(int, archive_read_support_format_tar)
SKIFF_FORWARD(Archive(), int, archive_read_open,
              (archive * a, void* data, archive_open_callback* open, archive_read_callback* read,
               archive_close_callback* close),
              (a, data, open, read, close))
SKIFF_FORWARD(Archive(), int, archive_read_open_filename,
              (archive * a, const char* filename, size_t block_size), (a, filename, block_size))
SKIFF_FORWARD(Archive(), int, archive_read_next_header, (archive * a, archive_entry * *entry),
              (a, entry))
SKIFF_FORWARD(Archive(), la_ssize_t, archive_read_data, (archive * a, void* buf, size_t size),
              (a, buf, size))
SKIFF_FORWARD(Archive(), int, archive_read_data_block,
              (archive * a, const void** buf, size_t* size, la_int64_t* offset),
              (a, buf, size, offset))

SKIFF_ENTRY(time_t, archive_entry_atime)
SKIFF_ENTRY(long, archive_entry_atime_nsec)
SKIFF_ENTRY(int, archive_entry_atime_is_set)
SKIFF_ENTRY(time_t, archive_entry_mtime)
SKIFF_ENTRY(long, archive_entry_mtime_nsec)
SKIFF_ENTRY(__LA_MODE_T, archive_entry_filetype)
SKIFF_ENTRY(__LA_MODE_T, archive_entry_perm)
SKIFF_ENTRY(la_int64_t, archive_entry_uid)
SKIFF_ENTRY(la_int64_t, archive_entry_gid)
SKIFF_ENTRY(la_int64_t, archive_entry_size)
SKIFF_ENTRY(int, archive_entry_size_is_set)
SKIFF_ENTRY(dev_t, archive_entry_rdevmajor)
SKIFF_ENTRY(dev_t, archive_entry_rdevminor)
SKIFF_ENTRY(const char*, archive_entry_pathname)
SKIFF_ENTRY(const char*, archive_entry_hardlink)
SKIFF_ENTRY(const char*, archive_entry_symlink)
SKIFF_ENTRY(int, archive_entry_xattr_reset)
SKIFF_FORWARD(Archive(), int, archive_entry_xattr_next,
              (archive_entry * e, const char** name, const void** value, size_t* size),
              (e, name, value, size))

// Variadic (printf-like): the message is formatted here and handed on whole.
extern "C" void archive_set_error(archive* a, int err, const char* fmt, ...) {
  static const auto real = Archive().Function<decltype(&::archive_set_error)>("archive_set_error");
  char message[1024];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  real(a, err, "%s", message);
}

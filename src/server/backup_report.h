// The lines `skiff backup` and `skiff restore` print. Private to skiff_server.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

#include "skiff/store/backup_archive.h"

namespace skiff::server {

// "96 B", "812.0 KiB", "1.5 MiB", "2.0 GiB".
std::string HumanSize(int64_t bytes);

// Prints "<command>: copied N of T pages of the store" to `out` after a step of a copy that
// passes another tenth of the total, and after the last; nothing when the first step copies
// everything (a small store).
store::CopyProgress PageProgress(std::ostream& out, std::string command);

// "the store at revision 42 with 17 objects, and 8 files of server/tls and server/token".
std::string Contents(const store::BackupInfo& info, std::size_t files);

}  // namespace skiff::server

// Reads and prunes the host-local IPAM plugin's store: <data_dir>/<network>/ holds one file
// per reserved address, named by the address and containing "<container id>\r\n<ifname>",
// plus last_reserved_ip.N and a lock file that host-local flock(2)s while it allocates.
// Internal to skiff_cni. Thread-safe (every call takes host-local's own lock when writing).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::net {

struct Reservation {
  std::string ip;        // the file name: "10.42.0.7" or "fd00::7"
  std::string owner_id;  // the container (sandbox) id
  std::string ifname;    // empty for files written by old host-local versions
};

// Every reservation in `network_dir` (= <data_dir>/<network>), sorted by address text.
// An absent directory is an empty list.
Result<std::vector<Reservation>> ListReservations(const std::string& network_dir);

// Deletes the reservation files whose owner `keep` rejects, holding host-local's lock so no
// allocation runs meanwhile. Returns the released addresses.
Result<std::vector<std::string>> ReleaseReservations(
    const std::string& network_dir, const std::function<bool(const std::string& owner)>& keep);

}  // namespace skiff::net

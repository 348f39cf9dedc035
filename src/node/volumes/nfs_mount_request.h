// What `mount -t nfs` is asked for one NFS volume: the source, the file-system type and the
// options, built from the volume source (server, path, readOnly) and the mount options (a
// PersistentVolume's spec.mountOptions; none for a pod's inline nfs volume). A pure function:
// no I/O. Internal to skiff_volumes.
//
//   source   "server:/path"; an IPv6 server in brackets: "[fd00::5]:/export"
//   fstype   "nfs4" when vers=4* or nfsvers=4* is asked, else "nfs" (mount.nfs negotiates)
//   options  each given option kept, in order (an entry "a,b" is split; blanks dropped), then:
//            "ro" when read-only (a given "rw" is dropped, a given "ro" not repeated);
//            when the user gave none of timeo=, retrans=, retry=, these are added:
//              timeo=100,retrans=3  10 s before the first retransmission (the kernel's TCP
//                                   default is 60 s), so a mount or a hard I/O against a
//                                   server that went away reports "not responding" within
//                                   about a minute; hard mounts still never return EIO
//              retry=0              mount.nfs tries once instead of for 2 minutes: the node
//                                   agent retries the volume itself, with back-off, and bounds
//                                   each attempt with its own timeout
//   port     the port= option (1..65535), else 2049: where the pre-mount check pings
//   versions the NFS versions to ping: {4} or {3} when vers/nfsvers asks one, else {4, 3}
//
// Errors (kInvalidArgument, naming the field): no server, a path that is not absolute, a
// port= that is not a number in 1..65535.
#pragma once

#include <string>
#include <vector>

#include "skiff/common/status.h"

namespace skiff::node::internal {

struct NfsMountRequest {
  std::string server;  // as given, brackets removed ("fd00::5", "10.0.0.5", "nas.local")
  std::string path;    // as given ("/export")
  std::string source;  // "10.0.0.5:/export", "[fd00::5]:/export"
  std::string fstype;  // "nfs" or "nfs4"
  std::vector<std::string> options;
  int port = 2049;
  std::vector<int> versions;  // to ping, in order
  bool read_only = false;

  // "10.0.0.5:2049", "[fd00::5]:2049": the server as the pre-mount checks name it.
  std::string Endpoint() const;
  // The options joined with ',' ("" when none).
  std::string JoinedOptions() const;
};

Result<NfsMountRequest> BuildNfsMountRequest(const std::string& server, const std::string& path,
                                             bool read_only,
                                             const std::vector<std::string>& mount_options);

}  // namespace skiff::node::internal

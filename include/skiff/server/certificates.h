// The cluster certificates of `skiff server`, from its options, and `skiff certificate rotate`.
//
// PkiOptionsFor: the PKI settings a server with these options keeps (auth::EnsurePki): the TLS
// directory <data-dir>/server/tls, the serving certificate's names (node name, node address,
// the kubernetes service address, cluster domain), --certificate-lifetime and
// --certificate-renew-before.
//
// RotateCertificates: re-issues the serving and client certificates now from the same CA (so
// every kubeconfig keeps working) and prints one line per file with its new expiry. A running
// server notices the new files within seconds, serves new connections with them and rewrites
// its kubeconfig; a stopped one uses them at its next start. Safe while the server runs (the
// PKI's lock serializes the two). Returns 0, or 1 after printing "skiff: ..." with the cause to
// `err` (no CA yet: the server has never started with this data directory).
#pragma once

#include <iosfwd>

#include "skiff/auth/pki.h"
#include "skiff/cli/options.h"

namespace skiff::server {

auth::PkiOptions PkiOptionsFor(const cli::ServerOptions& options);

int RotateCertificates(const cli::ServerOptions& options, std::ostream& out, std::ostream& err);

}  // namespace skiff::server

// Incremental SHA-256 (OpenSSL EVP) and the "sha256:<hex>" digests of the OCI formats.
// A Sha256 is used by one thread at a time; the free functions are thread-safe.
// Internal to skiff_image, also used by skiff_registry (manifest digests, token cache keys).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "skiff/common/status.h"

namespace skiff::runtime::image_detail {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(const void* data, size_t size);
  // Starts over, as if new.
  void Reset();
  // "sha256:<64 hex>" of everything fed so far; the hasher is reset afterwards.
  // "" only if OpenSSL failed (then no digest ever matches).
  std::string Digest();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// "sha256:<64 lower-case hex>" of data; "" only if OpenSSL failed.
std::string Sha256Digest(std::string_view data);
// The 64 lower-case hex digits alone; "" only if OpenSSL failed.
std::string Sha256Hex(std::string_view data);

// The digest of a whole file; errors name the path.
Result<std::string> Sha256File(const std::string& path);

}  // namespace skiff::runtime::image_detail

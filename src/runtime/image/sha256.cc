#include "runtime/image/sha256.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "skiff/common/unique_fd.h"

namespace skiff::runtime::image_detail {

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
  bool failed = false;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  Reset();
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::Reset() {
  ctx_->failed = ctx_->md == nullptr || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1;
}

void Sha256::Update(const void* data, size_t size) {
  if (ctx_->failed || size == 0) return;
  if (EVP_DigestUpdate(ctx_->md, data, size) != 1) ctx_->failed = true;
}

std::string Sha256::Digest() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  bool ok = !ctx_->failed && EVP_DigestFinal_ex(ctx_->md, out, &len) == 1 && len == 32;
  Reset();
  if (!ok) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string digest = "sha256:";
  for (unsigned int i = 0; i < len; ++i) {
    digest.push_back(kHex[out[i] >> 4]);
    digest.push_back(kHex[out[i] & 15]);
  }
  return digest;
}

std::string Sha256Digest(std::string_view data) {
  Sha256 h;
  h.Update(data.data(), data.size());
  return h.Digest();
}

std::string Sha256Hex(std::string_view data) {
  static constexpr std::string_view kPrefix = "sha256:";
  std::string digest = Sha256Digest(data);
  return digest.empty() ? digest : digest.substr(kPrefix.size());
}

Result<std::string> Sha256File(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return Status(errno == ENOENT ? Code::kNotFound : Code::kUnavailable,
                  "cannot open " + path + ": " + std::strerror(errno));
  }
  Sha256 h;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return UnavailableError("cannot read " + path + ": " + std::strerror(errno));
    if (n == 0) break;
    h.Update(buf, static_cast<size_t>(n));
  }
  return h.Digest();
}

}  // namespace skiff::runtime::image_detail

#include "skiff/runtime/content_store.h"

#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "image_test_util.h"

namespace skiff::runtime {
namespace {

using testing::Digest;
using testing::ReadAll;
using testing::TempDir;

std::string Payload(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + (i * 7) % 26));
  return s;
}

TEST_CASE("ContentStore commits a verified blob and reads it back") {
  TempDir dir;
  auto store = ContentStore::Open(dir / "content");
  REQUIRE(store.ok());
  const std::string data = Payload(100000);
  const std::string digest = Digest(data);
  CHECK_FALSE((*store)->Has(digest));
  CHECK((*store)->BlobSize(digest).status().code() == Code::kNotFound);

  auto ingest = (*store)->BeginIngest(digest, static_cast<int64_t>(data.size()));
  REQUIRE(ingest.ok());
  CHECK((*ingest)->offset() == 0);
  REQUIRE((*ingest)->Write(data.data(), 4096).ok());
  REQUIRE((*ingest)->Write(data.data() + 4096, data.size() - 4096).ok());
  CHECK_FALSE((*store)->Has(digest));  // not visible before Commit
  REQUIRE((*ingest)->Commit().ok());

  CHECK((*store)->Has(digest));
  CHECK((*store)->BlobPath(digest) == dir / "content/blobs/sha256/" + digest.substr(7));
  CHECK(ReadAll((*store)->BlobPath(digest)) == data);
  CHECK(*(*store)->ReadBlob(digest) == data);
  CHECK(*(*store)->BlobSize(digest) == 100000);
  auto again = (*store)->BeginIngest(digest, -1);
  CHECK(again.status().code() == Code::kAlreadyExists);

  // WriteBlob: verified, idempotent; DeleteBlob: idempotent.
  const std::string small = "{\"a\":1}";
  CHECK((*store)->WriteBlob(Digest(small), small).ok());
  CHECK((*store)->WriteBlob(Digest(small), small).ok());
  CHECK(*(*store)->ReadBlob(Digest(small)) == small);
  auto bad = (*store)->WriteBlob(Digest("other"), small);
  CHECK(bad.code() == Code::kCorrupt);
  CHECK(bad.message() ==
        "blob " + Digest("other") + ": digest mismatch, the data has digest " + Digest(small));
  CHECK((*store)->DeleteBlob(digest).ok());
  CHECK_FALSE((*store)->Has(digest));
  CHECK((*store)->DeleteBlob(digest).ok());

  CHECK(CheckDigest("sha256:" + std::string(64, 'a')).ok());
  CHECK(CheckDigest("sha512:" + std::string(128, 'a')).code() == Code::kInvalidArgument);
  CHECK(CheckDigest("sha256:" + std::string(63, 'a')).code() == Code::kInvalidArgument);
  CHECK((*store)->BlobPath("sha256:../../etc/passwd").empty());
}

TEST_CASE("ContentStore resumes an interrupted ingest after reopening") {
  TempDir dir;
  const std::string data = Payload(300000);
  const std::string digest = Digest(data);
  {
    auto store = ContentStore::Open(dir / "content");
    REQUIRE(store.ok());
    auto ingest = (*store)->BeginIngest(digest, static_cast<int64_t>(data.size()));
    REQUIRE(ingest.ok());
    REQUIRE((*ingest)->Write(data.data(), 120000).ok());
    // Dropped without Commit: the process "crashed" or the download broke.
  }
  struct stat st {};
  REQUIRE(::stat((dir / "content/ingest/" + digest.substr(7) + ".partial").c_str(), &st) == 0);
  CHECK(st.st_size == 120000);

  auto store = ContentStore::Open(dir / "content");
  REQUIRE(store.ok());
  auto ingest = (*store)->BeginIngest(digest, static_cast<int64_t>(data.size()));
  REQUIRE(ingest.ok());
  REQUIRE((*ingest)->offset() == 120000);
  REQUIRE((*ingest)->Write(data.data() + 120000, data.size() - 120000).ok());
  REQUIRE((*ingest)->Commit().ok());
  CHECK(ReadAll((*store)->BlobPath(digest)) == data);
  CHECK(::stat((dir / "content/ingest/" + digest.substr(7) + ".partial").c_str(), &st) != 0);

  // Truncate starts over (a server that ignored the Range header).
  const std::string other = Payload(5000) + "x";
  auto second = (*store)->BeginIngest(Digest(other), -1);
  REQUIRE(second.ok());
  REQUIRE((*second)->Write("garbage", 7).ok());
  REQUIRE((*second)->Truncate().ok());
  CHECK((*second)->offset() == 0);
  REQUIRE((*second)->Write(other.data(), other.size()).ok());
  REQUIRE((*second)->Commit().ok());
  CHECK(*(*store)->ReadBlob(Digest(other)) == other);
}

TEST_CASE("ContentStore refuses a blob whose digest or size does not match") {
  TempDir dir;
  auto store = ContentStore::Open(dir / "content");
  REQUIRE(store.ok());
  const std::string data = Payload(1000);
  const std::string wrong = Digest("something else");
  auto ingest = (*store)->BeginIngest(wrong, -1);
  REQUIRE(ingest.ok());
  REQUIRE((*ingest)->Write(data.data(), data.size()).ok());
  Status s = (*ingest)->Commit();
  CHECK(s.code() == Code::kCorrupt);
  CHECK(s.message() == "blob " + wrong + ": digest mismatch, the data has digest " + Digest(data));
  CHECK_FALSE((*store)->Has(wrong));
  // The bad partial file is gone: the next attempt starts from zero.
  auto retry = (*store)->BeginIngest(wrong, -1);
  REQUIRE(retry.ok());
  CHECK((*retry)->offset() == 0);
  (*retry)->Abort();

  const std::string digest = Digest(data);
  auto sized = (*store)->BeginIngest(digest, 999);
  REQUIRE(sized.ok());
  Status over = (*sized)->Write(data.data(), data.size());
  CHECK(over.code() == Code::kCorrupt);
  CHECK(over.message() == "blob " + digest + ": more data than the expected 999 bytes");
  CHECK((*sized)->offset() == 0);

  auto shorter = (*store)->BeginIngest(Digest("abc"), 4);
  REQUIRE(shorter.ok());
  REQUIRE((*shorter)->Write("abc", 3).ok());
  s = (*shorter)->Commit();
  CHECK(s.code() == Code::kCorrupt);
  CHECK(s.message() == "blob " + Digest("abc") + ": got 3 bytes, expected 4");

  CHECK((*store)->BeginIngest("sha256:xyz", -1).status().code() == Code::kInvalidArgument);
}

TEST_CASE("ContentStore lets one writer ingest a digest at a time") {
  TempDir dir;
  auto store = ContentStore::Open(dir / "content");
  REQUIRE(store.ok());
  const std::string data = Payload(200000);
  const std::string digest = Digest(data);

  auto first = (*store)->BeginIngest(digest, -1);
  REQUIRE(first.ok());
  auto second = (*store)->BeginIngest(digest, -1);
  CHECK(second.status().code() == Code::kUnavailable);
  CHECK(second.status().message() == "blob " + digest + " is being written by another ingest");
  first->reset();  // dropping an ingest frees the digest
  auto third = (*store)->BeginIngest(digest, -1);
  REQUIRE(third.ok());
  third->reset();

  // Eight threads race for the same blob: exactly one ingest writes it, the rest are told to
  // retry (kUnavailable) or find it committed (kAlreadyExists).
  std::atomic<int> winners{0}, busy{0}, present{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto in = (*store)->BeginIngest(digest, static_cast<int64_t>(data.size()));
      if (!in.ok()) {
        (in.status().code() == Code::kUnavailable     ? busy
         : in.status().code() == Code::kAlreadyExists ? present
                                                      : other)++;
        return;
      }
      for (size_t off = (*in)->offset(); off < data.size(); off += 10000) {
        if (!(*in)->Write(data.data() + off, std::min<size_t>(10000, data.size() - off)).ok()) {
          other++;
          return;
        }
      }
      if ((*in)->Commit().ok()) {
        winners++;
      } else {
        other++;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(winners == 1);
  CHECK(other == 0);
  CHECK(winners + busy + present == 8);
  CHECK(ReadAll((*store)->BlobPath(digest)) == data);
}

}  // namespace
}  // namespace skiff::runtime

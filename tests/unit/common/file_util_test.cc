// skiff/common/file_util.h: path helpers, MakeDirs, WriteFileAtomic and CommitNewFile.
#include "skiff/common/file_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <iterator>
#include <string>

#include "support/temp_dir.h"

using skiff::BaseName;
using skiff::DirName;
using skiff::testing::TempDir;

TEST_CASE("DirName and BaseName split at the last slash", "[file_util]") {
  CHECK(DirName("/var/log/pods/0.log") == "/var/log/pods");
  CHECK(BaseName("/var/log/pods/0.log") == "0.log");
  CHECK(DirName("/x") == "/");
  CHECK(BaseName("/x") == "x");
  CHECK(DirName("x") == ".");
  CHECK(BaseName("x") == "x");
  CHECK(DirName("a/b/") == "a/b");
  CHECK(BaseName("a/b/") == "");
  CHECK(DirName("a//b") == "a/");
}

namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode;
}

}  // namespace

TEST_CASE("MakeDirs creates missing parents with the mode and accepts what exists", "[file_util]") {
  TempDir tmp;
  const mode_t old_umask = ::umask(0);
  const std::string deep = tmp.path() + "/a/b/c";
  REQUIRE(skiff::MakeDirs(deep, 0750).ok());
  ::umask(old_umask);
  for (const std::string& d : {tmp.path() + "/a", tmp.path() + "/a/b", deep}) {
    INFO(d);
    CHECK(S_ISDIR(ModeOf(d)));
    CHECK((ModeOf(d) & 07777) == 0750);
  }
  CHECK(skiff::MakeDirs(deep).ok());               // all there already
  CHECK(skiff::MakeDirs(tmp.path() + "/a/").ok());   // trailing slash
  CHECK(skiff::MakeDirs(tmp.path() + "/a//d/").ok());
  CHECK(S_ISDIR(ModeOf(tmp.path() + "/a/d")));
}

TEST_CASE("MakeDirs names the path when a file is in the way", "[file_util]") {
  TempDir tmp;
  REQUIRE(skiff::WriteFileAtomic(tmp.path() + "/f", "x", 0600).ok());
  skiff::Status over = skiff::MakeDirs(tmp.path() + "/f");
  CHECK_FALSE(over.ok());
  CHECK_THAT(over.message(), Catch::Matchers::Contains(tmp.path() + "/f"));
  skiff::Status under = skiff::MakeDirs(tmp.path() + "/f/g/h");
  CHECK_FALSE(under.ok());
  CHECK_THAT(under.message(), Catch::Matchers::Contains(tmp.path() + "/f/g"));
  CHECK(skiff::MakeDirs("").code() == skiff::Code::kInvalidArgument);
}

TEST_CASE("WriteFileAtomic replaces a file whole, with the mode, at either durability", "[file_util]") {
  TempDir tmp;
  for (auto durability : {skiff::Durability::kPowerLoss, skiff::Durability::kProcessCrash}) {
    const std::string path = tmp.path() + "/file";
    REQUIRE(skiff::WriteFileAtomic(path, "first", 0600, durability).ok());
    REQUIRE(skiff::WriteFileAtomic(path, "second", 0644, durability).ok());
    CHECK(*skiff::ReadFile(path) == "second");
    CHECK((ModeOf(path) & 07777) == 0644);
    // No temporary file is left beside it.
    CHECK(std::distance(std::filesystem::directory_iterator(tmp.path()),
                        std::filesystem::directory_iterator()) == 1);
    std::filesystem::remove(path);
  }
  CHECK_FALSE(skiff::WriteFileAtomic(tmp.path() + "/missing/file", "x", 0600).ok());
}

TEST_CASE("RewriteFileAtomic swaps with a spare so that rewrites allocate no inode", "[file_util]") {
  TempDir tmp;
  const std::string path = tmp.path() + "/record.json";
  const std::string spare = path + ".spare";
  auto inode = [](const std::string& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_ino;
  };
  REQUIRE(skiff::RewriteFileAtomic(path, "one", 0600).ok());
  CHECK(*skiff::ReadFile(path) == "one");
  CHECK_FALSE(std::filesystem::exists(spare));  // nothing to exchange with the first time

  REQUIRE(skiff::RewriteFileAtomic(path, "two", 0600).ok());
  CHECK(*skiff::ReadFile(path) == "two");
  CHECK(*skiff::ReadFile(spare) == "one");  // the old contents, kept for their inode
  const ino_t first = inode(path), second = inode(spare);

  REQUIRE(skiff::RewriteFileAtomic(path, "three, longer than before", 0640,
                                   skiff::Durability::kProcessCrash).ok());
  CHECK(*skiff::ReadFile(path) == "three, longer than before");
  CHECK((ModeOf(path) & 07777) == 0640);
  CHECK(inode(path) == second);  // the spare's inode now holds the file
  CHECK(inode(spare) == first);
  REQUIRE(skiff::RewriteFileAtomic(path, "4", 0600).ok());
  CHECK(*skiff::ReadFile(path) == "4");  // truncated, not the rest of an older, longer text
  CHECK(inode(path) == first);
}

TEST_CASE("CommitNewFile moves a file into place but never over another", "[file_util]") {
  TempDir tmp;
  const std::string file = tmp.path() + "/f";
  REQUIRE(skiff::WriteFileAtomic(file + ".tmp", "new", 0600).ok());
  REQUIRE(skiff::CommitNewFile(file + ".tmp", file).ok());
  CHECK(*skiff::ReadFile(file) == "new");
  CHECK_FALSE(std::filesystem::exists(file + ".tmp"));

  REQUIRE(skiff::WriteFileAtomic(file + ".tmp", "newer", 0600).ok());
  skiff::Status refused = skiff::CommitNewFile(file + ".tmp", file);
  CHECK(refused.code() == skiff::Code::kAlreadyExists);
  CHECK(refused.message() == file + " already exists");
  CHECK(*skiff::ReadFile(file) == "new");
  CHECK(*skiff::ReadFile(file + ".tmp") == "newer");

  CHECK(skiff::CommitNewFile(tmp.path() + "/none", file + "2").code() == skiff::Code::kNotFound);
  CHECK(skiff::SyncDir(tmp.path()).ok());
  CHECK_THAT(skiff::SyncDir(tmp.path() + "/nowhere").message(),
             Catch::Contains(tmp.path() + "/nowhere"));
}

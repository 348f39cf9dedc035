// Task service and event messages (runtime/shim/task_codec.h, event_codec.h), built by hand
// with the protowire Writer in the shapes containerd 1.6 sends.
#include "runtime/shim/task_codec.h"

#include <catch2/catch.hpp>
#include <string>

#include "runtime/shim/event_codec.h"
#include "runtime/shim/proto_fields.h"
#include "skiff/common/proto_wire.h"

using skiff::Code;
using skiff::protowire::Writer;
using namespace skiff::runtime;
using namespace skiff::runtime::shim;
using std::chrono::system_clock;

namespace {

std::string Timestamp(int64_t seconds, int32_t nanos) {
  Writer w;
  w.Int64(1, seconds);
  w.Int32(2, nanos);
  return w.Take();
}

// Every field of a message as (number, bytes-or-number) for exact comparisons.
std::vector<std::pair<int, std::string>> Fields(std::string_view message) {
  std::vector<std::pair<int, std::string>> out;
  REQUIRE(ForEachField(message, "test", [&](const Field& f) {
            out.emplace_back(f.number, f.is_bytes() ? f.str() : std::to_string(f.varint));
          }).ok());
  return out;
}

}  // namespace

TEST_CASE("Create request carries id, bundle, mounts, stdio and runc options") {
  CreateTaskRequest request;
  request.id = "c1";
  request.bundle = "/b/c1";
  request.rootfs = {{"overlay", "overlay", "", {"lowerdir=/l", "upperdir=/u"}}};
  request.stdout_path = "file:///tmp/out.log";
  request.options = RuncOptions{"runc", "/tmp/runc-root", "", false};
  const auto fields = Fields(EncodeCreateTask(request));
  REQUIRE(fields.size() == 5);
  CHECK(fields[0] == std::make_pair(1, std::string("c1")));
  CHECK(fields[1] == std::make_pair(2, std::string("/b/c1")));
  CHECK(fields[2].first == 3);
  CHECK(Fields(fields[2].second) ==
        std::vector<std::pair<int, std::string>>{
            {1, "overlay"}, {2, "overlay"}, {4, "lowerdir=/l"}, {4, "upperdir=/u"}});
  CHECK(fields[3] == std::make_pair(6, std::string("file:///tmp/out.log")));
  CHECK(fields[4].first == 10);
  auto any = DecodeAny(fields[4].second);
  REQUIRE(any.ok());
  CHECK(any->type_url == "containerd.runc.v1.Options");
  CHECK(Fields(any->value) ==
        std::vector<std::pair<int, std::string>>{{6, "runc"}, {7, "/tmp/runc-root"}});
}

TEST_CASE("Exec and Update send their JSON as Any values, Kill sends signal and all") {
  ExecProcessRequest exec;
  exec.id = "c1";
  exec.exec_id = "e1";
  exec.stdout_path = "file:///o";
  exec.process = {{"args", {"echo", "hi"}}, {"cwd", "/"}};
  auto encoded = EncodeExec(exec);
  REQUIRE(encoded.ok());
  const auto fields = Fields(*encoded);
  REQUIRE(fields.size() == 4);
  CHECK(fields[2] == std::make_pair(5, std::string("file:///o")));
  auto spec = DecodeAny(fields[3].second);
  REQUIRE(spec.ok());
  CHECK(spec->type_url == "types.containerd.io/opencontainers/runtime-spec/1/Process");
  CHECK(spec->value == R"({"args":["echo","hi"],"cwd":"/"})");

  exec.process = {{"args", {std::string("\xff\xfe")}}};  // invalid UTF-8
  auto bad = EncodeExec(exec);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInvalidArgument);

  auto update = EncodeUpdate("c1", {{"memory", {{"limit", 1048576}}}});
  REQUIRE(update.ok());
  auto update_any = DecodeAny(Fields(*update)[1].second);
  REQUIRE(update_any.ok());
  CHECK(update_any->type_url == "types.containerd.io/opencontainers/runtime-spec/1/LinuxResources");
  CHECK(update_any->value == R"({"memory":{"limit":1048576}})");

  CHECK(Fields(EncodeKill({"c1", "", 9, true})) ==
        std::vector<std::pair<int, std::string>>{{1, "c1"}, {3, "9"}, {4, "1"}});
}

TEST_CASE("ResizePty request carries id, exec id, width and height") {
  CHECK(Fields(EncodeResizePty({"c1", "e1"}, 120, 40)) ==
        std::vector<std::pair<int, std::string>>{{1, "c1"}, {2, "e1"}, {3, "120"}, {4, "40"}});
  // proto3: the init process's empty exec id and a zero size are left out.
  CHECK(Fields(EncodeResizePty({"c1", ""}, 0, 25)) ==
        std::vector<std::pair<int, std::string>>{{1, "c1"}, {4, "25"}});
}

TEST_CASE("State reply decodes, with Go's zero time as no exit time") {
  Writer w;
  w.String(1, "c1");
  w.String(2, "/b/c1");
  w.Uint32(3, 4242);
  w.Uint32(4, 2);  // running
  w.String(6, "file:///o");
  w.Message(10, Timestamp(-62135596800, 0));
  auto state = DecodeState(w.bytes());
  REQUIRE(state.ok());
  CHECK(state->id == "c1");
  CHECK(state->bundle == "/b/c1");
  CHECK(state->pid == 4242);
  CHECK(state->status == TaskStatus::kRunning);
  CHECK(TaskStatusName(state->status) == "running");
  CHECK(state->stdout_path == "file:///o");
  CHECK_FALSE(state->exited_at.has_value());
}

TEST_CASE("Wait and Delete replies decode exit status and time") {
  Writer wait;
  wait.Uint32(1, 137);
  wait.Message(2, Timestamp(1700000000, 500));
  auto exit = DecodeWait(wait.bytes());
  REQUIRE(exit.ok());
  CHECK(exit->exit_status == 137);
  REQUIRE(exit->exited_at.has_value());
  CHECK(std::chrono::duration_cast<std::chrono::nanoseconds>(exit->exited_at->time_since_epoch())
            .count() == 1700000000000000500LL);

  Writer del;
  del.Uint32(1, 77);
  del.Message(3, Timestamp(10, 0));
  auto deleted = DecodeDelete(del.bytes());
  REQUIRE(deleted.ok());
  CHECK(deleted->pid == 77);
  CHECK(deleted->exit_status == 0);
  REQUIRE(deleted->exited_at.has_value());
  CHECK(*deleted->exited_at == system_clock::time_point(std::chrono::seconds(10)));

  auto truncated = DecodeWait(wait.bytes().substr(0, wait.bytes().size() - 2));
  REQUIRE_FALSE(truncated.ok());
  CHECK(truncated.status().code() == Code::kInvalidArgument);
}

TEST_CASE("Pids reply decodes every process") {
  Writer p1, p2, reply;
  p1.Uint32(1, 10);
  p2.Uint32(1, 11);
  p2.Message(2, EncodeAny("x.Info", "raw"));
  reply.Message(1, p1);
  reply.Message(1, p2);
  auto pids = DecodePids(reply.bytes());
  REQUIRE(pids.ok());
  REQUIRE(pids->size() == 2);
  CHECK((*pids)[0].pid == 10);
  CHECK((*pids)[0].info_type_url.empty());
  CHECK((*pids)[1].pid == 11);
  CHECK((*pids)[1].info_type_url == "x.Info");
  CHECK((*pids)[1].info_value == "raw");
}

TEST_CASE("Stats reply decodes the cgroup v1 Metrics figures") {
  Writer pids, usage, cpu, entry, memory, oom, metrics;
  pids.Uint64(1, 3);
  pids.Uint64(2, 100);
  usage.Uint64(1, 123456789);
  usage.Uint64(2, 1000);
  usage.Uint64(3, 2000);
  cpu.Message(1, usage);
  entry.Uint64(1, 64 << 20);
  entry.Uint64(2, 5 << 20);
  entry.Uint64(3, 6 << 20);
  entry.Uint64(4, 2);
  memory.Uint64(1, 4096);
  memory.Uint64(2, 8192);
  memory.Uint64(30, 1024);
  memory.Message(33, entry);
  oom.Uint64(2, 1);
  oom.Uint64(3, 4);
  metrics.Message(2, pids);
  metrics.Message(3, cpu);
  metrics.Message(4, memory);
  metrics.Message(9, oom);
  Writer reply;
  reply.Message(1, EncodeAny("io.containerd.cgroups.v1.Metrics", metrics.bytes()));

  auto m = DecodeStats(reply.bytes());
  REQUIRE(m.ok());
  CHECK(m->pids_current == 3);
  CHECK(m->pids_limit == 100);
  CHECK(m->cpu_usage_total_ns == 123456789);
  CHECK(m->cpu_usage_kernel_ns == 1000);
  CHECK(m->cpu_usage_user_ns == 2000);
  CHECK(m->memory_limit_bytes == 64 << 20);
  CHECK(m->memory_usage_bytes == 5 << 20);
  CHECK(m->memory_max_usage_bytes == 6 << 20);
  CHECK(m->memory_failcnt == 2);
  CHECK(m->memory_cache_bytes == 4096);
  CHECK(m->memory_rss_bytes == 8192);
  CHECK(m->memory_total_inactive_file_bytes == 1024);
  CHECK(m->under_oom);
  CHECK(m->oom_kill == 4);

  Writer v2;
  v2.Message(1, EncodeAny("io.containerd.cgroups.v2.Metrics", ""));
  auto other = DecodeStats(v2.bytes());
  REQUIRE_FALSE(other.ok());
  CHECK(other.status().code() == Code::kUnimplemented);
  CHECK(other.status().message() ==
        "stats of type \"io.containerd.cgroups.v2.Metrics\" are not decoded (only "
        "io.containerd.cgroups.v1.Metrics)");
}

TEST_CASE("Forward request decodes the envelope and a TaskExit") {
  Writer exit;
  exit.String(1, "c1");
  exit.String(2, "c1");
  exit.Uint32(3, 999);
  exit.Uint32(4, 137);
  exit.Message(5, Timestamp(1700000001, 0));
  Writer envelope;
  envelope.Message(1, Timestamp(1700000002, 0));
  envelope.String(2, "skiff-test-shim");
  envelope.String(3, "/tasks/exit");
  envelope.Message(4, EncodeAny("containerd.events.TaskExit", exit.bytes()));
  Writer forward;
  forward.Message(1, envelope);

  auto event = DecodeForwardRequest(forward.bytes());
  REQUIRE(event.ok());
  CHECK(event->kind == ShimEventKind::kTaskExit);
  CHECK(ShimEventKindName(event->kind) == "TaskExit");
  CHECK(event->ns == "skiff-test-shim");
  CHECK(event->topic == "/tasks/exit");
  CHECK(event->container_id == "c1");
  CHECK(event->exec_id == "c1");
  CHECK(event->pid == 999);
  CHECK(event->exit_status == 137);
  REQUIRE(event->exited_at.has_value());
  CHECK(*event->exited_at == system_clock::time_point(std::chrono::seconds(1700000001)));
  REQUIRE(event->timestamp.has_value());
  CHECK(*event->timestamp == system_clock::time_point(std::chrono::seconds(1700000002)));
}

TEST_CASE("Forward request decodes TaskCreate, TaskExecStarted, TaskOOM and unknown events") {
  auto forward = [](std::string_view topic, std::string_view type, const Writer& body) {
    Writer envelope;
    envelope.String(3, topic);
    envelope.Message(4, EncodeAny(type, body.bytes()));
    Writer f;
    f.Message(1, envelope);
    return f.Take();
  };
  Writer create;
  create.String(1, "c2");
  create.String(2, "/b/c2");
  create.Uint32(6, 321);
  auto e1 = DecodeForwardRequest(forward("/tasks/create", "containerd.events.TaskCreate", create));
  REQUIRE(e1.ok());
  CHECK(e1->kind == ShimEventKind::kTaskCreate);
  CHECK(e1->bundle == "/b/c2");
  CHECK(e1->pid == 321);
  CHECK_FALSE(e1->timestamp.has_value());

  Writer started;
  started.String(1, "c2");
  started.String(2, "e7");
  started.Uint32(3, 55);
  auto e2 = DecodeForwardRequest(
      forward("/tasks/exec-started", "containerd.events.TaskExecStarted", started));
  REQUIRE(e2.ok());
  CHECK(e2->kind == ShimEventKind::kTaskExecStarted);
  CHECK(e2->exec_id == "e7");
  CHECK(e2->pid == 55);

  Writer oom;
  oom.String(1, "c3");
  auto e3 = DecodeForwardRequest(forward("/tasks/oom", "containerd.events.TaskOOM", oom));
  REQUIRE(e3.ok());
  CHECK(e3->kind == ShimEventKind::kTaskOOM);
  CHECK(e3->container_id == "c3");

  Writer other;
  other.String(1, "x");
  auto e4 = DecodeForwardRequest(forward("/images/pull", "containerd.events.ImageCreate", other));
  REQUIRE(e4.ok());
  CHECK(e4->kind == ShimEventKind::kOther);
  CHECK(e4->type_url == "containerd.events.ImageCreate");
  CHECK(e4->container_id.empty());

  auto bad = DecodeForwardRequest("\x0a\x09");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().code() == Code::kInvalidArgument);
}

#include "controllers/ttl_after_finished_controller.h"

#include "api/object_util.h"
#include "controllers/controller_ref.h"

namespace skiff::controllers {
namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

constexpr char kControllerName[] = "ttl-after-finished-controller";

// The Complete or Failed condition with status True, or nullptr.
const json* FinishedCondition(const json& job) {
  const json* conds = api::Find(job, {"status", "conditions"});
  if (!conds || !conds->is_array()) return nullptr;
  for (const json& c : *conds) {
    if (!c.is_object()) continue;
    const std::string type = c.value("type", "");
    if ((type == "Complete" || type == "Failed") && c.value("status", "") == "True") return &c;
  }
  return nullptr;
}

bool NeedsCleanup(const json& job) {
  const json* ttl = api::Find(job, {"spec", "ttlSecondsAfterFinished"});
  return ttl && ttl->is_number_integer() && FinishedCondition(job);
}

}  // namespace

TtlAfterFinishedController::TtlAfterFinishedController(client::Client& client,
                                                       client::SharedInformerFactory& informers,
                                                       TtlAfterFinishedOptions options)
    : client_(client),
      jobs_(informers.For(client::Jobs())),
      options_(std::move(options)),
      loop_(ControllerLoopOptions{kControllerName, options_.workers, options_.api_backoff,
                                  options_.max_api_backoff},
            [this](const std::string& key) { return Sync(key); }) {
  client::EventHandler h;
  auto maybe_enqueue = [this](const client::ObjectPtr& job) {
    if (!IsBeingDeleted(*job) && NeedsCleanup(*job)) loop_.Enqueue(client::KeyOf(*job));
  };
  h.on_add = maybe_enqueue;
  h.on_update = [maybe_enqueue](const client::ObjectPtr&, const client::ObjectPtr& job) {
    maybe_enqueue(job);
  };
  handler_ = jobs_.AddHandler(std::move(h));
}

TtlAfterFinishedController::~TtlAfterFinishedController() {
  Stop();
  jobs_.RemoveHandler(handler_);
}

void TtlAfterFinishedController::Start() { loop_.Start(); }

void TtlAfterFinishedController::Stop() { loop_.Stop(); }

Result<std::optional<Clock::time_point>> TtlAfterFinishedController::ExpiresAt(
    const json& job) const {
  if (IsBeingDeleted(job) || !NeedsCleanup(job)) return std::optional<Clock::time_point>();
  const json* cond = FinishedCondition(job);
  Clock::time_point finished;
  if (!api::ParseRfc3339(cond->value("lastTransitionTime", ""), &finished)) {
    return InvalidArgumentError("unable to find the time when the Job " +
                                api::GetString(job, {"metadata", "namespace"}) + "/" +
                                api::GetString(job, {"metadata", "name"}) + " finished");
  }
  const int64_t ttl = (*api::Find(job, {"spec", "ttlSecondsAfterFinished"})).get<int64_t>();
  return std::optional<Clock::time_point>(finished + std::chrono::seconds(ttl));
}

Status TtlAfterFinishedController::Sync(const std::string& key) {
  try {
    auto [ns, name] = client::SplitKey(key);
    client::ObjectPtr cached = jobs_.Get(key);
    if (!cached) return Status::Ok();
    // Expired (by the cache), or requeued for when it will be.
    auto expiry = [&](const json& job) -> Result<std::optional<Clock::time_point>> {
      auto at = ExpiresAt(job);
      if (!at.ok() || !at->has_value()) return at;
      const auto left = **at - Clock::now();
      if (left > Clock::duration::zero()) {
        loop_.EnqueueAfter(key, std::chrono::ceil<std::chrono::milliseconds>(left));
        return std::optional<Clock::time_point>();
      }
      return at;
    };
    auto at = expiry(*cached);
    if (!at.ok()) return at.status();
    if (!at->has_value()) return Status::Ok();
    // The cache may be stale (a changed TTL): decide on the Job as the API has it now.
    auto fresh = client_.Get(client::Jobs(), ns, name);
    if (!fresh.ok())
      return fresh.status().code() == Code::kNotFound ? Status::Ok() : fresh.status();
    at = expiry(*fresh);
    if (!at.ok()) return at.status();
    if (!at->has_value()) return Status::Ok();
    client::Client::DeleteOptions o;
    o.propagation_policy = options_.propagation_policy;
    o.precondition_uid = api::GetString(*fresh, {"metadata", "uid"});
    Status st = client_.Delete(client::Jobs(), ns, name, o);
    return st.code() == Code::kNotFound ? Status::Ok() : st;
  } catch (const std::exception& e) {
    return InternalError("cleaning up job " + key + ": " + e.what());
  }
}

}  // namespace skiff::controllers

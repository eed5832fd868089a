// subscriptions/listen of the 2026-07-28 revision (docs/2026-07-28/basic/patterns/subscriptions.mdx):
// a long-lived request whose response is a stream of the notifications the client asked for.

#include <algorithm>

#include "refserver/session_impl.h"

namespace mcp_probe::refserver {

namespace {

constexpr const char* k_meta_subscription = "io.modelcontextprotocol/subscriptionId";

// The part of the client's filter the server honours: every list-changed kind it declares, and
// resource updates (resources.subscribe). «Notification types the server does not support are
// omitted.»
Json honoured_filter(const Json& requested) {
  Json honoured = Json::object();
  for (const char* kind : {"toolsListChanged", "promptsListChanged", "resourcesListChanged"}) {
    if (requested.value(kind, Json(false)) == Json(true)) honoured[kind] = true;
  }
  if (const auto uris = requested.find("resourceSubscriptions");
      uris != requested.end() && uris->is_array()) {
    Json kept = Json::array();
    for (const Json& uri : *uris) {
      if (uri.is_string()) kept.push_back(uri);
    }
    honoured["resourceSubscriptions"] = std::move(kept);
  }
  return honoured;
}

bool wants(const Json& filter, const std::string& kind, const std::string& uri) {
  if (kind == "resourceSubscriptions") {
    const auto uris = filter.find(kind);
    if (uris == filter.end() || !uris->is_array()) return false;
    for (const Json& u : *uris) {
      if (u == uri) return true;
    }
    return false;
  }
  return filter.value(kind, Json(false)) == Json(true);
}

std::string notification_of(const std::string& kind) {
  if (kind == "toolsListChanged") return "notifications/tools/list_changed";
  if (kind == "promptsListChanged") return "notifications/prompts/list_changed";
  if (kind == "resourcesListChanged") return "notifications/resources/list_changed";
  return "notifications/resources/updated";
}

}  // namespace

Outcome handle_listen(Call& call) {
  const Json requested = call.params.value("notifications", Json::object());
  if (!requested.is_object())
    return Outcome::fail(k_invalid_params, "subscriptions/listen: notifications must be an object");
  auto listener = std::make_shared<Listener>();
  listener->id = call.id;
  listener->filter = honoured_filter(requested);
  listener->out = &call.replies;
  {
    // Registered and acknowledged under the listener's lock, which publish() takes to send: no
    // notification can overtake the acknowledgement, and once the acknowledgement is out the
    // subscription is live.
    std::lock_guard sending(listener->mutex);
    {
      std::lock_guard lock(call.session.mutex);
      call.session.listeners.push_back(listener);
    }
    // «The server MUST send notifications/subscriptions/acknowledged as the first message
    // carrying the subscription's ID» (listen-no-ack leaves it out).
    if (!call.has("listen-no-ack")) {
      call.session.notify(call.replies, "notifications/subscriptions/acknowledged",
                          {{"_meta", {{k_meta_subscription, call.id}}}, {"notifications", listener->filter}});
    }
  }
  bool stopping = false;
  {
    std::unique_lock lock(call.session.mutex);
    // Open until the client cancels it (notifications/cancelled on stdio, a closed stream on
    // HTTP: Session::cancel) or the server stops.
    call.wait_cancelled(lock);
    auto& all = call.session.listeners;
    all.erase(std::remove(all.begin(), all.end(), listener), all.end());
    stopping = call.session.stopping;
  }
  {
    // After this, publish() no longer writes to call.replies, which dies with the request.
    std::lock_guard closing(listener->mutex);
    listener->closed = true;
  }
  if (!stopping) return Outcome::none();
  // Graceful closure: «it SHOULD respond to the original subscriptions/listen request with a
  // completion result before closing the stream».
  return Outcome::ok(Json{{"_meta", {{k_meta_subscription, call.id}}}});
}

void Session::Impl::publish(const std::string& kind, const std::string& uri) {
  std::vector<std::shared_ptr<Listener>> targets;
  {
    std::lock_guard lock(mutex);
    targets = listeners;
  }
  for (const auto& listener : targets) {
    std::lock_guard sending(listener->mutex);
    if (listener->closed) continue;
    const bool unrequested = has("listen-unrequested");
    if (!wants(listener->filter, kind, uri) && !unrequested) continue;
    Json params = Json::object();
    if (!has("listen-no-subscription-id")) params["_meta"] = {{k_meta_subscription, listener->id}};
    if (kind == "resourceSubscriptions") params["uri"] = uri;
    notify(*listener->out, notification_of(kind), params);
    // listen-unrequested: a kind nobody asked for rides along.
    if (unrequested) notify(*listener->out, "notifications/resources/list_changed", params);
  }
}

}  // namespace mcp_probe::refserver

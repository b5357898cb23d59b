#include "services/datahub/clients/webhook_sender.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/http/signature.h"

namespace zhongtai::datahub {
namespace {

struct Exchange {
  const WebhookUrlPolicy* policy = nullptr;
  std::string refused;        // why the guard refused an address
  std::string response_head;  // the first bytes of the answer, for the log
};

std::optional<IpAddress> FromSockaddr(const sockaddr* addr) {
  IpAddress ip;
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    ip.v4 = true;
    ip.bytes[10] = ip.bytes[11] = 0xff;
    std::memcpy(ip.bytes.data() + 12, &in->sin_addr, 4);
    return ip;
  }
  if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    std::memcpy(ip.bytes.data(), &in6->sin6_addr, 16);
    return ip;
  }
  return std::nullopt;
}

// Every socket curl opens goes through here: the address is checked before it is connected to.
curl_socket_t OpenSocket(void* clientp, curlsocktype, struct curl_sockaddr* address) {
  auto* exchange = static_cast<Exchange*>(clientp);
  std::optional<IpAddress> ip = FromSockaddr(&address->addr);
  if (!ip) {
    exchange->refused = "not an IP address";
    return CURL_SOCKET_BAD;
  }
  absl::Status allowed = CheckWebhookAddress(*exchange->policy, *ip);
  if (!allowed.ok()) {
    exchange->refused = std::string(allowed.message());
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

size_t KeepHead(char* data, size_t size, size_t n, void* userp) {
  auto* exchange = static_cast<Exchange*>(userp);
  size_t bytes = size * n;
  if (exchange->response_head.size() < 200) {
    exchange->response_head.append(data, std::min(bytes, 200 - exchange->response_head.size()));
  }
  return bytes;
}

}  // namespace

CurlWebhookSender::CurlWebhookSender(WebhookSenderOptions options) : options_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

DeliveryAttempt CurlWebhookSender::Send(const ClaimedDelivery& delivery) {
  DeliveryAttempt attempt;
  absl::StatusOr<WebhookUrl> url = ParseWebhookUrl(delivery.url);
  if (!url.ok()) {
    attempt.error = std::string(url.status().message());
    return attempt;
  }
  if (absl::Status scheme = CheckWebhookScheme(options_.policy, *url); !scheme.ok()) {
    attempt.error = std::string(scheme.message());
    attempt.address_refused = true;
    return attempt;
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    attempt.error = "cannot start an HTTP exchange";
    return attempt;
  }
  Exchange exchange;
  exchange.policy = &options_.policy;
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  headers = curl_slist_append(headers, absl::StrCat(http::kTimestampHeader, ": ", now).c_str());
  headers = curl_slist_append(
      headers, absl::StrCat(http::kSignatureHeader, ": ", http::SignBody(delivery.secret, now, delivery.body)).c_str());
  headers = curl_slist_append(headers, absl::StrCat("X-Zt-Event-Id: ", delivery.event_id).c_str());
  headers = curl_slist_append(headers, absl::StrCat("X-Zt-Event-Type: ", delivery.event_type).c_str());
  headers = curl_slist_append(headers, absl::StrCat("X-Zt-Delivery-Id: ", delivery.id).c_str());
  headers = curl_slist_append(headers, absl::StrCat("X-Zt-Delivery-Attempt: ", delivery.attempts + 1).c_str());
  char error[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(curl, CURLOPT_URL, delivery.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, options_.policy.allow_http ? "http,https" : "https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");  // never an environment proxy: the guard checks the real peer
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(options_.connect_timeout)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(absl::ToInt64Milliseconds(options_.timeout)));
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OpenSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, KeepHead);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, delivery.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(delivery.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "zhongtai-webhooks/1");
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());

  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);

  attempt.status_code = static_cast<int>(status);
  if (!exchange.refused.empty()) {
    attempt.address_refused = true;
    attempt.status_code = 0;
    attempt.error = absl::StrCat("address not allowed: ", exchange.refused);
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    attempt.error = absl::StrCat("timeout: ", error[0] ? error : curl_easy_strerror(code));
  } else if (code != CURLE_OK) {
    attempt.error = error[0] ? error : curl_easy_strerror(code);
  } else if (status >= 200 && status < 300) {
    attempt.delivered = true;
  } else {
    attempt.error = absl::StrCat("HTTP ", status);
  }
  return attempt;
}

absl::StatusOr<std::vector<IpAddress>> ResolveHost(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &result);
  if (rc != 0) return absl::InvalidArgumentError(absl::StrCat(host, ": ", gai_strerror(rc)));
  std::vector<IpAddress> out;
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    if (std::optional<IpAddress> ip = FromSockaddr(ai->ai_addr)) out.push_back(*ip);
  }
  freeaddrinfo(result);
  if (out.empty()) return absl::InvalidArgumentError(absl::StrCat(host, " has no address"));
  return out;
}

}  // namespace zhongtai::datahub

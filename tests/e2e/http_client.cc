#include "tests/e2e/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"

namespace zhongtai::e2e {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct HttpClient::Connection {
  boost::asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool open = false;
};

HttpClient::HttpClient(std::string base_url) : connection_(std::make_unique<Connection>()) {
  std::string rest = base_url.substr(base_url.find("://") + 3);
  host_ = rest.substr(0, rest.find(':'));
  port_ = rest.substr(rest.find(':') + 1);
}

HttpClient::~HttpClient() = default;

HttpResponse HttpClient::Send(const std::string& method, const std::string& target, const std::string& body,
                              const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!connection_->open) {
        tcp::resolver resolver(connection_->io);
        connection_->stream.connect(resolver.resolve(host_, port_));
        connection_->open = true;
      }
      connection_->stream.expires_after(std::chrono::seconds(30));
      http::request<http::string_body> request{http::string_to_verb(method), target, 11};
      request.set(http::field::host, host_);
      request.keep_alive(true);
      for (const auto& [name, value] : headers) request.set(name, value);
      if (!body.empty() || method == "POST") {
        request.set(http::field::content_type, "application/json");
        request.body() = body;
        request.prepare_payload();
      }
      http::write(connection_->stream, request);
      http::response<http::string_body> response;
      http::read(connection_->stream, connection_->buffer, response);
      HttpResponse out;
      out.status = response.result_int();
      for (const auto& field : response) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(field.value());
      }
      out.body = response.body();
      if (!google::protobuf::util::JsonStringToMessage(out.body, &out.json).ok()) out.json.Clear();
      if (!response.keep_alive()) {
        beast::error_code ignored;
        connection_->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        connection_->stream.close();
        connection_->open = false;
      }
      return out;
    } catch (const std::exception& e) {
      // The server may have closed an idle keep-alive connection: reconnect once.
      beast::error_code ignored;
      connection_->stream.close();
      connection_->open = false;
      connection_->buffer.clear();
      if (attempt == 1) return HttpResponse{-1, {}, e.what(), {}};
    }
  }
  return {};
}

const google::protobuf::Value* HttpResponse::Find(const std::string& path) const {
  const google::protobuf::Struct* object = &json;
  const google::protobuf::Value* value = nullptr;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (object == nullptr) return nullptr;
    auto it = object->fields().find(std::string(part));
    if (it == object->fields().end()) return nullptr;
    value = &it->second;
    object = value->has_struct_value() ? &value->struct_value() : nullptr;
  }
  return value;
}

std::string HttpResponse::Str(const std::string& path) const {
  const google::protobuf::Value* value = Find(path);
  if (value == nullptr) return "";
  if (value->has_string_value()) return value->string_value();
  if (value->has_number_value()) return std::to_string(static_cast<int64_t>(value->number_value()));
  return "";
}

double HttpResponse::Num(const std::string& path) const {
  const google::protobuf::Value* value = Find(path);
  if (value == nullptr) return 0;
  if (value->has_number_value()) return value->number_value();
  double parsed = 0;
  if (value->has_string_value() && absl::SimpleAtod(value->string_value(), &parsed)) return parsed;
  return 0;
}

std::map<std::string, std::string> LoadStackEnv() {
  const char* path = std::getenv("ZT_E2E_STACK_ENV");
  if (path == nullptr) throw std::runtime_error("ZT_E2E_STACK_ENV is not set: run through ctest (deploy/test.sh)");
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string("no stack env at ") + path + ": the stack did not start");
  std::map<std::string, std::string> env;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    size_t eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  if (!env.count("ZT_STACK_GATEWAY")) throw std::runtime_error("the stack env has no gateway address");
  return env;
}

}  // namespace zhongtai::e2e

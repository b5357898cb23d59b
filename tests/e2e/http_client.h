// A small blocking HTTP/1.1 client (Boost.Beast) for end-to-end tests: one keep-alive connection
// per client, JSON bodies read into google.protobuf.Struct so tests can look at any field.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "google/protobuf/struct.pb.h"

namespace zhongtai::e2e {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  google::protobuf::Struct json;  // empty when the body is not a JSON object

  // Dotted path into the JSON body, e.g. "order.status" or "error.reason"; "" when absent.
  std::string Str(const std::string& path) const;
  double Num(const std::string& path) const;  // numbers, and int64 values sent as strings
  const google::protobuf::Value* Find(const std::string& path) const;
};

class HttpClient {
 public:
  explicit HttpClient(std::string base_url);  // "http://127.0.0.1:8080"
  ~HttpClient();

  HttpResponse Send(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});

 private:
  struct Connection;
  std::string host_, port_;
  std::unique_ptr<Connection> connection_;
};

// The running stack's settings from STATE/stack.env (ZT_STACK_GATEWAY, ...); fails the test when absent.
std::map<std::string, std::string> LoadStackEnv();

}  // namespace zhongtai::e2e

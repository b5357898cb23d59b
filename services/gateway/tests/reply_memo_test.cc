// The public reads' memo: a remembered answer only ever for the exact reply it was written from.
#include "services/gateway/reply_memo.h"

#include <catch2/catch.hpp>

#include "services/gateway/transcoder.h"
#include "zhongtai/product/v1/product.pb.h"

namespace zhongtai::gateway {
namespace {

using product::v1::GetProductResponse;
using product::v1::ListProductsResponse;

std::string PageBytes(const std::string& title, int64_t price) {
  ListProductsResponse page;
  product::v1::Product* p = page.add_products();
  p->set_product_id("p1");
  p->set_title(title);
  p->add_skus()->mutable_price()->set_amount_minor(price);
  page.set_total_size(1);
  return page.SerializeAsString();
}

HttpResponse Written(const google::protobuf::Descriptor* type, const std::string& bytes, int* writes) {
  ++*writes;
  std::unique_ptr<google::protobuf::Message> reply(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  REQUIRE(reply->ParseFromString(bytes));
  return JsonResponse(*reply);
}

TEST_CASE("reply memo: the same reply bytes are written to JSON once, any change is written anew", "[gateway]") {
  ReplyMemo memo(8);
  int writes = 0;
  const google::protobuf::Descriptor* list = ListProductsResponse::descriptor();
  std::string first = PageBytes("华为手机", 199900);
  auto respond = [&](const google::protobuf::Descriptor* type, const std::string& bytes) {
    return memo.Respond(type, bytes, [&] { return Written(type, bytes, &writes); });
  };

  HttpResponse a = respond(list, first);
  HttpResponse b = respond(list, first);
  CHECK(writes == 1);
  CHECK(memo.hits() == 1);
  CHECK(b.status == 200);
  CHECK(b.body == a.body);
  CHECK(b.body.find("华为手机") != std::string::npos);

  // A repriced page is other bytes: written again, never the old JSON.
  HttpResponse repriced = respond(list, PageBytes("华为手机", 99900));
  CHECK(writes == 2);
  CHECK(repriced.body.find("\"99900\"") != std::string::npos);
  CHECK(repriced.body.find("199900") == std::string::npos);

  // The same bytes read as another type are another answer.
  HttpResponse as_product = respond(GetProductResponse::descriptor(), first);
  CHECK(writes == 3);
  CHECK(as_product.body != a.body);

  // A failed write is not remembered.
  HttpResponse failed = memo.Respond(list, "broken", [&] {
    ++writes;
    HttpResponse error;
    error.status = 500;
    return error;
  });
  CHECK(failed.status == 500);
  memo.Respond(list, "broken", [&] {
    ++writes;
    return HttpResponse();
  });
  CHECK(writes == 5);
}

TEST_CASE("reply memo: a reply over the size bound is always written", "[gateway]") {
  ReplyMemo memo(8, 16);
  int writes = 0;
  std::string bytes = PageBytes("a title longer than sixteen bytes", 100);
  for (int i = 0; i < 3; ++i) {
    memo.Respond(ListProductsResponse::descriptor(), bytes,
                 [&] { return Written(ListProductsResponse::descriptor(), bytes, &writes); });
  }
  CHECK(writes == 3);
  CHECK(memo.hits() == 0);
}

}  // namespace
}  // namespace zhongtai::gateway

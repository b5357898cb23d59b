// ProductService, the catalogue RPCs: brands, category moves, admin reads and edits of products, the lifecycle,
// and the Advertising Law word list and check. Requests are checked here (the field named); the rules live in
// the domain.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/product/api/product_api.h"
#include "services/product/domain/listing_fields.h"
#include "services/product/domain/sales_attributes.h"

namespace zhongtai::product {
namespace {

using proto::SetMoney;
using proto::ToTimestamp;

constexpr size_t kMaxId = 64;
constexpr size_t kMaxName = 100;
constexpr size_t kMaxTitle = 200;
constexpr size_t kMaxText = 10000;
constexpr int kMaxSkuChanges = 100;

// Required text is non-blank; every text at most `max` bytes.
absl::Status Text(const std::string& value, const std::string& field, size_t max, bool required) {
  if (required && absl::StripAsciiWhitespace(value).empty()) {
    return InvalidArgument(field, "FIELD_REQUIRED", absl::StrCat(field, " is required"));
  }
  if (value.size() > max) {
    return InvalidArgument(field, "FIELD_TOO_LONG", absl::StrCat(field, " is longer than ", max));
  }
  return absl::OkStatus();
}

ComplianceSeverity SeverityFromProto(v1::ComplianceSeverity severity) {
  return severity == v1::COMPLIANCE_SEVERITY_WARN ? ComplianceSeverity::kWarn : ComplianceSeverity::kBlock;
}

v1::ComplianceSeverity SeverityToProto(ComplianceSeverity severity) {
  return severity == ComplianceSeverity::kWarn ? v1::COMPLIANCE_SEVERITY_WARN : v1::COMPLIANCE_SEVERITY_BLOCK;
}

void ToProto(const Brand& brand, v1::Brand* out) {
  out->set_brand_id(brand.brand_id);
  out->set_name(brand.name);
  out->set_logo_url(brand.logo_url);
  out->set_description(brand.description);
  *out->mutable_create_time() = ToTimestamp(brand.created_at);
  *out->mutable_update_time() = ToTimestamp(brand.updated_at);
}

void ToProto(const ComplianceHit& hit, v1::ComplianceHit* out) {
  out->set_field(hit.field);
  out->set_word(hit.word);
  out->set_matched(hit.matched);
  out->set_position(hit.position);
  out->set_length(hit.length);
  out->set_category(hit.category);
  out->set_severity(SeverityToProto(hit.severity));
}

template <typename Response>
void WordListToProto(const ComplianceWordList& list, Response* out) {
  out->set_version(list.version);
  for (const ComplianceWord& word : list.words) {
    v1::ComplianceWord* w = out->add_words();
    w->set_term(word.term);
    w->set_category(word.category);
    w->set_severity(SeverityToProto(word.severity));
  }
  if (list.version > 0) *out->mutable_update_time() = ToTimestamp(list.updated_at);
}

absl::Status ValidSkus(const google::protobuf::RepeatedPtrField<v1::NewSku>& skus, const std::string& field) {
  if (skus.size() > kMaxSkuChanges) {
    return InvalidArgument(field, "TOO_MANY_SKUS", absl::StrCat("at most ", kMaxSkuChanges, " skus"));
  }
  for (int i = 0; i < skus.size(); ++i) {
    std::string at = absl::StrCat(field, "[", i, "]");
    RETURN_IF_ERROR(Text(skus[i].sku_code(), at + ".skuCode", kMaxId, true));
    RETURN_IF_ERROR(Text(skus[i].spec(), at + ".spec", kMaxTitle, false));
    RETURN_IF_ERROR(ValidMoney(skus[i].price(), at + ".price"));
    if (skus[i].initial_stock() != 0 || !skus[i].warehouse_id().empty()) {
      return InvalidArgument(at + ".initialStock", "STOCK_NOT_HERE", "new skus start with no stock: use AdjustStock");
    }
    for (const auto& [name, value] : skus[i].attributes()) {
      RETURN_IF_ERROR(Text(name, at + ".attributes", kMaxId, true));
      RETURN_IF_ERROR(Text(value, absl::StrCat(at, ".attributes[", name, "]"), kMaxTitle, false));
    }
  }
  return absl::OkStatus();
}

v1::MemberTier TierToProto(MemberTier tier) {
  switch (tier) {
    case MemberTier::kNormal: return v1::MEMBER_TIER_NORMAL;
    case MemberTier::kSilver: return v1::MEMBER_TIER_SILVER;
    case MemberTier::kGold: return v1::MEMBER_TIER_GOLD;
    case MemberTier::kDiamond: return v1::MEMBER_TIER_DIAMOND;
  }
  return v1::MEMBER_TIER_UNSPECIFIED;
}

std::optional<std::string> OptionalText(bool present, const std::string& value) {
  return present ? std::optional<std::string>(value) : std::nullopt;
}

}  // namespace

absl::Status ValidMoney(const zhongtai::type::v1::Money& money, const std::string& field) {
  bool ok = money.currency().size() == 3;
  for (char c : money.currency()) ok = ok && absl::ascii_isupper(c);
  if (!ok) return InvalidArgument(field + ".currency", "INVALID_CURRENCY", "currency is an ISO 4217 code such as CNY");
  if (money.amount_minor() < 0) {
    return InvalidArgument(field + ".amountMinor", "PRICE_NEGATIVE", "price must not be negative");
  }
  return absl::OkStatus();
}

MemberTier TierFromProto(v1::MemberTier tier) {
  switch (tier) {
    case v1::MEMBER_TIER_SILVER: return MemberTier::kSilver;
    case v1::MEMBER_TIER_GOLD: return MemberTier::kGold;
    case v1::MEMBER_TIER_DIAMOND: return MemberTier::kDiamond;
    default: return MemberTier::kNormal;
  }
}

std::optional<absl::Time> QuoteTimeOf(const v1::BatchGetSkusRequest& request) {
  if (!request.has_at()) return std::nullopt;
  return absl::FromUnixSeconds(request.at().seconds()) + absl::Nanoseconds(request.at().nanos());
}

v1::ProductStatus ProductStatusToProto(ProductStatus status) {
  switch (status) {
    case ProductStatus::kDraft: return v1::PRODUCT_STATUS_DRAFT;
    case ProductStatus::kPublished: return v1::PRODUCT_STATUS_PUBLISHED;
    case ProductStatus::kUnpublished: return v1::PRODUCT_STATUS_UNPUBLISHED;
    case ProductStatus::kArchived: return v1::PRODUCT_STATUS_ARCHIVED;
  }
  return v1::PRODUCT_STATUS_UNSPECIFIED;
}

std::vector<SalesAttribute> SalesAttributesFromProto(
    const google::protobuf::RepeatedPtrField<v1::SalesAttribute>& attributes) {
  std::vector<SalesAttribute> out;
  for (const v1::SalesAttribute& a : attributes) out.push_back({a.name(), {a.values().begin(), a.values().end()}});
  return out;
}

void CatalogueToProto(const Product& product, v1::Product* out) {
  out->set_subtitle(product.subtitle);
  out->set_brand_id(product.brand_id);
  for (const std::string& url : product.images) out->add_images(url);
  for (const SalesAttribute& attribute : product.sales_attributes) {
    v1::SalesAttribute* a = out->add_sales_attributes();
    a->set_name(attribute.name);
    for (const std::string& value : attribute.values) a->add_values(value);
  }
  out->set_status(ProductStatusToProto(product.status));
  out->set_version(product.version);
  *out->mutable_update_time() = ToTimestamp(product.updated_at);
}

absl::Status Validate(const v1::UpdateProductRequest& request) {
  RETURN_IF_ERROR(Text(request.product_id(), "productId", kMaxId, true));
  if (request.version() <= 0) {
    return InvalidArgument("version", "FIELD_REQUIRED", "version: the product version the change is based on");
  }
  if (request.has_title()) RETURN_IF_ERROR(Text(request.title(), "title", kMaxTitle, true));
  if (request.has_subtitle()) RETURN_IF_ERROR(Text(request.subtitle(), "subtitle", kMaxTitle, false));
  if (request.has_description()) RETURN_IF_ERROR(Text(request.description(), "description", kMaxText, false));
  if (request.has_brand_id()) RETURN_IF_ERROR(Text(request.brand_id(), "brandId", kMaxId, false));
  if (request.has_category_id()) RETURN_IF_ERROR(Text(request.category_id(), "categoryId", kMaxId, true));
  RETURN_IF_ERROR(ValidSkus(request.add_skus(), "addSkus"));
  if (request.retire_sku_ids_size() > kMaxSkuChanges || request.price_changes_size() > kMaxSkuChanges) {
    return InvalidArgument("priceChanges", "TOO_MANY_SKUS", absl::StrCat("at most ", kMaxSkuChanges, " skus"));
  }
  for (int i = 0; i < request.retire_sku_ids_size(); ++i) {
    RETURN_IF_ERROR(Text(request.retire_sku_ids(i), absl::StrCat("retireSkuIds[", i, "]"), kMaxId, true));
  }
  for (int i = 0; i < request.price_changes_size(); ++i) {
    std::string field = absl::StrCat("priceChanges[", i, "]");
    RETURN_IF_ERROR(Text(request.price_changes(i).sku_id(), field + ".skuId", kMaxId, true));
    RETURN_IF_ERROR(ValidMoney(request.price_changes(i).price(), field + ".price"));
  }
  if (request.cost_changes_size() > kMaxSkuChanges) {
    return InvalidArgument("costChanges", "TOO_MANY_SKUS", absl::StrCat("at most ", kMaxSkuChanges, " skus"));
  }
  for (int i = 0; i < request.cost_changes_size(); ++i) {
    std::string field = absl::StrCat("costChanges[", i, "]");
    RETURN_IF_ERROR(Text(request.cost_changes(i).sku_id(), field + ".skuId", kMaxId, true));
    if (!request.cost_changes(i).has_cost_price()) {
      return InvalidArgument(field + ".costPrice", "FIELD_REQUIRED", "costPrice is required");
    }
    RETURN_IF_ERROR(ValidMoney(request.cost_changes(i).cost_price(), field + ".costPrice"));
  }
  if (request.shipping_changes_size() > kMaxSkuChanges) {
    return InvalidArgument("shippingChanges", "TOO_MANY_SKUS", absl::StrCat("at most ", kMaxSkuChanges, " skus"));
  }
  for (int i = 0; i < request.shipping_changes_size(); ++i) {
    std::string field = absl::StrCat("shippingChanges[", i, "]");
    RETURN_IF_ERROR(Text(request.shipping_changes(i).sku_id(), field + ".skuId", kMaxId, true));
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::CheckComplianceRequest& request) {
  RETURN_IF_ERROR(Text(request.title(), "title", kMaxTitle, false));
  RETURN_IF_ERROR(Text(request.subtitle(), "subtitle", kMaxTitle, false));
  RETURN_IF_ERROR(Text(request.description(), "description", kMaxText, false));
  if (request.attributes_size() > 50) return InvalidArgument("attributes", "TOO_MANY_ATTRIBUTES", "at most 50");
  for (const auto& [name, value] : request.attributes()) {
    RETURN_IF_ERROR(Text(value, absl::StrCat("attributes[", name, "]"), kMaxTitle, false));
  }
  return ValidateSalesAttributes(SalesAttributesFromProto(request.sales_attributes()));
}

absl::Status Validate(const v1::ReplaceComplianceWordsRequest& request) {
  for (int i = 0; i < request.words_size(); ++i) {
    if (request.words(i).severity() == v1::COMPLIANCE_SEVERITY_UNSPECIFIED) {
      return InvalidArgument(absl::StrCat("words[", i, "].severity"), "FIELD_REQUIRED",
                             "severity is COMPLIANCE_SEVERITY_BLOCK or COMPLIANCE_SEVERITY_WARN");
    }
  }
  std::vector<ComplianceWord> words;
  for (const auto& w : request.words()) words.push_back({w.term(), w.category(), SeverityFromProto(w.severity())});
  return ValidateWordList(words);
}

grpc::ServerUnaryReactor* ProductApi::CreateBrand(grpc::CallbackServerContext* context,
                                                  const v1::CreateBrandRequest* request,
                                                  v1::CreateBrandResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Text(request->name(), "name", kMaxName, true));
    RETURN_IF_ERROR(Text(request->description(), "description", kMaxText, false));
    RETURN_IF_ERROR(Text(request->request_id(), "requestId", 128, false));
    ASSIGN_OR_RETURN(Brand brand,
                     catalogue_.brands.Create(std::string(absl::StripAsciiWhitespace(request->name())),
                                              request->logo_url(), request->description(), request->request_id()));
    ToProto(brand, response->mutable_brand());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::UpdateBrand(grpc::CallbackServerContext* context,
                                                  const v1::UpdateBrandRequest* request,
                                                  v1::UpdateBrandResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Text(request->brand_id(), "brandId", kMaxId, true));
    if (request->has_name()) RETURN_IF_ERROR(Text(request->name(), "name", kMaxName, true));
    if (request->has_description()) RETURN_IF_ERROR(Text(request->description(), "description", kMaxText, false));
    BrandChange change;
    if (request->has_name()) change.name = std::string(absl::StripAsciiWhitespace(request->name()));
    change.logo_url = OptionalText(request->has_logo_url(), request->logo_url());
    change.description = OptionalText(request->has_description(), request->description());
    ASSIGN_OR_RETURN(Brand brand, catalogue_.brands.Update(request->brand_id(), change));
    ToProto(brand, response->mutable_brand());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ListBrands(grpc::CallbackServerContext* context,
                                                 const v1::ListBrandsRequest* request,
                                                 v1::ListBrandsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (request->page_size() < 0) {
      return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
    }
    ASSIGN_OR_RETURN(BrandPage page, catalogue_.brands.List(request->page_size(), request->page_token()));
    for (const Brand& brand : page.brands) ToProto(brand, response->add_brands());
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::UpdateCategory(grpc::CallbackServerContext* context,
                                                     const v1::UpdateCategoryRequest* request,
                                                     v1::UpdateCategoryResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Text(request->category_id(), "categoryId", kMaxId, true));
    if (request->has_name()) RETURN_IF_ERROR(Text(request->name(), "name", kMaxName, true));
    if (request->has_parent_id()) RETURN_IF_ERROR(Text(request->parent_id(), "parentId", kMaxId, false));
    std::optional<std::string> name;
    if (request->has_name()) name = std::string(absl::StripAsciiWhitespace(request->name()));
    ASSIGN_OR_RETURN(Category category,
                     catalogue_.categories.Update(request->category_id(), name,
                                                  OptionalText(request->has_parent_id(), request->parent_id())));
    v1::Category* out = response->mutable_category();
    out->set_category_id(category.category_id);
    out->set_name(category.name);
    out->set_parent_id(category.parent_id);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::GetAdminProduct(grpc::CallbackServerContext* context,
                                                      const v1::GetAdminProductRequest* request,
                                                      v1::GetAdminProductResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Text(request->product_id(), "productId", kMaxId, true));
    ASSIGN_OR_RETURN(AdminProduct product, catalogue_.products.Get(request->product_id()));
    ToProto(product.product, response->mutable_product());
    AddSkuAdminFields(product.product, response->mutable_sku_admin_fields());
    ASSIGN_OR_RETURN(ProductRole role, catalogue_.roles.GetRole(request->product_id()));
    response->set_role(ProductRoleToProto(role));
    for (const ProductTransition& t : product.history) {
      v1::ProductTransition* out = response->add_history();
      out->set_from_status(ProductStatusToProto(t.from));
      out->set_to_status(ProductStatusToProto(t.to));
      out->set_version(t.version);
      *out->mutable_create_time() = ToTimestamp(t.at);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::UpdateProduct(grpc::CallbackServerContext* context,
                                                    const v1::UpdateProductRequest* request,
                                                    v1::UpdateProductResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Validate(*request));
    ProductEdit edit;
    edit.product_id = request->product_id();
    edit.expected_version = request->version();
    if (request->has_title()) edit.title = std::string(absl::StripAsciiWhitespace(request->title()));
    edit.subtitle = OptionalText(request->has_subtitle(), request->subtitle());
    edit.description = OptionalText(request->has_description(), request->description());
    edit.brand_id = OptionalText(request->has_brand_id(), request->brand_id());
    edit.category_id = OptionalText(request->has_category_id(), request->category_id());
    if (request->has_images()) edit.images.emplace(request->images().urls().begin(), request->images().urls().end());
    if (request->has_sales_attributes()) {
      edit.sales_attributes = SalesAttributesFromProto(request->sales_attributes().attributes());
    }
    for (int i = 0; i < request->add_skus_size(); ++i) {
      const v1::NewSku& in = request->add_skus(i);
      NewSku sku;
      sku.sku_code = in.sku_code();
      sku.spec = in.spec();
      sku.attributes.insert(in.attributes().begin(), in.attributes().end());
      sku.price = {in.price().currency(), in.price().amount_minor()};
      ASSIGN_OR_RETURN(sku.cost_price, CostPriceFromProto(in, absl::StrCat("addSkus[", i, "]")));
      sku.weight_grams = in.weight_grams();
      sku.fragile = in.fragile();
      edit.add_skus.push_back(std::move(sku));
    }
    edit.retire_sku_ids.assign(request->retire_sku_ids().begin(), request->retire_sku_ids().end());
    for (const v1::SkuPriceChange& change : request->price_changes()) {
      edit.price_changes.push_back({change.sku_id(), {change.price().currency(), change.price().amount_minor()}});
    }
    for (const v1::SkuCostChange& change : request->cost_changes()) {
      edit.cost_changes.push_back(
          {change.sku_id(), {change.cost_price().currency(), change.cost_price().amount_minor()}});
    }
    for (const v1::SkuShippingChange& change : request->shipping_changes()) {
      SkuShippingChange shipping;
      shipping.sku_id = change.sku_id();
      if (change.has_weight_grams()) shipping.weight_grams = change.weight_grams();
      if (change.has_fragile()) shipping.fragile = change.fragile();
      edit.shipping_changes.push_back(std::move(shipping));
    }
    ASSIGN_OR_RETURN(Product product, catalogue_.products.Update(edit));
    ToProto(product, response->mutable_product());
    AddSkuAdminFields(product, response->mutable_sku_admin_fields());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::PublishProduct(grpc::CallbackServerContext* context,
                                                     const v1::PublishProductRequest* request,
                                                     v1::PublishProductResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Text(request->product_id(), "productId", kMaxId, true));
    ASSIGN_OR_RETURN(LifecycleResult result, catalogue_.products.ChangeStatus(
                                                 request->product_id(), LifecycleAction::kPublish, request->version()));
    ToProto(result.product, response->mutable_product());
    for (const ComplianceHit& hit : result.compliance.hits) ToProto(hit, response->add_warnings());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::UnpublishProduct(grpc::CallbackServerContext* context,
                                                       const v1::UnpublishProductRequest* request,
                                                       v1::UnpublishProductResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Text(request->product_id(), "productId", kMaxId, true));
    ASSIGN_OR_RETURN(
        LifecycleResult result,
        catalogue_.products.ChangeStatus(request->product_id(), LifecycleAction::kUnpublish, request->version()));
    ToProto(result.product, response->mutable_product());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ArchiveProduct(grpc::CallbackServerContext* context,
                                                     const v1::ArchiveProductRequest* request,
                                                     v1::ArchiveProductResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Text(request->product_id(), "productId", kMaxId, true));
    ASSIGN_OR_RETURN(LifecycleResult result, catalogue_.products.ChangeStatus(
                                                 request->product_id(), LifecycleAction::kArchive, request->version()));
    ToProto(result.product, response->mutable_product());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::CheckCompliance(grpc::CallbackServerContext* context,
                                                      const v1::CheckComplianceRequest* request,
                                                      v1::CheckComplianceResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Validate(*request));
    Product draft;
    draft.title = request->title();
    draft.subtitle = request->subtitle();
    draft.description = request->description();
    draft.sales_attributes = SalesAttributesFromProto(request->sales_attributes());
    ListingFields fields = ListingFieldsOf(draft);
    for (const auto& [name, value] : request->attributes()) {
      fields.emplace_back(absl::StrCat("attributes[", name, "]"), value);
    }
    ASSIGN_OR_RETURN(ComplianceReport report, catalogue_.compliance.Check(fields));
    response->set_blocked(report.blocked());
    for (const ComplianceHit& hit : report.hits) ToProto(hit, response->add_hits());
    response->set_word_list_version(report.word_list_version);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::GetComplianceWords(grpc::CallbackServerContext* context,
                                                         const v1::GetComplianceWordsRequest* request,
                                                         v1::GetComplianceWordsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(ComplianceWordList list, catalogue_.compliance.Words());
    WordListToProto(list, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ReplaceComplianceWords(grpc::CallbackServerContext* context,
                                                             const v1::ReplaceComplianceWordsRequest* request,
                                                             v1::ReplaceComplianceWordsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Validate(*request));
    std::vector<ComplianceWord> words;
    for (const auto& w : request->words()) {
      words.push_back({w.term(), w.category(), SeverityFromProto(w.severity())});
    }
    ASSIGN_OR_RETURN(ComplianceWordList list, catalogue_.compliance.ReplaceWords(words));
    WordListToProto(list, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* ProductApi::ReplaceSkuPrices(grpc::CallbackServerContext* context,
                                                       const v1::ReplaceSkuPricesRequest* request,
                                                       v1::ReplaceSkuPricesResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RETURN_IF_ERROR(Text(request->sku_id(), "skuId", kMaxId, true));
    std::vector<PriceRule> rules;
    for (int i = 0; i < request->rules_size(); ++i) {
      const v1::SkuPriceRule& in = request->rules(i);
      RETURN_IF_ERROR(ValidMoney(in.price(), absl::StrCat("rules[", i, "].price")));
      PriceRule rule;
      rule.label = in.label();
      if (in.tier() != v1::MEMBER_TIER_UNSPECIFIED) rule.tier = TierFromProto(in.tier());
      rule.amount_minor = in.price().amount_minor();
      rule.currency = in.price().currency();
      if (in.has_valid_from()) rule.valid_from = absl::FromUnixSeconds(in.valid_from().seconds());
      if (in.has_valid_to()) rule.valid_to = absl::FromUnixSeconds(in.valid_to().seconds());
      rules.push_back(std::move(rule));
    }
    ASSIGN_OR_RETURN(std::vector<PriceRule> stored, catalogue_.pricing.ReplaceRules(request->sku_id(), rules));
    response->set_sku_id(request->sku_id());
    for (const PriceRule& rule : stored) {
      v1::SkuPriceRule* out = response->add_rules();
      out->set_label(rule.label);
      if (rule.tier) out->set_tier(TierToProto(*rule.tier));
      SetMoney(out->mutable_price(), rule.currency, rule.amount_minor);
      if (rule.valid_from != absl::InfinitePast()) *out->mutable_valid_from() = ToTimestamp(rule.valid_from);
      if (rule.valid_to != absl::InfiniteFuture()) *out->mutable_valid_to() = ToTimestamp(rule.valid_to);
    }
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::product

// Redis pub/sub channels shared between services (a publisher and its subscribers must agree on the name).
#pragma once

namespace zhongtai::redis {

// The product service publishes every catalogue change it hears (payload: the product id, or "" for any product:
// a brand renamed, a category moved, or changes that may have gone unheard); the gateway drops the listing answers
// it keeps (services/gateway/catalogue_reply_cache.h).
inline constexpr char kCatalogueChangedChannel[] = "zt.catalogue.changed";

}  // namespace zhongtai::redis

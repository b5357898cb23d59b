// The flash winners' orders in PostgreSQL, written inside the consumer's transaction (ingest/flash_orders.h).
#pragma once

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "services/order/domain/order.h"

namespace zhongtai::order {

// Inserts the order (PENDING_PAYMENT, its lines and history) with OrderPlaced in the outbox, unless an order with
// its id exists: false then, and nothing is written. The order id is fixed per winner, so this is once per winner.
absl::StatusOr<bool> InsertFlashOrder(pqxx::work& tx, const Order& order);

}  // namespace zhongtai::order

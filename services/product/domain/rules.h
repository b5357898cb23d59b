// The reservation and stock rules, as pure functions shared by every store implementation.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/product/domain/model.h"
#include "services/product/domain/ports.h"

namespace zhongtai::product {

// One line per SKU (quantities of repeated SKUs summed), sorted by SKU id: the order in which
// stock rows are locked, so that concurrent reservations never deadlock.
std::vector<ReservationLine> NormalizeLines(const std::vector<ReservationLine>& lines);

// The new status for `action` on `current` at `now`; nullopt when nothing changes.
//   confirm: HELD -> CONFIRMED before expiry, HELD -> EXPIRED after it (the caller then reports
//            RESERVATION_EXPIRED); CONFIRMED, RELEASED, EXPIRED unchanged.
//   release: HELD -> RELEASED; RELEASED, EXPIRED unchanged; CONFIRMED fails
//            FAILED_PRECONDITION RESERVATION_CONFIRMED.
//   expire:  HELD past expiry -> EXPIRED; anything else unchanged.
absl::StatusOr<std::optional<ReservationStatus>> DecideTransition(const Reservation& current, ReservationAction action,
                                                                  absl::Time now);

// Stock deltas of a status change, per allocation: reserve adds to reserved; confirm takes it out
// of both on hand and reserved; release and expire give it back.
struct StockDelta {
  int64_t on_hand = 0;
  int64_t reserved = 0;
};
StockDelta DeltaFor(ReservationStatus to, int64_t quantity);
// Ledger kind of a status change: "reserve", "confirm", "release", "expire".
const char* LedgerKindFor(ReservationStatus to);

}  // namespace zhongtai::product

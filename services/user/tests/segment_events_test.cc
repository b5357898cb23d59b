// The data hub's UserSegmentsComputed events consumed through the inbox on real PostgreSQL and Redis (label store):
// computed tags replace the previous ones of their kind once per event, a late older computation changes nothing,
// manual tags stay, and events for unknown users or that do not parse are skipped.
#include "services/user/ingest/segment_events.h"

#include <catch2/catch.hpp>

#include "common/proto/convert.h"
#include "common/redis/redis.h"
#include "services/user/domain/tags.h"
#include "services/user/store/pg_tag_store.h"
#include "services/user/tests/segment_db.h"
#include "zhongtai/datahub/v1/user_segment_events.pb.h"

namespace zhongtai::user {
namespace {

std::string Computed(const std::string& user_id, datahub::v1::RfmSegment rfm, datahub::v1::LtvBand ltv,
                     int64_t at_seconds) {
  datahub::v1::UserSegmentsComputed event;
  event.set_user_id(user_id);
  event.set_rfm_segment(rfm);
  event.set_ltv_band(ltv);
  *event.mutable_computed_at() = proto::ToTimestamp(absl::FromUnixSeconds(at_seconds));
  return event.SerializeAsString();
}

}  // namespace

TEST_CASE("computed segments replace the previous tags of their kind once per event", "[store]") {
  testing::SegmentDb db;
  db.AddCustomer("u1", "Ann", absl::FromUnixSeconds(1600000000));
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  PgTagStore tag_store(*db.pool);
  Tags tags(tag_store, clock);
  REQUIRE(tags.AddManual("u1", {"vip"}).ok());

  auto redis = redis::Pool::Open({zhongtai::testing::RedisAddress(), 2, absl::Seconds(1)});
  REQUIRE(redis.ok());
  const std::string stream = zhongtai::testing::UniqueName("zt.test.events.datahub");
  events::StreamConsumer consumer(*db.pool, **redis,
                                  {stream, kSegmentsConsumerGroup, "user-test", absl::Milliseconds(50)},
                                  MakeSegmentEventHandler(clock));
  const std::string type = "zhongtai.datahub.v1.UserSegmentsComputed";
  struct Entry {
    std::string id;
    std::string type;
    std::string payload;
  };
  const std::vector<Entry> entries = {
      {"s1", type, Computed("u1", datahub::v1::RFM_SEGMENT_CHAMPIONS, datahub::v1::LTV_BAND_HIGH, 1000)},
      {"s1", type, Computed("u1", datahub::v1::RFM_SEGMENT_CHAMPIONS, datahub::v1::LTV_BAND_HIGH, 1000)},
      {"s2", type, Computed("u1", datahub::v1::RFM_SEGMENT_AT_RISK, datahub::v1::LTV_BAND_UNSPECIFIED, 3000)},
      // Computed before s2, delivered after it: the RFM tag stays at_risk; the LTV band is newer than s1's.
      {"s3", type, Computed("u1", datahub::v1::RFM_SEGMENT_LOYAL, datahub::v1::LTV_BAND_TOP, 2000)},
      {"s4", type, Computed("nobody", datahub::v1::RFM_SEGMENT_LOST, datahub::v1::LTV_BAND_LOW, 4000)},
      {"s5", type, "not a protobuf"},
      {"s6", "zhongtai.datahub.v1.SomethingElse", ""},
  };
  for (const Entry& entry : entries) {
    REQUIRE((*redis)
                ->Command({"XADD", stream, "*", "id", entry.id, "type", entry.type, "key", "u1", "payload",
                           entry.payload, "occurred_at", "2023-11-14T22:13:20Z"})
                .ok());
  }
  int processed = 0;
  for (int round = 0; round < 20 && processed < static_cast<int>(entries.size()); ++round) {
    auto polled = consumer.PollOnce();
    REQUIRE(polled.ok());
    processed += *polled;
  }
  CHECK(processed == static_cast<int>(entries.size()));
  CHECK(consumer.duplicates() == 1);
  CHECK(consumer.failures() == 0);
  CHECK(AllTags(*tags.Load("u1")) == std::vector<std::string>{"vip", "ltv:top", "rfm:at_risk"});
  (void)(*redis)->Command({"DEL", stream});
}

}  // namespace zhongtai::user

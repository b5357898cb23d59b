// zhongtai.datahub.v1.BehaviourEventService: maps the batch to domain events, the user from the call's verified token
// (never from the body), and the domain's rejections back by index.
#pragma once

#include <grpcpp/support/message_allocator.h>

#include "common/server/worker_pool.h"
#include "services/datahub/domain/behaviour_events.h"
#include "zhongtai/datahub/v1/behaviour_events.grpc.pb.h"

namespace zhongtai::datahub {

// "view", "add_to_cart", ... as the API spells them; kUnspecified for anything else.
BehaviourEventType ParseBehaviourEventType(const std::string& name);
// The API's name of a type ("view", ...); "" for kUnspecified.
std::string BehaviourEventTypeName(BehaviourEventType type);

// Each IngestEvents call's request and response on a protobuf arena: a batch of 500 events is some 5,000 objects
// (each event, its strings and time), which the heap would allocate and free one by one (docs/performance.md D1).
class IngestEventsArenas : public grpc::MessageAllocator<v1::IngestEventsRequest, v1::IngestEventsResponse> {
 public:
  grpc::MessageHolder<v1::IngestEventsRequest, v1::IngestEventsResponse>* AllocateMessages() override;
};

class BehaviourEventsApi : public v1::BehaviourEventService::CallbackService {
 public:
  BehaviourEventsApi(BehaviourIngestion& ingestion, server::WorkerPool& workers)
      : ingestion_(ingestion), workers_(workers) {
    SetMessageAllocatorFor_IngestEvents(&arenas_);
  }

  grpc::ServerUnaryReactor* IngestEvents(grpc::CallbackServerContext* context, const v1::IngestEventsRequest* request,
                                         v1::IngestEventsResponse* response) override;

 private:
  BehaviourIngestion& ingestion_;
  server::WorkerPool& workers_;
  IngestEventsArenas arenas_;
};

}  // namespace zhongtai::datahub

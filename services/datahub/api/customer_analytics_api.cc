#include "services/datahub/api/customer_analytics_api.h"

#include <cmath>
#include <limits>

#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

using proto::SetMoney;

std::string CurrencyOrDefault(const std::string& currency) { return currency.empty() ? "CNY" : currency; }

absl::StatusOr<absl::Time> RequiredTime(bool has, const google::protobuf::Timestamp& ts, const char* field) {
  if (!has) return InvalidArgument(field, "REQUIRED", std::string(field) + " is required");
  if (!proto::IsValidTimestamp(ts)) {
    return InvalidArgument(field, "INVALID_TIMESTAMP", std::string(field) + " is not a valid timestamp");
  }
  return proto::FromTimestamp(ts);
}

void ToProto(const MeanComparison& in, v1::Comparison* out) {
  out->set_valid(in.valid);
  out->set_difference(in.difference);
  out->set_ci_low(in.ci_low);
  out->set_ci_high(in.ci_high);
  out->set_statistic(in.t);
  out->set_degrees_of_freedom(in.degrees_of_freedom);
  out->set_p_value(in.p_value);
}

void ToProto(const ProportionComparison& in, v1::Comparison* out) {
  out->set_valid(in.valid);
  out->set_difference(in.difference);
  out->set_ci_low(in.ci_low);
  out->set_ci_high(in.ci_high);
  out->set_statistic(in.z);
  out->set_p_value(in.p_value);
}

void ToProto(const RfmScore& in, const std::string& currency, v1::RfmScore* out) {
  out->set_user_id(in.user_id);
  out->set_recency_days(in.recency_days);
  out->set_frequency(in.frequency);
  SetMoney(out->mutable_monetary(), currency, in.monetary_minor);
  out->set_recency_score(in.r);
  out->set_frequency_score(in.f);
  out->set_monetary_score(in.m);
  out->set_segment(RfmSegmentCode(in.segment));
}

void ToProto(const LtvEstimate& in, const std::string& currency, v1::LtvEstimate* out) {
  out->set_user_id(in.user_id);
  *out->mutable_cohort_time() = proto::ToTimestamp(in.cohort);
  out->set_channel(in.channel);
  SetMoney(out->mutable_historical(), currency, in.historical_minor);
  out->set_expected_orders(in.expected_orders);
  SetMoney(out->mutable_expected_order_value(), currency,
           static_cast<int64_t>(std::floor(in.expected_order_value_minor + 0.5)));
  SetMoney(out->mutable_predicted(), currency, in.predicted_minor);
  out->set_band(LtvBandCode(in.band));
}

}  // namespace

grpc::ServerUnaryReactor* CustomerAnalyticsApi::GetCohorts(grpc::CallbackServerContext* context,
                                                           const v1::GetCohortsRequest* request,
                                                           v1::GetCohortsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    CohortQuery query;
    ASSIGN_OR_RETURN(query.start_time, RequiredTime(request->has_start_time(), request->start_time(), "startTime"));
    ASSIGN_OR_RETURN(query.end_time, RequiredTime(request->has_end_time(), request->end_time(), "endTime"));
    ASSIGN_OR_RETURN(query.period, ParseCohortPeriod(request->period()));
    query.periods = request->periods();
    query.currency = CurrencyOrDefault(request->currency());
    ASSIGN_OR_RETURN(std::vector<Cohort> cohorts, analytics_.GetCohorts(query));
    response->set_period(CohortPeriodCode(query.period));
    for (const Cohort& c : cohorts) {
      v1::Cohort* out = response->add_cohorts();
      *out->mutable_start_time() = proto::ToTimestamp(c.start);
      out->set_customers(c.customers);
      out->set_repeat_purchase_rate(c.repeat_purchase_rate);
      for (int64_t n : c.active_customers) out->add_active_customers(n);
      for (double r : c.retention) out->add_retention(r);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CustomerAnalyticsApi::GetRfm(grpc::CallbackServerContext* context,
                                                       const v1::GetRfmRequest* request, v1::GetRfmResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    const std::string currency = CurrencyOrDefault(request->currency());
    ASSIGN_OR_RETURN(RfmReport report, analytics_.GetRfm(currency, request->customer_id(), clock_.Now()));
    *response->mutable_as_of_time() = proto::ToTimestamp(report.as_of);
    response->set_customers(report.customers);
    for (const RfmSegmentSummary& s : report.segments) {
      v1::RfmSegmentSummary* out = response->add_segments();
      out->set_segment(RfmSegmentCode(s.segment));
      out->set_label(RfmSegmentLabel(s.segment));
      out->set_customers(s.customers);
      out->set_share(s.share);
      SetMoney(out->mutable_average_monetary(), currency, s.average_monetary_minor);
      out->set_average_frequency(s.average_frequency);
      out->set_average_recency_days(s.average_recency_days);
    }
    if (report.user) ToProto(*report.user, currency, response->mutable_user());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CustomerAnalyticsApi::RecomputeSegments(grpc::CallbackServerContext* context,
                                                                  const v1::RecomputeSegmentsRequest* request,
                                                                  v1::RecomputeSegmentsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(SegmentRunResult run,
                     analytics_.ComputeSegments(CurrencyOrDefault(request->currency()), clock_.Now()));
    response->set_customers(run.customers);
    response->set_events(run.events);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CustomerAnalyticsApi::GetLtv(grpc::CallbackServerContext* context,
                                                       const v1::GetLtvRequest* request, v1::GetLtvResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    const std::string currency = CurrencyOrDefault(request->currency());
    ASSIGN_OR_RETURN(LtvReport report, analytics_.GetLtv(currency, request->customer_id(), clock_.Now()));
    *response->mutable_as_of_time() = proto::ToTimestamp(report.as_of);
    v1::LtvMethod* method = response->mutable_method();
    method->set_prior_days(report.parameters.prior_days);
    method->set_prior_orders(report.parameters.prior_orders);
    method->set_horizon_days(report.parameters.horizon_days);
    method->set_min_observation_days(report.parameters.min_observation_days);
    for (const LtvGroup& g : report.groups) {
      v1::LtvGroup* out = response->add_groups();
      *out->mutable_cohort_time() = proto::ToTimestamp(g.cohort);
      out->set_channel(g.channel);
      out->set_customers(g.customers);
      SetMoney(out->mutable_historical(), currency, g.historical_minor);
      SetMoney(out->mutable_predicted(), currency, g.predicted_minor);
      SetMoney(out->mutable_average_historical(), currency, g.average_historical_minor);
      SetMoney(out->mutable_average_predicted(), currency, g.average_predicted_minor);
    }
    if (report.user) ToProto(*report.user, currency, response->mutable_user());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* CustomerAnalyticsApi::GetExperimentResults(grpc::CallbackServerContext* context,
                                                                     const v1::GetExperimentResultsRequest* request,
                                                                     v1::GetExperimentResultsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    const std::string currency = CurrencyOrDefault(request->currency());
    ASSIGN_OR_RETURN(ExperimentResult result, analytics_.GetExperiment(request->experiment_id(), request->control_arm(),
                                                                       request->traffic_split(), currency));
    response->set_experiment_id(request->experiment_id());
    response->set_control_arm(result.control_arm);
    for (const ArmResult& arm : result.arms) {
      v1::ExperimentArmResult* out = response->add_arms();
      out->set_arm(arm.outcome.arm);
      out->set_exposures(arm.outcome.exposures);
      out->set_converters(arm.outcome.converters);
      out->set_orders(arm.outcome.orders);
      out->set_conversion_rate(arm.conversion_rate);
      SetMoney(out->mutable_average_order_value(), currency, arm.average_order_value);
      ToProto(arm.conversion, out->mutable_conversion());
      ToProto(arm.order_value, out->mutable_order_value());
    }
    v1::SampleRatioCheck* srm = response->mutable_sample_ratio();
    srm->set_valid(result.sample_ratio.valid);
    // JSON has no infinity: traffic where none was planned reports the largest finite statistic.
    srm->set_chi_square(std::isinf(result.sample_ratio.chi_square) ? std::numeric_limits<double>::max()
                                                                   : result.sample_ratio.chi_square);
    srm->set_degrees_of_freedom(result.sample_ratio.degrees_of_freedom);
    srm->set_p_value(result.sample_ratio.p_value);
    srm->set_mismatch(result.sample_ratio.mismatch);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::datahub

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ingest/foreignrecord.h"
#include "ingest/inputformat.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil {

/// Where a CloudWatch log event came from, as far as its envelope says.
struct CloudWatchContext
{
    std::string_view logGroup;  ///< subscription payloads only
    std::string_view logStream; ///< filter-log-events and subscription payloads
    std::string_view eventId;   ///< CloudWatch's own id (not in S3 exports)
};

/// The event_id Vigil gives a CloudWatch log event whose message has none: `cw-` and 32 hex
/// digits of SHA-256 over the event's millisecond timestamp and its message. Every shape
/// of CloudWatch output holds those two (an S3 export holds nothing else: no eventId, no log
/// group, no stream), so the same event gets the same id from all of them.
std::string cloudWatchEventId(std::int64_t timestampMs, std::string_view message);

/// Turns the message of one CloudWatch log event into a Vigil line: the message is a Vigil
/// event; without an `event_id` it gets cloudWatchEventId(); its `details` object gains
/// `"cloudwatch":{"log_group","log_stream","event_id"}` (what the envelope told, when the
/// details have no `cloudwatch` key of their own). A message that is a CloudTrail record
/// (CloudTrail delivered to CloudWatch Logs) is converted as one. Anything else goes on
/// unchanged, for the decoder to quarantine with its reason.
ForeignRecord convertCloudWatchMessage(std::string_view message, std::int64_t timestampMs,
                                       const CloudWatchContext& context, std::int64_t recordNo,
                                       const ReaderOptions& options);

/// Turns one CloudTrail record (an element of `Records`) into a `tool_call` line: action
/// `<service>:<eventName>` (service from `eventSource`), resource the first
/// `resources[].ARN` (`*` when the record names none), outcome `denied` for AccessDenied /
/// UnauthorizedOperation error codes, `error` for other error codes, else `allowed`; agent
/// from the assumed role's ARN through `options.roleAgents`, else the role (or user) name,
/// said so in `details.agent_source`; `eventID` as event_id, `eventTime` as timestamp,
/// the session (`principalId`) as thread. Rejects what is not a JSON object or lacks
/// eventTime, eventSource or eventName.
ForeignRecord convertCloudTrailRecord(std::string_view record, std::int64_t recordNo,
                                      const ReaderOptions& options);

} // namespace vigil

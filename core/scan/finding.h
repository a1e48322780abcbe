// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

/// Severity of a finding (what a reviewer triages), distinct from the event's severity.
enum class FindingSeverity : std::uint8_t { Low, Medium, High, Critical };

std::string_view toString(FindingSeverity s);
std::optional<FindingSeverity> findingSeverityFromString(std::string_view s);

/// One detection in one event. Holds where the match is (field path and a character span
/// inside that value), never the matched text itself: PII and secrets are not copied.
struct Finding
{
    std::string rule;     ///< stable dotted id, e.g. `pii.email`, `injection.override`
    std::string category; ///< injection, pii, secret, sql_mutation, log_injection, length,
                          ///< schema, iam, privilege_escalation, rejected, or a security_event type
    int layer = 0;        ///< MAESTRO layer 1..7
    FindingSeverity severity = FindingSeverity::Medium;
    std::string field;    ///< JSON path of the value holding the match, e.g. `details.output`
    int start = -1;       ///< character (code point) offset inside the value, -1 when no span
    int end = -1;
    std::string message;  ///< human text, never containing the matched content
};

} // namespace vigil

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string_view>

namespace vigil::scan {

/// What is wrong with a worker_result output against its declared schema (seed 5.2).
struct SchemaReport
{
    bool notObject = false;    ///< the output is text, an array, absent, or not JSON
    bool missingField = false; ///< metric: value, unit, confidence, weighted; table: columns, rows
    bool wrongType = false;    ///< metric value not numeric, confidence not numeric, rows/columns not arrays
    bool outOfRange = false;   ///< metric confidence outside 0..1
    std::size_t rows = 0;      ///< table rows counted (for the row limit)
};

/// Validates a worker output against `metric` or `table`. Pure.
class SchemaChecker
{
public:
    /// `outputJson` is AuditEvent::outputJson (empty when the output was text or absent).
    static SchemaReport check(std::string_view schema, std::string_view outputJson);
};

} // namespace vigil::scan

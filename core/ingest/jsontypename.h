// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to core/ingest (simdjson is linked privately): how a parsed JSON value's type
// reads in an error message ("details.tokens is a string, not a number").

#include <simdjson.h>

namespace vigil {

/// "an array", "an object", "a number", "a string", "a boolean" or "null".
inline const char* jsonTypeName(simdjson::dom::element_type t)
{
    using simdjson::dom::element_type;
    switch (t) {
    case element_type::ARRAY:
        return "an array";
    case element_type::OBJECT:
        return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
        return "a number";
    case element_type::STRING:
        return "a string";
    case element_type::BOOL:
        return "a boolean";
    case element_type::NULL_VALUE:
        return "null";
    }
    return "a value";
}

} // namespace vigil

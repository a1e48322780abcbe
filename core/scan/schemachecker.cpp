// SPDX-License-Identifier: Apache-2.0
#include "scan/schemachecker.h"

#include <nlohmann/json.hpp>

namespace vigil::scan {

SchemaReport SchemaChecker::check(std::string_view schema, std::string_view outputJson)
{
    SchemaReport r;
    const nlohmann::json out = outputJson.empty() ? nlohmann::json()
                                                  : nlohmann::json::parse(outputJson, nullptr, false);
    if (!out.is_object()) {
        r.notObject = true;
        return r;
    }
    if (schema == "metric") {
        for (const char* key : {"value", "unit", "confidence", "weighted"})
            r.missingField = r.missingField || !out.contains(key);
        if (out.contains("value") && !out["value"].is_number())
            r.wrongType = true;
        if (out.contains("confidence")) {
            const nlohmann::json& c = out["confidence"];
            if (!c.is_number())
                r.wrongType = true;
            else if (c.get<double>() < 0 || c.get<double>() > 1)
                r.outOfRange = true;
        }
    } else if (schema == "table") {
        r.missingField = !out.contains("columns") || !out.contains("rows");
        if (out.contains("columns") && !out["columns"].is_array())
            r.wrongType = true;
        if (out.contains("rows")) {
            if (out["rows"].is_array())
                r.rows = out["rows"].size();
            else
                r.wrongType = true;
        }
    } else {
        // An undeclared schema name cannot be validated; the seed treats it as invalid.
        r.wrongType = true;
    }
    return r;
}

} // namespace vigil::scan

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// One row of the guide's rotation table (resources/checklists/secret-rotation.json).
struct RotationClass
{
    std::string id;   ///< `langsmith`
    std::string name; ///< `LangSmith API key`
    std::optional<int> maxAgeDays; ///< unset: an IAM role, never rotated by hand
    std::string method;
    std::vector<std::string> match; ///< case-insensitive globs over the secret's name
};

struct RotationTable
{
    std::vector<RotationClass> classes;
    /// The first class one of whose patterns matches `secret`, or nullptr.
    const RotationClass* classify(std::string_view secret) const;
};

Result<RotationTable> parseRotationTable(std::string_view json, std::string_view sourceName);
/// The embedded `checklists/secret-rotation.json`.
Result<RotationTable> loadRotationTable();

/// The secret a `security_event` of type `secret_rotated` names, from its details JSON
/// (`{"type":"secret_rotated","details":{"secret":...}}`; `secret_name` or `name` as well,
/// or `details` as the bare name); empty when it is not such an event or names none.
std::string rotatedSecret(std::string_view detailsJson);

/// The rotations of one secret seen in the logs.
struct SecretRotations
{
    std::string secret;
    std::int64_t lastMs = 0; ///< the latest rotation
    std::int64_t count = 0;
};

/// Where a secret stands at `nowMs`.
struct RotationState
{
    std::string secret;
    std::string classId; ///< empty: no class matches (untracked)
    std::string className;
    std::optional<int> maxAgeDays;
    std::int64_t lastMs = 0;
    std::int64_t dueMs = 0; ///< lastMs + the class's age; 0 without one
    bool overdue = false;
};

/// Each secret's state, overdue ones first, then by name.
std::vector<RotationState> rotationStates(const RotationTable& table,
                                          const std::vector<SecretRotations>& seen,
                                          std::int64_t nowMs);

} // namespace vigil

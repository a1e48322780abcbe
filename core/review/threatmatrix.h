// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "base/result.h"
#include "review/evidencerule.h"
#include "review/evidencesource.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

/// Severity of a threat, as the seed's matrix writes it: LOW, MED, HIGH, CRITICAL.
enum class ThreatSeverity : std::uint8_t
{
    Low,
    Med,
    High,
    Critical
};

/// Review status of a threat row.
enum class ThreatStatus : std::uint8_t
{
    Open,
    Mitigated,
    Accepted,
    NotApplicable
};

/// `LOW`, `MED`, `HIGH`, `CRITICAL`.
std::string_view toString(ThreatSeverity s);
/// Case-insensitive; also accepts `MEDIUM` for MED.
std::optional<ThreatSeverity> threatSeverityFromString(std::string_view s);
/// `open`, `mitigated`, `accepted`, `not_applicable`.
std::string_view toString(ThreatStatus s);
/// Case-insensitive.
std::optional<ThreatStatus> threatStatusFromString(std::string_view s);

/// One row of a threat matrix.
struct ThreatRow
{
    int layer = 1; ///< MAESTRO layer 1..7
    std::string component;
    std::string threat;
    ThreatSeverity severity = ThreatSeverity::Med;
    std::string mitigation;
    ThreatStatus status = ThreatStatus::Open;
    std::string owner;
    /// Finding categories (`pii`) or dotted rule ids (`pii.email`) whose findings count
    /// against this row; `rejected` counts rejected lines.
    std::vector<std::string> links;
    std::string description; ///< free text: what the threat is (the guide's description)

    bool operator==(const ThreatRow&) const = default;
};

/// A threat matrix for one feature or component.
struct ThreatMatrix
{
    std::string name;
    /// The agent (or plugin, as it appears in `agent_name`) the matrix is about; empty for
    /// the whole system. Live finding counts are restricted to it.
    std::string component;
    std::string templateId; ///< the template it was created from; empty when blank
    std::vector<ThreatRow> rows;

    bool operator==(const ThreatMatrix&) const = default;
};

/// The editable fields of a row, in column order.
enum class ThreatField : std::uint8_t
{
    Layer,
    Component,
    Threat,
    Severity,
    Mitigation,
    Status,
    Owner,
    Links,
    Description,
};

/// Every field in column order.
std::span<const ThreatField> threatFields();
/// Lowercase column name: `layer`, `component`, ..., `description`.
std::string_view toString(ThreatField f);
/// Case-insensitive column name; `sev` is accepted for severity.
std::optional<ThreatField> threatFieldFromString(std::string_view s);

/// The field as text: layer `3`, severity `HIGH`, status `open`, links joined by `;`.
std::string fieldText(const ThreatRow& row, ThreatField field);
/// Parses `text` into the field (the inverse of fieldText). Layer, severity and status are
/// trimmed and must be valid; links split at `;`, `,` or whitespace. Text fields are taken
/// as they are. On error the row is unchanged; the message names the problem with the
/// value (`'9' is not a layer from 1 to 7`), the caller adds where it is.
Result<void> setFieldText(ThreatRow& row, ThreatField field, std::string_view text);

/// One validation problem. `row` is the 0-based row index, or -1 for the matrix itself.
struct MatrixIssue
{
    int row = -1;
    std::optional<ThreatField> field;
    std::string message;

    bool operator==(const MatrixIssue&) const = default;
};

/// "row 3, severity: ..." (1-based) or "matrix: ...".
std::string describe(const MatrixIssue& issue);

/// Problems of one row (with `row` set to `index`): layer outside 1..7, empty component or
/// threat, a line break in component, threat or owner, a field over 4000 characters, a
/// link that is neither a known category nor a dotted rule id, a duplicate link, a
/// `mitigated` row without mitigation, an `accepted` row without owner.
std::vector<MatrixIssue> validateRow(const ThreatRow& row, int index = 0);
/// validateRow() of every row, plus an empty matrix name. Empty: valid.
std::vector<MatrixIssue> validateMatrix(const ThreatMatrix& matrix);

/// A template row: the row the matrix starts with, and the seed's own words kept apart.
struct ThreatTemplateRow
{
    ThreatRow row;
    std::string threatDisplay;     ///< abbreviations expanded, for screens
    std::string mitigationDisplay; ///< abbreviations expanded, for screens
    std::string seedRisk;          ///< the guide's Risk column (`Critical`), if it has one
    std::string rationale;         ///< why this layer/links were assigned
    /// Tests that fail without the row's mitigation (`tests/<file>.cpp: <function>`); the
    /// row's description ends with them.
    std::vector<std::string> proof;

    bool operator==(const ThreatTemplateRow&) const = default;
};

/// A threat-matrix template from resources/threats/.
struct ThreatTemplate
{
    std::string id; ///< `maestro`, `attack-surface`
    std::string name;
    std::string source;
    std::vector<ThreatTemplateRow> rows;
};

/// The templates for reviewing an agent system, seeded into every database:
/// `maestro` (the skill's 7-row template) and `attack-surface` (the guide's table 1.1).
std::span<const std::string_view> threatTemplateIds();
/// Every shipped template, those above and `vigil` (Vigil's own threat model, offered but
/// not seeded: it is about the tool, not the system under review).
std::span<const std::string_view> builtinThreatTemplateIds();

/// Parses a template document; errors name `sourceName` and the JSON path. Every row must
/// pass validateRow().
Result<ThreatTemplate> parseThreatTemplate(std::string_view json, std::string_view sourceName);
/// Loads the embedded `threats/<id>.json`.
Result<ThreatTemplate> loadThreatTemplate(std::string_view id);
/// Loads the seeded templates in threatTemplateIds() order, or with `builtin` every one in
/// builtinThreatTemplateIds() order.
Result<std::vector<ThreatTemplate>> loadThreatTemplates(bool builtin = false);

/// A new matrix holding the template's rows (status open, no owner).
ThreatMatrix createMatrixFromTemplate(const ThreatTemplate& tpl, std::string name,
                                      std::string component = {});
/// A new matrix without rows.
ThreatMatrix createBlankMatrix(std::string name, std::string component = {});

/// Observed findings linked to `row` (see countLinkedFindings) within `scope`.
std::int64_t findingsFor(const ThreatRow& row, const EvidenceSource& source,
                         const EvidenceScope& scope = {});

} // namespace vigil

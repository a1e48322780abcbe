// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "bridge/bridgetypes.h"

class QWidget;

namespace vigil::ui {

class EngineBridge;

/// Asks for a file (JSON Lines or CSV by its extension) and exports the events matching
/// `query` there through the bridge, redacted; tells the user how it went.
void exportEventsWithDialog(EngineBridge& bridge, const EventQuery& query, QWidget* parent);

} // namespace vigil::ui

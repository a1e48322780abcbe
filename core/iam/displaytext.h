// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil::iam {

/// `text` made safe to quote in a one-line message: control characters (C0 including CR/LF,
/// which could forge log lines; DEL; C1; U+2028/U+2029) become `?`, and text longer than
/// `maxBytes` is cut on a UTF-8 boundary and ends in `...`.
std::string displayText(std::string_view text, std::size_t maxBytes = 160);

} // namespace vigil::iam

// SPDX-License-Identifier: Apache-2.0
#include "ingest/linesplitter.h"

namespace vigil {

LineSplitter::LineSplitter(std::size_t maxLine, std::size_t keepBytes, std::int64_t startOffset)
    : m_maxLine(maxLine), m_keep(std::min(keepBytes, maxLine)), m_offset(startOffset)
{
    m_partial.reserve(1024);
}

} // namespace vigil

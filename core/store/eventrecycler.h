// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/storewriter.h"

#include <vector>

namespace vigil {

/// Spare event vectors. Whoever is done with a batch's events (the writer once they are
/// committed, `vigil-cli scan` once they are printed) gives them back, and the workers decode
/// the next chunk into them, so each event's strings keep their storage instead of going
/// through malloc and free for every line: in a profile of `vigil-cli scan`, freeing the
/// batches was a tenth of all CPU time. Bounded in vectors and in the storage an event may
/// keep. Thread-safe.
class EventRecycler
{
public:
    /// A vector of used events to decode into (it may be empty); its size is the number of
    /// events ready for reuse.
    static std::vector<IngestedEvent> take();

    /// Returns events for reuse; frees them instead when the pool is full.
    static void give(std::vector<IngestedEvent>&& events);
};

} // namespace vigil

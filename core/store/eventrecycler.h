// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "store/storewriter.h"

#include <vector>

namespace vigil {

/// Spare event vectors. Whoever is done with a batch's events (the writer once they are
/// committed, `vigil-cli scan` once they are printed) gives them back, and the workers decode
/// the next chunk into them, so each event's strings keep their storage instead of going
/// through malloc and free for every line: in a profile of `vigil-cli scan`, freeing the
/// batches was a tenth of all CPU time. Bounded: at most a dozen vectors, each once a live
/// batch, and prepare() frees an event that kept more than 8 KiB before it is reused.
/// Thread-safe.
class EventRecycler
{
public:
    /// A vector of used events to decode into (it may be empty); call prepare() on each
    /// element before reusing it.
    static std::vector<IngestedEvent> take();

    /// Returns events for reuse; when the pool is full they stay with the caller.
    static void give(std::vector<IngestedEvent>&& events);

    /// Readies a recycled event for decoding: drops its findings and chain hashes, and frees its
    /// storage outright when it is larger than a spare event may keep.
    static void prepare(IngestedEvent& slot);
};

} // namespace vigil

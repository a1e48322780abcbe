// SPDX-License-Identifier: Apache-2.0
#include "store/eventrecycler.h"

#include <memory>
#include <mutex>

namespace vigil {
namespace {

constexpr std::size_t kMaxVectors = 12;      // a few chunks in flight per worker
constexpr std::size_t kMaxEventBytes = 8192; // storage one spare event may keep

std::size_t keptBytes(const AuditEvent& e)
{
    std::size_t n = 0;
    for (const std::string* s :
         {&e.timestamp, &e.eventType, &e.agentName, &e.threadId, &e.eventId, &e.userId, &e.traceId,
          &e.spanId, &e.detailsJson, &e.model, &e.workerName, &e.action, &e.resource, &e.outcome,
          &e.securityType, &e.outputSchema, &e.outputJson})
        n += s->capacity();
    for (const TextField& t : e.texts)
        n += t.path.capacity() + t.value.capacity();
    return n + e.texts.capacity() * sizeof(TextField);
}

struct Pool
{
    std::mutex mutex;
    std::vector<std::vector<IngestedEvent>> spare;
};

Pool& pool()
{
    static Pool p;
    return p;
}

} // namespace

std::vector<IngestedEvent> EventRecycler::take()
{
    Pool& p = pool();
    std::lock_guard lock(p.mutex);
    if (p.spare.empty())
        return {};
    std::vector<IngestedEvent> v = std::move(p.spare.back());
    p.spare.pop_back();
    return v;
}

void EventRecycler::give(std::vector<IngestedEvent>&& events)
{
    if (events.empty())
        return;
    Pool& p = pool();
    std::unique_lock lock(p.mutex);
    if (p.spare.size() >= kMaxVectors)
        return; // `events` stays with the caller, who frees it outside the lock
    p.spare.push_back(std::move(events));
}

void EventRecycler::prepare(IngestedEvent& slot)
{
    // An event that held a large details object would keep its storage for good: let it go.
    // Checked here, by the worker about to overwrite the slot, rather than in give(): the
    // slot's memory is touched now anyway, while give() runs on the consumer's thread.
    if (keptBytes(slot.event) > kMaxEventBytes) {
        // Not `slot = {}`: a moved-in short string leaves the target's buffer in place.
        std::destroy_at(&slot);
        std::construct_at(&slot);
    }
    slot.findings.clear();
    slot.leaf.reset();
    slot.summaryLeaf.reset();
    slot.findingsDigest.reset();
    slot.findingHashes.clear();
}

} // namespace vigil

#include "serve/target_counters.hpp"

namespace pk::serve {

struct TargetCounters::Impl {};

TargetCounters::TargetCounters() : m_impl(new Impl) {}
TargetCounters::~TargetCounters() { delete m_impl; }

void TargetCounters::record(const core::Target& /*target*/, const core::Sample& /*sample*/) {}

std::string TargetCounters::render(const ServeState& /*state*/) const { return {}; }

}  // namespace pk::serve

#include "store/sample_row.hpp"

namespace pk::store {

core::Sample read_sample_row(const Statement& st) {
  core::Sample s;
  s.target_id = st.int64(0);
  s.ts = util::from_epoch_us(st.int64(1));
  if (auto rtt = st.opt_int64(2)) s.rtt = util::Micros{*rtt};
  s.status = static_cast<core::SampleStatus>(st.int32(3));
  if (auto ttl = st.opt_int64(4)) s.ttl = static_cast<int>(*ttl);
  s.detail = st.opt_text(5);
  return s;
}

}  // namespace pk::store

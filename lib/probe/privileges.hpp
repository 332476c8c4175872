#pragma once

#include "util/expected.hpp"

namespace pk::probe {

// Gives up, once the probe sockets are open, the rights that opened them (as
// mtr does): a set-user-ID pingkeeper returns to the real user, and a process
// whose real user is not root drops all capabilities (the CAP_NET_RAW that
// `setcap cap_net_raw+ep` gave it). Root keeps its rights: nothing was
// borrowed. Call it only when the process opens no more raw sockets.
// Fails with ErrorKind::permission when the change is refused.
Expected<void> drop_privileges();

}  // namespace pk::probe

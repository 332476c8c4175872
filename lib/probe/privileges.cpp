#include "probe/privileges.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pk::probe {

Expected<void> drop_privileges() {
  const uid_t real = getuid();
  if (geteuid() != real && setuid(real) != 0) {
    return make_error(ErrorKind::permission, fmt::format("cannot drop privileges: setuid: {}", std::strerror(errno)));
  }
  if (real == 0) return {};
  // No libcap here: capset(2) with empty sets, through the raw system call.
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
  if (syscall(SYS_capset, &header, data) != 0) {
    return make_error(ErrorKind::permission, fmt::format("cannot drop capabilities: capset: {}", std::strerror(errno)));
  }
  return {};
}

}  // namespace pk::probe

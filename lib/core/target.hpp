#pragma once

#include "util/duration.hpp"
#include "util/expected.hpp"
#include "util/time.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pk::core {

enum class ProbeKind { icmp, tcp };
enum class Family { any = 0, v4 = 4, v6 = 6 };

std::string_view to_string(ProbeKind p);
std::string_view to_string(Family f);  // "any", "ipv4", "ipv6"
Expected<ProbeKind> parse_probe_kind(std::string_view text);

// Limits a target must respect (CLI.md, README "Targets").
inline constexpr util::Micros k_min_interval = std::chrono::milliseconds{100};
inline constexpr util::Micros k_max_interval = std::chrono::hours{24};
inline constexpr util::Micros k_min_timeout = std::chrono::milliseconds{100};
inline constexpr util::Micros k_max_timeout = std::chrono::seconds{60};
inline constexpr int k_max_payload = 65000;
inline constexpr int k_default_payload = 56;
inline constexpr int k_default_tcp_port = 443;
inline constexpr std::size_t k_max_name_length = 255;  // room for any host as a name
inline constexpr std::size_t k_max_description = 1000;

using Tags = std::map<std::string, std::string>;

// A destination that is probed. Durations are whole milliseconds.
struct Target {
  std::int64_t id = 0;  // 0 until stored
  std::string name;
  std::string host;
  Family family = Family::any;
  ProbeKind probe = ProbeKind::icmp;
  std::optional<int> port;  // set for tcp only
  util::Micros interval = std::chrono::seconds{1};
  util::Micros timeout = std::chrono::seconds{1};
  int payload_size = k_default_payload;
  bool paused = false;
  bool job_only = false;  // probed only inside its jobs' windows
  std::string description;
  Tags tags;
  util::SysMicros created_at{};
  util::SysMicros updated_at{};
  std::optional<util::SysMicros> removed_at;  // retired with its data kept
};

// A set of changes to a target; unset fields are left alone. The same patch
// builds a new target (`target add`, `target import`) and edits one.
struct TargetPatch {
  std::optional<std::string> name;
  std::optional<std::string> host;
  std::optional<Family> family;
  std::optional<ProbeKind> probe;
  std::optional<int> port;
  std::optional<util::Micros> interval;
  std::optional<util::Micros> timeout;
  std::optional<int> payload_size;
  std::optional<bool> paused;
  std::optional<bool> job_only;
  std::optional<std::string> description;
  Tags set_tags;
  std::vector<std::string> remove_tags;

  // Does the patch change nothing at all?
  bool empty() const;
};

// Checks that `d` lies in [lo, hi] and is whole milliseconds; invalid_input
// names `what` and the accepted range.
Expected<void> check_duration(std::string_view what, util::Micros d, util::Micros lo, util::Micros hi);

// Checks free text: at most k_max_description bytes of valid UTF-8.
Expected<void> check_description(std::string_view text);

// Checks a target name: 1-255 characters of letters, digits and . _ - : % (so
// every valid host is a valid name) and not all digits (a number is read as
// an id). invalid_input says why.
Expected<void> validate_name(std::string_view name);

// Parses "key=value" for --tag: key of letters, digits and . _ -, at most 64
// characters; the value may be empty and must not hold control characters.
Expected<std::pair<std::string, std::string>> parse_tag(std::string_view text);

// Tags as one CSV cell ("k=v;k2=v2", by key), a ';' or '\\' inside a value
// escaped with a '\\' (`target list --csv`), and back: the "k=v" texts of
// such a cell, unescaped (`target import`). A '\\' before anything else stays.
std::string format_tags_cell(const Tags& tags);
std::vector<std::string> split_tags_cell(std::string_view cell);

// Applies `patch` to `target` and validates the result as a whole: host (via
// classify_host), name (defaults to the host when empty), interval 100 ms..1 d,
// timeout 100 ms..60 s (it may exceed the interval: a late reply is lost
// either way), payload 0..65,000 bytes, port 1..65535 and only
// for tcp (tcp without a port gets 443), family consistent with a literal
// host ("-6" with an IPv4 literal is rejected), whole milliseconds.
// On error `target` is unchanged.
Expected<void> apply_patch(Target& target, const TargetPatch& patch);

// Builds a new target for `host` from defaults plus `patch`.
Expected<Target> make_target(std::string_view host, const TargetPatch& patch);

}  // namespace pk::core

#include "core/trace.hpp"

#include <fmt/format.h>

namespace pk::core {

std::string_view to_string(TraceMethod m) {
  switch (m) {
    case TraceMethod::icmp: return "icmp";
    case TraceMethod::udp: return "udp";
    case TraceMethod::tcp: return "tcp";
  }
  return "icmp";
}

Expected<TraceMethod> parse_trace_method(std::string_view text) {
  if (text == "icmp") return TraceMethod::icmp;
  if (text == "udp") return TraceMethod::udp;
  if (text == "tcp") return TraceMethod::tcp;
  return invalid_input(fmt::format("invalid probe \"{}\": use icmp, udp or tcp", text));
}

std::string_view to_string(HopReply r) {
  switch (r) {
    case HopReply::none: return "none";
    case HopReply::time_exceeded: return "time_exceeded";
    case HopReply::unreachable: return "unreachable";
    case HopReply::reached: return "reached";
  }
  return "none";
}

std::optional<HopReply> parse_hop_reply(std::string_view text) {
  for (HopReply r : {HopReply::none, HopReply::time_exceeded, HopReply::unreachable, HopReply::reached}) {
    if (text == to_string(r)) return r;
  }
  return std::nullopt;
}

std::string unreachable_mark(bool v6, int icmp_type, int icmp_code) {
  if (v6) {
    if (icmp_type != 1) return "";  // ICMPv6 destination unreachable (RFC 4443)
    switch (icmp_code) {
      case 0: return "!N";  // no route
      case 1: return "!X";  // administratively prohibited
      case 2: return "!S";  // beyond scope of source address
      case 3: return "!H";  // address unreachable
      case 4: return "";    // port unreachable: a UDP probe's destination
      case 5:               // source address failed ingress/egress policy
      case 6: return "!X";  // reject route
      default: return fmt::format("!{}", icmp_code);
    }
  }
  if (icmp_type != 3) return "";  // ICMP destination unreachable (RFC 792, 1812)
  switch (icmp_code) {
    case 0:
    case 6:
    case 8:
    case 11: return "!N";
    case 1:
    case 7:
    case 12: return "!H";
    case 2: return "!P";
    case 3: return "";
    case 4: return "!F";
    case 5: return "!S";
    case 9:
    case 10:
    case 13: return "!X";
    case 14: return "!V";
    case 15: return "!C";
    default: return fmt::format("!{}", icmp_code);
  }
}

}  // namespace pk::core

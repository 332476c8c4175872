#pragma once

#include <expected>
#include <string>
#include <utility>

namespace pk {

// What went wrong, in terms a caller can act on. cli/ maps each kind to an exit
// code (see README "Exit codes"); nothing in lib/ exits or prints.
enum class ErrorKind {
  invalid_input,  // bad user input; nothing was changed
  not_found,      // unknown target, job, trace
  permission,     // the OS refused (sockets, files)
  busy,           // another process holds a resource (the collector lock)
  io,             // file or network I/O failed
  database,       // SQLite failed, or the database is not usable
};

// An expected failure with a message fit for a user: it names the thing and,
// where there is one, the fix.
struct Error {
  ErrorKind kind = ErrorKind::io;
  std::string message;
};

template <typename T>
using Expected = std::expected<T, Error>;

inline std::unexpected<Error> make_error(ErrorKind kind, std::string message) {
  return std::unexpected<Error>(Error{kind, std::move(message)});
}

inline std::unexpected<Error> invalid_input(std::string message) {
  return make_error(ErrorKind::invalid_input, std::move(message));
}

inline std::unexpected<Error> not_found(std::string message) {
  return make_error(ErrorKind::not_found, std::move(message));
}

}  // namespace pk

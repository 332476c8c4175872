#pragma once

#include "util/expected.hpp"

#include <functional>

namespace pk::store {

class Database;

// Runs `fn` in one write transaction (BEGIN IMMEDIATE): commits when it
// succeeds; rolls back when it returns an error or a statement fails, and
// returns that error. For callers outside lib/store that combine several
// repository functions into one atomic step (repository functions that say
// "callers hold a transaction").
Expected<void> transact(const Database& db, const std::function<Expected<void>()>& fn);

}  // namespace pk::store

#pragma once

namespace pk::cli {

// Parses the command line, runs the command, prints errors as
// "pingkeeper: error: ..." and returns the exit code (README "Exit codes").
int main(int argc, char** argv);

}  // namespace pk::cli

#include "app.hpp"

int main(int argc, char** argv) { return pk::cli::main(argc, argv); }

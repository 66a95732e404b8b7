// gendan: one binary, one subcommand per role. See `gendan --help`.
#include "consumers/cli.h"

int main(int argc, char** argv) { return gendan::RunCli(argc, argv); }

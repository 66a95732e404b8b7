// The `gendan` command line: one subcommand per role, the same config flags on each.
#pragma once

namespace gendan {

// Parses argv, runs the chosen subcommand, returns the process exit status.
int RunCli(int argc, char** argv);

}  // namespace gendan

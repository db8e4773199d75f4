/* Subcommands of the wasmc command; each returns the process exit code. */
#ifndef WASMC_CLI_CLI_H
#define WASMC_CLI_CLI_H

int cli_validate(int argc, char **argv);
int cli_print(int argc, char **argv);
int cli_wast(int argc, char **argv);

#endif

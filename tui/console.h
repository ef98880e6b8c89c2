/* tui/console.h - the interactive ncurses console. */
#ifndef TUI_CONSOLE_H
#define TUI_CONSOLE_H

#include "../cli/cli.h"

/* Opens the console on the resolved config; returns an exit code.  When stdout is not a
 * terminal it prints the plain-text readiness report instead. */
int console_run(struct cli_ctx *ctx);

#endif

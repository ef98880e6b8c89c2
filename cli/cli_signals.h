/* cli/cli_signals.h - what Ctrl-C, SIGTERM and SIGHUP do while a command runs (issue 14.4).
 *
 *  - Ctrl-C while connecting (no handle yet): exit 130 at once; nothing was sent yet.
 *  - Ctrl-C with a handle: set *flag and cancel the statement in flight (PQcancel or
 *    sqlite3_interrupt); the command stops at its next check and says what it kept.
 *  - a second Ctrl-C: cancel again and exit 130 at once (the server rolls back whatever
 *    transaction was open when the connection closes).
 *  - SIGTERM, SIGHUP (terminal closed): cancel the server-side statement first, then die of the
 *    signal, so no query keeps running on the server after vbadmin is gone. */
#ifndef CLI_CLI_SIGNALS_H
#define CLI_CLI_SIGNALS_H

#include <signal.h>

struct engine;

/* Watches for the command running on e (engine_interrupt cancels its statement; e->h is NULL
 * until connected). */
void cli_signals_watch(struct engine *e);
/* Restores the previous handlers. */
void cli_signals_unwatch(void);

#endif

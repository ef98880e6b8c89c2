/* cli/cli_signals.h - what Ctrl-C, SIGTERM and SIGHUP do while a command runs (issue 14.4), and
 * how a cancelled command says what it cancelled (issue 17.8).
 *
 *  - Ctrl-C while connecting (no handle yet): exit 130 at once; nothing was sent yet.
 *  - Ctrl-C with a handle: say at once what is being cancelled, set the engine's flag and cancel
 *    the statement in flight (PQcancel or sqlite3_interrupt); the command stops at its next check
 *    and its last line, from cli_cancelled, says what was cancelled and what was kept.
 *  - a second Ctrl-C: cancel again and exit 130 at once (the server rolls back whatever
 *    transaction was open when the connection closes).
 *  - SIGTERM, SIGHUP (terminal closed): cancel the server-side statement first, then die of the
 *    signal, so no query keeps running on the server after vbadmin is gone. */
#ifndef CLI_CLI_SIGNALS_H
#define CLI_CLI_SIGNALS_H

#include <signal.h>
#include <stdatomic.h>

#include "cli.h"

struct engine;

/* Watches for the command running on e (engine_interrupt cancels its statement; e->h is NULL
 * until connected). */
void cli_signals_watch(struct engine *e);
/* For a command without an engine (migrate): Ctrl-C sets *flag, which the command checks
 * between its batches; a second Ctrl-C exits 130 at once. */
void cli_signals_watch_flag(atomic_int *flag);
/* Restores the previous handlers. */
void cli_signals_unwatch(void);

/* What the command is doing, in words that follow "cancelled: " ("bootstrap-kb of namespace
 * sales (semantic_model)"); used by the signal handler's messages and cli_cancelled. */
void cli_signals_doing(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last line of a cancelled command on ctx->err: "vbadmin: cancelled: DOING; KEPT" where
 * KEPT says truthfully what was written and stays.  Returns VB_EXIT_INTERRUPTED (130). */
int cli_cancelled(struct cli_ctx *ctx, const char *kept_fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

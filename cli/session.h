/* cli/session.h - how a command reports a backend error: message, SQLSTATE, detail, hint, and
 * the exit code it means. */
#ifndef CLI_SESSION_H
#define CLI_SESSION_H

#include "../backends/vb.h"
#include "cli.h"

/* Prints "vbadmin: <what>: message" plus SQLSTATE/detail/hint lines; returns the exit code. */
int session_report(struct cli_ctx *ctx, const char *what, const struct vb_error *err);

#endif

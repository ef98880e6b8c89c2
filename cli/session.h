/* cli/session.h - what a data command needs before it can talk to a store: the loaded
 * config, the resolved connection and an open backend. */
#ifndef CLI_SESSION_H
#define CLI_SESSION_H

#include "../backends/vb.h"
#include "cli.h"

struct session {
	struct vb_config vc;
	const struct vb_ops *ops;
	struct vb_handle *h;
};

/* Loads the config, resolves namespace/backend and opens the backend.  On failure prints the
 * error (password-free) to ctx->err and returns the exit code; VB_EXIT_OK on success. */
int session_open(struct cli_ctx *ctx, struct session *s);
void session_close(struct session *s);
/* Prints "vbadmin: <what>: message" plus SQLSTATE/detail/hint lines; returns the exit code. */
int session_report(struct cli_ctx *ctx, const char *what, const struct vb_error *err);

#endif

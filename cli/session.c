/* cli/session.c - how a command reports a backend error (see session.h). */
#include "../engine/engine.h"
#include "session.h"

#include <string.h>

#include "../config/config.h"

int session_report(struct cli_ctx *ctx, const char *what, const struct vb_error *err)
{
	fprintf(ctx->err, "vbadmin: %s: %s\n", what, err->message);
	if (err->sqlstate[0])
		fprintf(ctx->err, "  SQLSTATE %s\n", err->sqlstate);
	if (err->detail[0])
		fprintf(ctx->err, "  detail: %s\n", err->detail);
	if (err->hint[0])
		fprintf(ctx->err, "  hint: %s\n", err->hint);
	/* the server's statement_timeout cancels too; that is a limit to raise, not a Ctrl-C */
	if (err->status == VB_ERR_CANCELLED && strstr(err->message, "statement timeout")) {
		fprintf(ctx->err, "  hint: the server's statement_timeout stopped the statement; raise it (agent.yml: "
		                  "options: statement_timeout=60s) or make the query cheaper (vbadmin index plan)\n");
		return VB_EXIT_FIXABLE;
	}
	return engine_exit_for_status(err->status);
}

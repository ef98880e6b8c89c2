/* cli/session.c - config + backend opening shared by bootstrap-kb and search. */
#include "../engine/engine.h"
#include "session.h"

#include <string.h>

#include "../backends/registry.h"
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

int session_open(struct cli_ctx *ctx, struct session *s)
{
	memset(s, 0, sizeof *s);
	int rc = cli_resolve(ctx, NULL, &s->vc);
	if (rc != VB_EXIT_OK)
		return rc;
	struct vb_error err;
	vb_err_clear(&err);
	if (vb_registry_open(&s->vc, &s->ops, &s->h, &err) != VB_OK) {
		/* an unknown backend name is a usage error, not a connection problem */
		if (err.status == VB_ERR_NOT_FOUND || err.status == VB_ERR_ABI || err.status == VB_ERR_INVALID) {
			session_report(ctx, "backend", &err);
			return err.status == VB_ERR_ABI ? VB_EXIT_INTERNAL : VB_EXIT_USAGE;
		}
		return session_report(ctx, "cannot open the store", &err);
	}
	return VB_EXIT_OK;
}

void session_close(struct session *s)
{
	if (s->ops && s->h)
		s->ops->close(&s->h);
	s->ops = NULL;
}

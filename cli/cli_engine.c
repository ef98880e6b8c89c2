/* cli/cli_engine.c - see cli_engine.h. */
#include "cli_engine.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../config/config.h"
#include "session.h"

static struct engine *volatile sig_engine;
static struct sigaction old_int;

/* The pgvector cancel slot only writes a cancel request on a socket prepared at connect time
 * (PQcancel is async-signal-safe), so it may run right here. */
static void on_sigint(int sig)
{
	(void)sig;
	struct engine *e = sig_engine;
	if (!e)
		return;
	e->cancelled = 1;
	if (e->ops && e->h && e->ops->cancel)
		e->ops->cancel(e->h);
}

struct engine *cli_engine_open(struct cli_ctx *ctx, int *rc)
{
	*rc = cli_load_config(ctx);
	if (*rc != VB_EXIT_OK)
		return NULL;
	struct engine *e = engine_new(ctx->cfg, ctx->cfg ? ctx->cfg->path : NULL, ctx->namespace, ctx->backend);
	sig_engine = e;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	return e;
}

void cli_engine_close(struct engine **e)
{
	sigaction(SIGINT, &old_int, NULL);
	sig_engine = NULL;
	engine_free(e);
}

int cli_report_open(struct cli_ctx *ctx, const char *failed_at, const struct vb_error *err)
{
	/* an unknown backend or a plugin of another ABI is a usage (or internal) error, not a
	 * connection problem */
	if (err->status == VB_ERR_NOT_FOUND || err->status == VB_ERR_ABI ||
	    (err->status == VB_ERR_INVALID && strcmp(failed_at, "store") == 0)) {
		session_report(ctx, "backend", err);
		return err->status == VB_ERR_ABI ? VB_EXIT_INTERNAL : VB_EXIT_USAGE;
	}
	if (strcmp(failed_at, "config") == 0) {
		fprintf(ctx->err, "vbadmin: %s\n", err->message);
		if (err->hint[0])
			fprintf(ctx->err, "hint: %s\n", err->hint);
		return engine_exit_for_status(err->status);
	}
	return session_report(ctx, "cannot open the store", err);
}

const char *cli_exit_meaning(int code)
{
	switch (code) {
#define EXIT_CODE(sym, val, text) case val: return text;
#include "../engine/exitcodes.def"
#undef EXIT_CODE
	}
	return "unknown";
}

static void print_indented(FILE *f, const char *prefix, const char *text)
{
	const char *p = text;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fprintf(f, "%s%.*s\n", prefix, (int)n, p);
		p = nl ? nl + 1 : NULL;
	}
}

static const char *tag(int status)
{
	switch (status) {
	case STEP_OK: return "[OK]  ";
	case STEP_WARN: return "[WARN]";
	case STEP_FAIL: return "[FAIL]";
	case STEP_SKIP: return "[SKIP]";
	default: return "[--]  ";
	}
}

void cli_print_steps(struct cli_ctx *ctx, struct engine *e, int upto)
{
	FILE *o = ctx->out;
	for (int i = 0; i < step_ndefs; i++) {
		const struct step_def *d = &step_defs[i];
		if (!engine_step_applies(e, d->id))
			continue;
		const struct step_result *r = engine_result(e, d->id);
		if (r->status != STEP_PENDING) {
			fprintf(o, "%s %-15s %-38s %8.1f ms  %s\n", tag(r->status), d->name, d->title, r->ms,
			        r->message ? r->message : "");
			if (ctx->verbose || r->status == STEP_FAIL || r->status == STEP_WARN)
				print_indented(o, "         ", r->detail);
			if (r->status == STEP_FAIL || r->status == STEP_WARN) {
				const struct advice *a = r->advice_id ? advice_get(r->advice_id) : NULL;
				if (r->errclass[0] || a) {
					fprintf(o, "         class %s", r->errclass[0] ? r->errclass : "-");
					if (a) {
						char anchor[32];
						advice_anchor(a, anchor, sizeof anchor);
						fprintf(o, "; advice %s (%s acts): %s [docs/troubleshooting.md#%s]", a->id,
						        advice_who_name(a->who), a->title, anchor);
					}
					fputc('\n', o);
					if (a) {
						char *cause = r->why ? NULL : engine_render(e, a->cause, NULL, NULL, 0);
						print_indented(o, "         why: ", r->why ? r->why : cause);
						free(cause);
					}
				}
				if (r->fix) {
					fprintf(o, "         fix:\n");
					print_indented(o, "           ", r->fix);
				}
			}
		}
		if (upto != STEP_NONE && d->id == upto)
			break;
	}
}

void cli_print_verdict(struct cli_ctx *ctx, struct engine *e, int code)
{
	int n[5] = {0};
	for (int i = 0; i < step_ndefs; i++)
		if (engine_step_applies(e, step_defs[i].id))
			n[engine_result(e, step_defs[i].id)->status]++;
	fprintf(ctx->out, "\n%d ok, %d warnings, %d failed, %d skipped. ", n[STEP_OK], n[STEP_WARN], n[STEP_FAIL],
	        n[STEP_SKIP]);
	if (code == VB_EXIT_OK)
		fprintf(ctx->out, "Ready.\n");
	else
		fprintf(ctx->out, "Not ready: exit %d (%s).\n", code, cli_exit_meaning(code));
	if (code == VB_EXIT_DBA)
		fprintf(ctx->out, "Run `vbadmin dba-packet -o dba.txt` and hand the file to a DBA.\n");
}

void cli_json_str_or_null(struct vb_buf *b, const char *s)
{
	if (s)
		vb_buf_json_str(b, s);
	else
		vb_buf_add(b, "null");
}

void cli_json_head(struct vb_buf *b, const char *command, struct engine *e, int code, int upto)
{
	int n[5] = {0};
	for (int i = 0; i < step_ndefs; i++) {
		if (engine_step_applies(e, step_defs[i].id))
			n[engine_result(e, step_defs[i].id)->status]++;
		if (upto != STEP_NONE && step_defs[i].id == upto)
			break;
	}
	vb_buf_add(b, "{\"schema_version\": 1, \"command\": ");
	vb_buf_json_str(b, command);
	vb_buf_add(b, ", \"backend\": ");
	vb_buf_json_str(b, e->backend_name ? e->backend_name : "");
	vb_buf_add(b, ", \"namespace\": ");
	cli_json_str_or_null(b, e->vbc.namespace);
	vb_buf_printf(b, ", \"ready\": %s, \"exit_code\": %d, \"exit_meaning\": ", code == 0 ? "true" : "false", code);
	vb_buf_json_str(b, cli_exit_meaning(code));
	vb_buf_printf(b, ", \"summary\": {\"ok\": %d, \"warn\": %d, \"fail\": %d, \"skip\": %d}", n[STEP_OK],
	              n[STEP_WARN], n[STEP_FAIL], n[STEP_SKIP]);
}

void cli_json_steps(struct vb_buf *b, struct engine *e, int upto)
{
	vb_buf_add(b, ", \"steps\": [");
	int first = 1;
	for (int i = 0; i < step_ndefs; i++) {
		const struct step_def *d = &step_defs[i];
		if (!engine_step_applies(e, d->id))
			continue;
		const struct step_result *r = engine_result(e, d->id);
		if (r->status != STEP_PENDING) {
			vb_buf_add(b, first ? "\n  {" : ",\n  {");
			first = 0;
			vb_buf_add(b, "\"id\": ");
			vb_buf_json_str(b, d->name);
			vb_buf_add(b, ", \"title\": ");
			vb_buf_json_str(b, d->title);
			vb_buf_add(b, ", \"status\": ");
			vb_buf_json_str(b, step_status_name(r->status));
			vb_buf_printf(b, ", \"duration_ms\": %.3f, \"message\": ", r->ms);
			cli_json_str_or_null(b, r->message);
			vb_buf_add(b, ", \"detail\": ");
			cli_json_str_or_null(b, r->detail);
			vb_buf_add(b, ", \"error_class\": ");
			cli_json_str_or_null(b, r->errclass[0] ? r->errclass : NULL);
			vb_buf_add(b, ", \"fix\": ");
			cli_json_str_or_null(b, r->fix);
			vb_buf_add(b, ", \"advice\": ");
			const struct advice *a = r->advice_id ? advice_get(r->advice_id) : NULL;
			if (a) {
				char anchor[32], doc[64];
				advice_anchor(a, anchor, sizeof anchor);
				snprintf(doc, sizeof doc, "docs/troubleshooting.md#%s", anchor);
				char *cause = r->why ? vb_xstrdup(r->why) : engine_render(e, a->cause, NULL, NULL, 0);
				char *fix = engine_render(e, a->fix, NULL, NULL, 0);
				vb_buf_add(b, "{\"id\": ");
				vb_buf_json_str(b, a->id);
				vb_buf_add(b, ", \"title\": ");
				vb_buf_json_str(b, a->title);
				vb_buf_add(b, ", \"cause\": ");
				vb_buf_json_str(b, cause);
				vb_buf_add(b, ", \"fix\": ");
				vb_buf_json_str(b, fix);
				vb_buf_add(b, ", \"who\": ");
				vb_buf_json_str(b, advice_who_name(a->who));
				vb_buf_add(b, ", \"doc\": ");
				vb_buf_json_str(b, doc);
				vb_buf_add(b, "}");
				free(cause);
				free(fix);
			} else {
				vb_buf_add(b, "null");
			}
			vb_buf_add(b, "}");
		}
		if (upto != STEP_NONE && d->id == upto)
			break;
	}
	vb_buf_add(b, "]");
}

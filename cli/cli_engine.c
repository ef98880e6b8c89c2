/* cli/cli_engine.c - see cli_engine.h. */
#include "cli_engine.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "../config/config.h"
#include "cli_json.h"
#include "cli_signals.h"
#include "session.h"

struct engine *cli_engine_open(struct cli_ctx *ctx, int *rc)
{
	*rc = cli_load_config(ctx);
	if (*rc != VB_EXIT_OK)
		return NULL;
	struct engine *e = engine_new(ctx->cfg, ctx->cfg ? ctx->cfg->path : NULL, ctx->namespace, ctx->backend);
	e->embedder_override = ctx->embedder;
	cli_signals_watch(e);
	return e;
}

void cli_engine_close(struct engine **e)
{
	cli_signals_unwatch();
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
	fprintf(ctx->out, "\n%d ok, %d warning%s, %d failed, %d skipped. ", n[STEP_OK], n[STEP_WARN],
	        n[STEP_WARN] == 1 ? "" : "s", n[STEP_FAIL], n[STEP_SKIP]);
	if (code == VB_EXIT_OK)
		fprintf(ctx->out, "Ready.\n");
	else
		fprintf(ctx->out, "Not ready: exit %d (%s).\n", code, cli_exit_meaning(code));
	if (code == VB_EXIT_DBA)
		fprintf(ctx->out, "Run `vbadmin dba-packet -o dba.txt` and hand the file to a DBA.\n");
}

json_t *cli_json_head(const char *command, struct engine *e, int code, int upto)
{
	int n[5] = {0};
	for (int i = 0; i < step_ndefs; i++) {
		if (engine_step_applies(e, step_defs[i].id))
			n[engine_result(e, step_defs[i].id)->status]++;
		if (upto != STEP_NONE && step_defs[i].id == upto)
			break;
	}
	json_t *o = json_object();
	json_object_set_new(o, "schema_version", json_integer(1));
	json_object_set_new(o, "command", cli_json_str(command));
	json_object_set_new(o, "backend", cli_json_str(e->backend_name ? e->backend_name : ""));
	json_object_set_new(o, "namespace", cli_json_str(e->vbc.namespace));
	json_object_set_new(o, "ready", json_boolean(code == 0));
	json_object_set_new(o, "exit_code", json_integer(code));
	json_object_set_new(o, "exit_meaning", cli_json_str(cli_exit_meaning(code)));
	json_object_set_new(o, "summary", json_pack("{s:i, s:i, s:i, s:i}", "ok", n[STEP_OK], "warn", n[STEP_WARN],
	                                            "fail", n[STEP_FAIL], "skip", n[STEP_SKIP]));
	return o;
}

static json_t *advice_json(struct engine *e, const struct step_result *r)
{
	const struct advice *a = r->advice_id ? advice_get(r->advice_id) : NULL;
	if (!a)
		return json_null();
	char anchor[32], doc[64];
	advice_anchor(a, anchor, sizeof anchor);
	snprintf(doc, sizeof doc, "docs/troubleshooting.md#%s", anchor);
	char *cause = r->why ? vb_xstrdup(r->why) : engine_render(e, a->cause, NULL, NULL, 0);
	char *fix = engine_render(e, a->fix, NULL, NULL, 0);
	json_t *o = json_object();
	json_object_set_new(o, "id", cli_json_str(a->id));
	json_object_set_new(o, "title", cli_json_str(a->title));
	json_object_set_new(o, "cause", cli_json_str(cause));
	json_object_set_new(o, "fix", cli_json_str(fix));
	json_object_set_new(o, "who", cli_json_str(advice_who_name(a->who)));
	json_object_set_new(o, "doc", cli_json_str(doc));
	free(cause);
	free(fix);
	return o;
}

static json_t *step_json(struct engine *e, const struct step_def *d, const struct step_result *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", cli_json_str(d->name));
	json_object_set_new(o, "title", cli_json_str(d->title));
	json_object_set_new(o, "status", cli_json_str(step_status_name(r->status)));
	json_object_set_new(o, "duration_ms", json_real(r->ms));
	json_object_set_new(o, "message", cli_json_str(r->message));
	json_object_set_new(o, "detail", cli_json_str(r->detail));
	json_object_set_new(o, "error_class", cli_json_str(r->errclass[0] ? r->errclass : NULL));
	json_object_set_new(o, "fix", cli_json_str(r->fix));
	json_object_set_new(o, "advice", advice_json(e, r));
	return o;
}

json_t *cli_json_steps(struct engine *e, int upto)
{
	json_t *steps = json_array();
	for (int i = 0; i < step_ndefs; i++) {
		const struct step_def *d = &step_defs[i];
		if (!engine_step_applies(e, d->id))
			continue;
		const struct step_result *r = engine_result(e, d->id);
		if (r->status != STEP_PENDING)
			json_array_append_new(steps, step_json(e, d, r));
		if (upto != STEP_NONE && d->id == upto)
			break;
	}
	return steps;
}

/* cli/cli_bootstrap.c - `vbadmin bootstrap-kb`: the seed guide's command, flags as Datus
 * spells them (underscores) plus hyphenated aliases.  Parses, asks for an overwrite at a
 * terminal, shows progress, and reports what engine_bootstrap_kb did. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../engine/bootstrap_kb.h"
#include "cli_engine.h"
#include "cli_signals.h"
#include "session.h"

struct progress {
	struct cli_ctx *ctx;
	double t0;
	int tty;
	long shown;   /* rows of the last progress line, to end it with a newline */
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(void *vp, long done, long total)
{
	struct progress *p = vp;
	if (!p->tty)
		return;
	double dt = mono() - p->t0;
	double rate = dt > 0 ? (double)done / dt : 0;
	double eta = rate > 0 ? (double)(total - done) / rate : 0;
	fprintf(p->ctx->err, "\rbootstrap: %ld/%ld rows (%ld%%), %.0f rows/s, ETA %.0fs   ", done, total,
	        total ? done * 100 / total : 100, rate, eta);
	fflush(p->ctx->err);
	p->shown = done;
}

static void on_part(void *vp, int part, const char *component)
{
	(void)part;
	(void)component;
	struct progress *p = vp;
	p->t0 = mono();
	p->shown = 0;
}

static void warn_yaml(void *vp, const char *message)
{
	struct progress *p = vp;
	fprintf(p->ctx->err, "vbadmin: warning: %s\n", message);
}

static int confirm_overwrite(void *vp, const char *table, const char *ns)
{
	struct progress *p = vp;
	FILE *err = p->ctx->err;
	if (!isatty(STDIN_FILENO)) {
		fprintf(err, "vbadmin: overwrite clears every row of %s in namespace '%s' and needs confirmation; "
		             "re-run with -y to confirm\n", table, ns);
		return 0;
	}
	fprintf(err, "Overwrite clears every row of %s in namespace '%s' before loading. Type 'yes' to go on: ", table,
	        ns);
	char line[16] = "";
	if (!fgets(line, sizeof line, stdin))
		return 0;
	return strcmp(line, "yes\n") == 0 || strcmp(line, "y\n") == 0;
}

/* The separate confirmation an overwrite of a store filled with another model needs. */
static int confirm_replace(void *vp, const struct vb_error *why)
{
	struct progress *p = vp;
	if (!isatty(STDIN_FILENO))
		return 0;
	fprintf(p->ctx->err, "vbadmin: %s\n  %s\nType 'replace' to replace the model anyway: ", why->message, why->detail);
	char line[16] = "";
	return fgets(line, sizeof line, stdin) && strcmp(line, "replace\n") == 0;
}

static int parse(struct cli_ctx *ctx, int argc, char **argv, struct engine_bootstrap_req *q, int *json)
{
	struct cli_args a;
	cli_args_init(&a, ctx, "bootstrap-kb", argc, argv, 1);
	for (int c; (c = cli_args_next(&a));) {
		switch (c) {
		case 'c': q->components = optarg; break;
		case 's': q->strategy = optarg; break;
		case 'f': q->yaml_path = optarg; break;
		case 'B': a.rc = cli_int_option(ctx, "bootstrap-kb", "batch-size", optarg, 1, 100000, &q->batch_rows); break;
		case 'y': q->overwrite_confirmed = 1; break;
		case 'A': q->all_data_sources = 1; break;
		case 'j': *json = 1; break;
		case 'R': q->replace_model_confirmed = 1; break;
		}
	}
	return cli_args_end(&a, 0);
}

/* What the namespace holds now: kept batches, a rolled-back overwrite, a COMMIT in doubt. */
static void print_state(FILE *err, struct engine *e, const struct bootstrap_result *r, int status)
{
	if (!r || (!r->atomic && !r->written))
		return;
	char state[512];
	bootstrap_state_text(r, status, e->vbc.namespace, state, sizeof state);
	fprintf(err, "%s\n", state);
}

/* Ctrl-C: which component stopped where, and what of it stays (the components before it are
 * reported complete above). */
static int report_cancel(struct cli_ctx *ctx, struct engine *e, const struct engine_bootstrap_res *res,
                         const struct vb_error *err)
{
	const struct bootstrap_result *r = res->nparts ? &res->part[res->nparts - 1] : NULL;
	const char *ns = e->vbc.namespace ? e->vbc.namespace : "default";
	if (!r)
		return cli_cancelled(ctx, "stopped before loading; nothing was written to namespace '%s'", ns);
	char before[160] = ""; /* the components loaded before this one are complete and stay */
	for (int i = 0; i < res->nparts - 1; i++)
		snprintf(before + strlen(before), sizeof before - strlen(before), "%s%s", i ? ", " : "; ", res->name[i]);
	if (before[0])
		snprintf(before + strlen(before), sizeof before - strlen(before), " loaded completely before it");
	if (!r->atomic && r->written)
		return cli_cancelled(ctx, "%s stopped after %ld of %ld rows: %ld committed batch%s (%ld rows) stay in "
		                     "namespace '%s'; re-run the same command to complete the load (rows are upserted by "
		                     "id, so nothing is duplicated)%s",
		                     res->name[res->nparts - 1], r->written, r->total, r->batches,
		                     r->batches == 1 ? "" : "es", r->written, ns, before);
	char state[512];
	bootstrap_state_text(r, err->status, ns, state, sizeof state);
	return cli_cancelled(ctx, "%s stopped after %ld of %ld rows; %s%s", res->name[res->nparts - 1], r->written,
	                     r->total, state, before);
}

/* "nothing was written" of the component that failed; the components before it loaded
 * completely and stay (a later component's file or model fails in its turn, as in Datus). */
static void print_nothing_written(FILE *o, struct engine *e, const struct engine_bootstrap_res *res)
{
	int last = res->nparts - 1;
	if (last <= 0) {
		fprintf(o, "nothing was written\n");
		return;
	}
	fprintf(o, "nothing of %s was written; ", res->name[last]);
	for (int i = 0; i < last; i++)
		fprintf(o, "%s%s (%ld rows)", i ? ", " : "", res->name[i], res->part[i].written);
	fprintf(o, " loaded completely before it and stay%s in namespace '%s'; to load %s, re-run with --components "
	           "%s\n", last == 1 ? "s" : "", e->vbc.namespace ? e->vbc.namespace : "default", res->name[last],
	        res->name[last]);
}

/* The embedding server failed mid-load: say so (not the store), and what the namespace holds. */
static int report_embedder_lost(struct cli_ctx *ctx, struct engine *e, const struct engine_bootstrap_res *res,
                                const struct vb_error *err)
{
	const struct bootstrap_result *r = &res->part[res->nparts - 1];
	session_report(ctx, "bootstrap-kb", err);
	fprintf(ctx->err, "vbadmin: the embedding server failed during the load (%s); the store is fine\n",
	        res->embedder[res->nparts - 1]);
	char state[512];
	bootstrap_state_text(r, err->status, e->vbc.namespace ? e->vbc.namespace : "default", state, sizeof state);
	fprintf(ctx->err, "%s\n", state);
	return res->exit;
}

static int report_failure(struct cli_ctx *ctx, struct engine *e, const struct engine_bootstrap_res *res,
                          const struct vb_error *err)
{
	FILE *o = ctx->err;
	const struct bootstrap_result *r = res->nparts ? &res->part[res->nparts - 1] : NULL;
	switch (res->failure) {
	case ENGINE_BOOT_USAGE: return cli_usage_error(ctx, "bootstrap-kb", "%s", err->message);
	case ENGINE_BOOT_OPEN: return cli_report_open(ctx, res->failed_at, err);
	case ENGINE_BOOT_CONTEXT:
		fprintf(o, "vbadmin: bootstrap-kb: %s\n", err->message);
		if (err->hint[0])
			fprintf(o, "hint: %s\n", err->hint);
		return res->exit;
	case ENGINE_BOOT_EMBEDDER:
		session_report(ctx, "embedder", err);
		print_nothing_written(o, e, res);
		return res->exit;
	case ENGINE_BOOT_EMBEDDER_LOST: return report_embedder_lost(ctx, e, res, err);
	case ENGINE_BOOT_NOT_CONFIRMED:
		fprintf(o, "vbadmin: bootstrap cancelled%s", res->nparts > 1 ? "; " : "; nothing was changed\n");
		if (res->nparts > 1)
			print_nothing_written(o, e, res);
		return res->exit;
	case ENGINE_BOOT_INTERRUPTED: return report_cancel(ctx, e, res, err);
	case ENGINE_BOOT_YAML:
		fprintf(o, "vbadmin: %s\n", err->message);
		if (err->hint[0])
			fprintf(o, "hint: %s\n", err->hint);
		print_nothing_written(o, e, res);
		return res->exit;
	case ENGINE_BOOT_SERVER_CANCEL:
		session_report(ctx, "bootstrap-kb", err);
		fprintf(o, "hint: the server cancelled a statement of this load; if it was statement_timeout (PGOPTIONS, "
		           "ALTER ROLE ... SET statement_timeout), raise it for vbadmin's role and re-run the same command\n");
		print_state(o, e, r, err->status);
		return res->exit;
	default:
		session_report(ctx, "bootstrap-kb", err);
		if (err->status == VB_ERR_CONNECT)
			fprintf(o, "vbadmin: the connection to %s was lost (server stopped, crashed or ended this session); rows "
			           "are upserted by id, so once it is back a re-run duplicates nothing\n",
			        e->kind == STEPK_PG ? "PostgreSQL" : "the store");
		print_state(o, e, r, err->status);
		return res->exit;
	}
}

static void report_parts(struct cli_ctx *ctx, struct engine *e, const struct engine_bootstrap_res *res, int ok,
                         int json)
{
	for (int i = 0; i < res->nparts; i++) {
		const struct bootstrap_result *r = &res->part[i];
		if (!ok && i == res->nparts - 1)
			break;
		fprintf(ctx->err, "%s: %ld rows in %ld batch%s, %.2fs (%.0f rows/s), namespace '%s', backend %s\n",
		        res->name[i], r->written, r->batches, r->batches == 1 ? "" : "es", r->seconds, r->seconds > 0 ? (double)r->written / r->seconds : 0.0,
		        e->vbc.namespace, e->backend_name);
		if (!json)
			fprintf(ctx->out, "%s\n", r->message);
		fprintf(ctx->err, "%s: embedded with %s\n", res->name[i], res->embedder[i]);
	}
}

/* One component's outcome with Datus's result fields (status, message, error) and the load's
 * numbers (docs/json.md). */
static json_t *component_json(const char *component, int ok, const struct bootstrap_result *r,
                              const struct vb_error *err)
{
	json_t *o = json_object();
	json_object_set_new(o, "component", cli_json_str(component));
	json_object_set_new(o, "status", json_string(ok ? "success" : "failed"));
	json_object_set_new(o, "message", cli_json_str(ok ? r->message : err->message));
	json_object_set_new(o, "error", cli_json_str(ok ? "" : err->message));
	json_object_set_new(o, "hint", cli_json_str(!ok && err->hint[0] ? err->hint : NULL));
	json_object_set_new(o, "rows", json_integer(r->total));
	json_object_set_new(o, "written", json_integer(r->written));
	json_object_set_new(o, "batches", json_integer(r->batches));
	json_object_set_new(o, "final_count", ok ? json_integer(r->final_count) : json_null());
	json_object_set_new(o, "seconds", json_real(r->seconds));
	return o;
}

/* The --json document of a run that reached the load (docs/json.md, bootstrap-kb). */
static void print_json(struct cli_ctx *ctx, struct engine *e, const struct engine_bootstrap_req *q,
                       const struct engine_bootstrap_res *res, int ok, int rc, const struct vb_error *err)
{
	json_t *parts = json_array();
	for (int i = 0; i < res->nparts; i++)
		json_array_append_new(parts, component_json(res->name[i], ok || i < res->nparts - 1, &res->part[i], err));
	json_t *doc = json_object();
	json_object_set_new(doc, "schema_version", json_integer(1));
	json_object_set_new(doc, "command", json_string("bootstrap-kb"));
	json_object_set_new(doc, "namespace", cli_json_str(e->vbc.namespace));
	json_object_set_new(doc, "backend", cli_json_str(e->backend_name));
	json_object_set_new(doc, "strategy", cli_json_str(q->strategy));
	json_object_set_new(doc, "semantic_yaml", cli_json_str(q->yaml_path));
	json_object_set_new(doc, "exit_code", json_integer(rc));
	json_object_set_new(doc, "components", parts);
	cli_json_emit(ctx->out, doc);
}

int cli_bootstrap_kb(struct cli_ctx *ctx, int argc, char **argv)
{
	struct engine_bootstrap_req q = {.components = "semantic_model", .strategy = "check", .batch_rows = 256};
	int json = 0;
	int rc = parse(ctx, argc, argv, &q, &json);
	if (rc != VB_EXIT_OK)
		return rc;
	struct engine *e = cli_engine_open(ctx, &rc);
	if (!e)
		return rc;
	cli_signals_doing("bootstrap-kb of namespace %s (%s, %s)", e->vbc.namespace ? e->vbc.namespace : "default",
	                  q.components, q.strategy);
	struct progress pr = {ctx, mono(), isatty(fileno(ctx->err)), 0};
	q.ctx = &pr;
	q.confirm_overwrite = confirm_overwrite;
	q.confirm_replace = confirm_replace;
	q.on_part = on_part;
	q.progress = show_progress;
	q.warn = warn_yaml;
	struct engine_bootstrap_res res;
	struct vb_error err;
	int st = engine_bootstrap_kb(e, &q, &res, &err);
	if (pr.tty && pr.shown)
		fputc('\n', ctx->err);
	report_parts(ctx, e, &res, st == VB_OK, json);
	rc = st == VB_OK ? VB_EXIT_OK : report_failure(ctx, e, &res, &err);
	if (json && res.nparts > 0)
		print_json(ctx, e, &q, &res, st == VB_OK, rc, &err);
	cli_engine_close(&e);
	return rc;
}

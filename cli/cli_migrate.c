/* cli/cli_migrate.c - `vbadmin [--namespace NS] migrate --from B --to B [--tables T,...] [--batch-size N]
 * [-y]`: shows the plan, asks, runs engine/migrate with progress, prints what was verified. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../engine/engine.h"
#include "../engine/migrate.h"
#include "cli.h"
#include "cli_signals.h"

static atomic_int migrate_cancelled; /* lock-free, so the SIGINT handler may set it */

struct progress {
	FILE *err;
	int tty;
};

static void show_progress(void *ctx, const char *table, int64_t done, int64_t total)
{
	struct progress *p = ctx;
	if (p->tty)
		fprintf(p->err, "\r%s: %lld/%lld rows (%lld%%)   ", table, (long long)done, (long long)total,
		        total ? (long long)(done * 100 / total) : 100LL);
	else if (done == total)
		fprintf(p->err, "%s: %lld rows copied\n", table, (long long)done);
	fflush(p->err);
}

static void print_plan(struct cli_ctx *ctx, const struct migrate *m)
{
	fprintf(ctx->out, "migrate namespace %s\n  from: %s (read only)\n  to:   %s\n  tables:\n", m->src.namespace,
	        m->src_desc, m->dst_desc);
	for (int i = 0; i < m->n; i++) {
		if (m->t[i].present)
			fprintf(ctx->out, "    %-16s %lld rows, %d dimensions\n", m->t[i].name, (long long)m->t[i].source_rows,
			        m->t[i].dim);
		else
			fprintf(ctx->out, "    %-16s not in the source\n", m->t[i].name);
	}
}

static int confirm(struct cli_ctx *ctx)
{
	if (!isatty(STDIN_FILENO)) {
		fprintf(ctx->err, "vbadmin: migrate writes into the target store and needs confirmation; re-run with -y\n");
		return 0;
	}
	fprintf(ctx->err, "Copy these rows into the target (rows with the same key there are replaced)? Type 'yes': ");
	char line[16] = "";
	return fgets(line, sizeof line, stdin) && (!strcmp(line, "yes\n") || !strcmp(line, "y\n"));
}

static void print_report(struct cli_ctx *ctx, const struct migrate *m)
{
	for (int i = 0; i < m->n; i++) {
		const struct migrate_table *t = &m->t[i];
		if (!t->present || !t->ran)
			continue;
		char resumed[64] = "";
		if (t->resumed)
			snprintf(resumed, sizeof resumed, " after resuming past %lld committed rows", (long long)t->resumed);
		fprintf(ctx->out, "%-16s %lld rows copied%s, %lld of %lld keys in the target, %d of %d sampled rows equal "
		        "(vectors bit for bit)%s\n", t->name, (long long)t->copied, resumed, (long long)t->verified,
		        (long long)t->keys, t->sample_equal, t->sampled, t->ok ? "" : "  FAILED");
		if (t->message[0])
			fprintf(ctx->out, "                 note: %s\n", t->message);
	}
	fprintf(ctx->out, "%lld rows in %.2fs (%.0f rows/s); the source was only read\n", (long long)m->rows, m->seconds,
	        m->seconds > 0 ? (double)m->rows / m->seconds : 0.0);
}

static int fail(struct cli_ctx *ctx, const struct vb_error *err)
{
	fprintf(ctx->err, "vbadmin: migrate: %s\n", err->message);
	if (err->detail[0])
		fprintf(ctx->err, "detail: %s\n", err->detail);
	if (err->hint[0])
		fprintf(ctx->err, "hint: %s\n", err->hint);
	return engine_exit_for_status(err->status);
}

/* 0 with o and *yes filled; 1 when the command ends here with *code (a usage error, already
 * reported). */
static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct migrate_opts *o, int *yes, int *code)
{
	struct cli_args a;
	cli_args_init(&a, ctx, "migrate", argc, argv, 0);
	for (int c; (c = cli_args_next(&a));) {
		switch (c) {
		case 'F': o->from = optarg; break;
		case 'O': o->to = optarg; break;
		case 'T': o->tables = optarg; break;
		case 'B': a.rc = cli_int_option(ctx, "migrate", "batch-size", optarg, 1, 100000, &o->batch_rows); break;
		case 'y': *yes = 1; break;
		}
	}
	if (cli_args_end(&a, 0)) {
		*code = a.rc;
		return 1;
	}
	if (!o->from || !o->to) {
		*code = cli_usage_error(ctx, "migrate", "--from BACKEND and --to BACKEND are both required "
		                                        "(lancedb, pgvector, embedded, or a plugin's name)");
		return 1;
	}
	return 0;
}

/* The copy, with progress on stderr and Ctrl-C stopping it between batches. */
static int run_copy(struct cli_ctx *ctx, struct migrate *m, struct migrate_opts *o, struct vb_error *err)
{
	struct progress pr = {ctx->err, isatty(fileno(ctx->err))};
	o->progress = show_progress;
	o->progress_ctx = &pr;
	migrate_cancelled = 0;
	o->cancelled = &migrate_cancelled;
	cli_signals_doing("migrate of namespace %s from %s to %s", m->src.namespace ? m->src.namespace : "default",
	                  o->from, o->to);
	cli_signals_watch_flag(&migrate_cancelled);
	int rc = migrate_run(m, o, err);
	cli_signals_unwatch();
	if (pr.tty)
		fputc('\n', ctx->err);
	return rc;
}

/* The exit, saying what stays in the target: committed batches are kept and a re-run resumes. */
static int outcome(struct cli_ctx *ctx, const struct migrate *m, int rc, const struct vb_error *err)
{
	if (rc == VB_ERR_CANCELLED && m->rows)
		return cli_cancelled(ctx, "%s: the %lld rows of this run's committed batches stay in the target; re-run "
		                     "the same command to resume (it goes on after those rows)", err->message,
		                     (long long)m->rows);
	if (rc == VB_ERR_CANCELLED)
		return cli_cancelled(ctx, "%s: this run wrote nothing to the target", err->message);
	if (rc != VB_OK) {
		rc = fail(ctx, err);
		fprintf(ctx->err, "committed batches are kept; re-running the same command resumes and writes no duplicates\n");
		return rc;
	}
	return VB_EXIT_OK;
}

int cli_migrate(struct cli_ctx *ctx, int argc, char **argv)
{
	struct migrate_opts o = {.batch_rows = 500};
	int yes = 0;
	int rc;
	if (parse_args(ctx, argc, argv, &o, &yes, &rc))
		return rc;
	if ((rc = cli_load_config(ctx)) != VB_EXIT_OK)
		return rc;
	struct vb_error err;
	vb_err_clear(&err);
	struct migrate *m = NULL;
	if (migrate_open(ctx->cfg, ctx->namespace, &o, &m, &err) != VB_OK)
		return fail(ctx, &err);
	print_plan(ctx, m);
	fflush(ctx->out);
	if (!yes && !confirm(ctx)) {
		fprintf(ctx->err, "vbadmin: migrate cancelled; nothing was written\n");
		migrate_close(&m);
		return VB_EXIT_USAGE;
	}
	rc = run_copy(ctx, m, &o, &err);
	print_report(ctx, m);
	rc = outcome(ctx, m, rc, &err);
	migrate_close(&m);
	return rc;
}

/* cli/cli_bootstrap.c - `vbadmin bootstrap-kb`: the seed guide's command, flags as Datus
 * spells them (underscores) plus hyphenated aliases. */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../kb/bootstrap.h"
#include "../config/config.h"
#include "../kb/embed.h"
#include "../kb/embed_guard.h"
#include "../kb/table_context.h"
#include "session.h"

static volatile sig_atomic_t bootstrap_cancelled;
static const struct vb_ops *sig_ops;
static struct vb_handle *sig_h;

static void on_sigint(int sig)
{
	(void)sig;
	bootstrap_cancelled = 1;
	/* the backends' cancel slots are async-signal-safe (PQcancel, sqlite3_interrupt) */
	if (sig_ops && sig_ops->cancel && sig_h)
		sig_ops->cancel(sig_h);
}

struct progress {
	FILE *err;
	double t0;
	int tty;
};

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void show_progress(void *ctx, long done, long total)
{
	struct progress *p = ctx;
	if (!p->tty)
		return;
	double dt = mono() - p->t0;
	double rate = dt > 0 ? (double)done / dt : 0;
	double eta = rate > 0 ? (double)(total - done) / rate : 0;
	fprintf(p->err, "\rbootstrap: %ld/%ld rows (%ld%%), %.0f rows/s, ETA %.0fs   ", done, total,
	        total ? done * 100 / total : 100, rate, eta);
	fflush(p->err);
}

static int embed_adapter(void *ctx, const char *const *texts, int n, float *out, struct vb_error *err)
{
	return embedder_embed(ctx, texts, (size_t)n, out, err);
}

struct guard_ctx {
	const struct config *cfg;
	const char *ns;
	const char *strategy;
	struct embedder *emb;
};

static int guard_before_write(void *p, const char *component, struct vb_error *err)
{
	struct guard_ctx *g = p;
	const struct config *cfg = g->cfg;
	struct embed_guard_model m = {
		.registry_name = embedder_kind(g->emb),
		.model_name = cfg->embed_model && *cfg->embed_model ? cfg->embed_model : embedder_kind(g->emb),
		.dim_size = embedder_dim(g->emb),
	};
	char *path = embed_guard_path(cfg->home, g->ns);
	int st = embed_guard_apply(path, strcmp(component, "metrics") == 0 ? "metric" : component, g->strategy, &m, err);
	free(path);
	return st;
}

static void warn_yaml(void *ctx, const char *message)
{
	fprintf(ctx, "vbadmin: warning: %s\n", message);
}

static int confirm_overwrite(struct cli_ctx *ctx, const char *table, const char *ns)
{
	if (!isatty(STDIN_FILENO)) {
		fprintf(ctx->err, "vbadmin: overwrite clears every row of %s in namespace '%s' and needs confirmation; "
		                  "re-run with -y to confirm\n", table, ns);
		return 0;
	}
	fprintf(ctx->err, "Overwrite clears every row of %s in namespace '%s' before loading. Type 'yes' to go on: ",
	        table, ns);
	char line[16] = "";
	if (!fgets(line, sizeof line, stdin))
		return 0;
	return strcmp(line, "yes\n") == 0 || strcmp(line, "y\n") == 0;
}

int cli_bootstrap_kb(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{"components", required_argument, NULL, 'c'},
		{"kb_update_strategy", required_argument, NULL, 's'},
		{"kb-update-strategy", required_argument, NULL, 's'},
		{"semantic_yaml", required_argument, NULL, 'f'},
		{"semantic-yaml", required_argument, NULL, 'f'},
		{"namespace", required_argument, NULL, 'n'},
		{"datasource", required_argument, NULL, 'n'},
		{"config", required_argument, NULL, 'C'},
		{"batch-size", required_argument, NULL, 'B'},
		{"yes", no_argument, NULL, 'y'},
		{"all-data-sources", no_argument, NULL, 'A'},
		{NULL, 0, NULL, 0},
	};
	const char *components = "semantic_model", *strategy = "check", *yaml = NULL;
	int yes = 0, batch = 256, all_ds = 0, c;
	while ((c = getopt_long(argc, argv, "+c:s:f:n:C:B:y", opts, NULL)) != -1) {
		switch (c) {
		case 'c': components = optarg; break;
		case 's': strategy = optarg; break;
		case 'f': yaml = optarg; break;
		case 'n': ctx->namespace = optarg; break;
		case 'C': ctx->config_path = optarg; break;
		case 'B': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 100000)
				return cli_usage_error(ctx, "bootstrap-kb", "--batch-size must be 1..100000, got '%s'", optarg);
			batch = (int)v;
			break;
		}
		case 'y': yes = 1; break;
		case 'A': all_ds = 1; break;
		default: return cli_usage_error(ctx, "bootstrap-kb", "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(ctx, "bootstrap-kb", "unexpected argument '%s'", argv[optind]);
	if (!bootstrap_strategy_ok(strategy))
		return cli_usage_error(ctx, "bootstrap-kb", "--kb_update_strategy must be check, incremental or overwrite, "
		                                            "got '%s'", strategy);
	if (!yaml)
		return cli_usage_error(ctx, "bootstrap-kb", "--semantic_yaml FILE is required");
	char *comps = vb_xstrdup(components);
	for (char *tok = strtok(comps, ","); tok; tok = strtok(NULL, ",")) {
		if (!bootstrap_component_ok(tok)) {
			int rc = cli_usage_error(ctx, "bootstrap-kb", "--components: '%s' is not supported; use semantic_model "
			                                              "or metrics", tok);
			free(comps);
			return rc;
		}
	}

	struct session s;
	int rc = session_open(ctx, &s);
	if (rc != VB_EXIT_OK) {
		free(comps);
		return rc;
	}
	struct vb_error err;
	vb_err_clear(&err);
	struct kb_table_context tc;
	if (kb_table_context_resolve(ctx->cfg, s.vc.namespace, &tc, &err) != VB_OK) {
		fprintf(ctx->err, "vbadmin: bootstrap-kb: %s\n", err.message);
		if (err.hint[0])
			fprintf(ctx->err, "hint: %s\n", err.hint);
		session_close(&s);
		free(comps);
		return VB_EXIT_USAGE;
	}
	if (tc.note)
		fprintf(ctx->err, "vbadmin: warning: %s\n", tc.note);
	struct embedder *emb = NULL;
	if (embedder_open_config(ctx->cfg, &emb, &err) != VB_OK) {
		rc = session_report(ctx, "embedder", &err);
		kb_table_context_free(&tc);
		session_close(&s);
		free(comps);
		return rc == VB_EXIT_FIXABLE ? VB_EXIT_USAGE : rc;
	}
	sig_ops = s.ops;
	sig_h = s.h;
	bootstrap_cancelled = 0;
	struct sigaction sa, old;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigaction(SIGINT, &sa, &old);

	rc = VB_EXIT_OK;
	strcpy(comps, components);
	for (char *tok = strtok(comps, ","); tok && rc == VB_EXIT_OK; tok = strtok(NULL, ",")) {
		if (strcmp(strategy, "overwrite") == 0 && !yes && !confirm_overwrite(ctx, tok, s.vc.namespace)) {
			fprintf(ctx->err, "vbadmin: bootstrap cancelled; nothing was changed\n");
			rc = VB_EXIT_FIXABLE;
			break;
		}
		struct progress pr = {ctx->err, mono(), isatty(fileno(ctx->err))};
		struct guard_ctx guard = {ctx->cfg, s.vc.namespace, strategy, emb};
		struct bootstrap_opts bo = {
			.component = tok,
			.strategy = strategy,
			.yaml_path = yaml,
			.dim = ctx->cfg->dim,
			.dialect = tc.dialect,
			.catalog = tc.catalog,
			.database = tc.database,
			.schema = tc.schema,
			.batch_rows = batch,
			.all_data_sources = all_ds,
			.embed = embed_adapter,
			.embed_ctx = emb,
			.before_write = ctx->cfg->home ? guard_before_write : NULL,
			.before_write_ctx = &guard,
			.warn = warn_yaml,
			.warn_ctx = ctx->err,
			.progress = show_progress,
			.progress_ctx = &pr,
			.cancelled = &bootstrap_cancelled,
		};
		struct bootstrap_result res;
		int st = bootstrap_run(s.ops, s.h, &bo, &res, &err);
		if (pr.tty && res.written)
			fputc('\n', ctx->err);
		if (st != VB_OK) {
			if (bootstrap_cancelled) {
				fprintf(ctx->err, "vbadmin: bootstrap-kb interrupted after %ld of %ld rows; committed batches "
				                  "are kept. Re-run the same command to complete it.\n", res.written, res.total);
				rc = VB_EXIT_INTERRUPTED;
			} else if (res.yaml_error) {
				fprintf(ctx->err, "vbadmin: %s\n", err.message);
				if (err.hint[0])
					fprintf(ctx->err, "hint: %s\n", err.hint);
				fprintf(ctx->err, "nothing was written\n");
				rc = VB_EXIT_USAGE;
			} else if (st == VB_ERR_CANCELLED) {
				/* no Ctrl-C here: the server cancelled the statement (statement_timeout,
				 * lock_timeout, pg_cancel_backend), which the operator fixes, not 130 */
				session_report(ctx, "bootstrap-kb", &err);
				fprintf(ctx->err, "hint: the server cancelled a statement of this load; if it was statement_timeout "
				                  "(PGOPTIONS, ALTER ROLE ... SET statement_timeout), raise it for vbadmin's role "
				                  "and re-run the same command\n");
				rc = VB_EXIT_FIXABLE;
				if (res.written)
					fprintf(ctx->err, "%ld of %ld rows were committed before the error; re-run the same command "
					                  "to complete the load\n", res.written, res.total);
			} else {
				rc = session_report(ctx, "bootstrap-kb", &err);
				if (err.status == VB_ERR_CONNECT)
					fprintf(ctx->err, "vbadmin: the connection to %s was lost (server stopped, crashed or ended "
					                  "this session); rows are upserted by id, so once it is back a re-run "
					                  "duplicates nothing\n", strcmp(s.ops->name, "pgvector") == 0 ? "PostgreSQL"
					                                                                          : "the store");
				/* a connection lost during COMMIT leaves that one batch in doubt: it may have landed */
				if (res.written)
					fprintf(ctx->err, "%s%ld of %ld rows were committed before the error; re-run the same command "
					                  "to complete the load\n", err.status == VB_ERR_CONNECT ? "at least " : "",
					        res.written, res.total);
			}
			break;
		}
		fprintf(ctx->err, "%s: %ld rows in %ld batches, %.2fs (%.0f rows/s), namespace '%s', backend %s\n", tok,
		        res.written, res.batches, res.seconds, res.seconds > 0 ? (double)res.written / res.seconds : 0.0,
		        s.vc.namespace, s.ops->name);
		fprintf(ctx->out, "%s\n", res.message);
	}
	sigaction(SIGINT, &old, NULL);
	sig_ops = NULL;
	sig_h = NULL;
	embedder_close(&emb);
	kb_table_context_free(&tc);
	session_close(&s);
	free(comps);
	return rc;
}

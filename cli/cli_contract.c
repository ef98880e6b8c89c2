/* cli/cli_contract.c - `vbadmin [--config F --namespace NS] contract-test --backend NAME`: runs
 * the backend contract suite (backends/contract/contract.h) against a live backend.  The connection comes
 * from the usual config; the suite works in its own table and namespaces. */
#include <getopt.h>
#include <string.h>

#include "../engine/engine.h"
#include "cli.h"
#include "../config/config.h"
#include "../backends/contract/contract.h"
#include "../backends/registry.h"

static int print_error(struct cli_ctx *ctx, const struct vb_error *err)
{
	fprintf(ctx->err, "vbadmin: %s\n", err->message);
	if (err->detail[0])
		fprintf(ctx->err, "detail: %s\n", err->detail);
	if (err->hint[0])
		fprintf(ctx->err, "hint: %s\n", err->hint);
	return engine_exit_for_status(err->status);
}

int cli_contract_test(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *backend = ctx->backend;
	struct cli_args a;
	cli_args_init(&a, ctx, "contract-test", argc, argv, 0);
	for (int c; (c = cli_args_next(&a));)
		if (c == 'b')
			backend = optarg;
	int rc = cli_args_end(&a, 0);
	if (rc == VB_EXIT_OK)
		rc = cli_load_config(ctx);
	if (rc != VB_EXIT_OK)
		return rc;
	struct vb_error err;
	vb_err_clear(&err);
	struct vb_config cfg;
	if (config_resolve(ctx->cfg, ctx->namespace, backend, &cfg, &err) != VB_OK)
		return print_error(ctx, &err);
	const struct vb_ops *ops = vb_registry_find(cfg.backend, &err);
	if (!ops)
		return print_error(ctx, &err);
	struct contract_stats st;
	int failed = contract_run(ops, &cfg, ctx->out, &st);
	if (st.open_status != VB_OK)
		return engine_exit_for_status(st.open_status);
	return failed ? VB_EXIT_FIXABLE : VB_EXIT_OK;
}

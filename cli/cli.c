/* cli/cli.c - command table and dispatch shared by every CLI command. */
#include "cli.h"

#include <string.h>

#include "../config/config.h"
#include "../engine/engine.h"

const struct cli_command cli_commands[] = {
#define CLI_COMMAND(name, fn, usage, summary) {name, fn, usage, summary},
#include "commands.def"
#undef CLI_COMMAND
};
const size_t cli_ncommands = sizeof cli_commands / sizeof cli_commands[0];

const struct cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			return &cli_commands[i];
	return NULL;
}

int cli_dispatch(struct cli_ctx *ctx, int argc, char **argv)
{
	const struct cli_command *c = cli_find(argv[0]);
	if (!c) {
		fprintf(ctx->err, "vbadmin: unknown command '%s'. Commands:", argv[0]);
		for (size_t i = 0; i < cli_ncommands; i++)
			fprintf(ctx->err, " %s", cli_commands[i].name);
		fprintf(ctx->err, "\nRun 'vbadmin help' for usage.\n");
		return VB_EXIT_USAGE;
	}
	return c->fn(ctx, argc, argv);
}

int cli_usage_error(struct cli_ctx *ctx, const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fputs("vbadmin: ", ctx->err);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->err);
	const struct cli_command *c = cmd ? cli_find(cmd) : NULL;
	if (c)
		fprintf(ctx->err, "usage: vbadmin %s\n", c->usage);
	return VB_EXIT_USAGE;
}

int cli_load_config(struct cli_ctx *ctx)
{
	if (ctx->cfg)
		return VB_EXIT_OK;
	struct vb_error err;
	vb_err_clear(&err);
	if (config_load(ctx->config_path, &ctx->cfg, &err) != VB_OK) {
		ctx->config_err = err;
		fprintf(ctx->err, "vbadmin: %s\n", err.message);
		if (err.hint[0])
			fprintf(ctx->err, "hint: %s\n", err.hint);
		return VB_EXIT_USAGE;
	}
	return VB_EXIT_OK;
}

int cli_resolve(struct cli_ctx *ctx, const char *backend, struct vb_config *out)
{
	int rc = cli_load_config(ctx);
	if (rc != VB_EXIT_OK)
		return rc;
	struct vb_error err;
	vb_err_clear(&err);
	if (config_resolve(ctx->cfg, ctx->namespace, backend ? backend : ctx->backend, out, &err) != VB_OK) {
		fprintf(ctx->err, "vbadmin: %s\n", err.message);
		if (err.hint[0])
			fprintf(ctx->err, "hint: %s\n", err.hint);
		return engine_exit_for_status(err.status);
	}
	return VB_EXIT_OK;
}


int cli_help(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(ctx->out, "vbadmin - get a vector-search knowledge base ready, prove it, fill it, search it\n\n");
	fprintf(ctx->out, "usage: vbadmin [--config FILE] [--namespace NS] [--backend NAME] [--no-color] [-v] [COMMAND ...]\n");
	fprintf(ctx->out, "With no command vbadmin opens the console.\n\nCommands:\n");
	for (size_t i = 0; i < cli_ncommands; i++)
		fprintf(ctx->out, "  %-52s %s\n", cli_commands[i].usage, cli_commands[i].summary);
	fprintf(ctx->out, "\nExit codes:\n");
#define EXIT_CODE(sym, val, text) fprintf(ctx->out, "  %-4d %s\n", val, text);
#include "../engine/exitcodes.def"
#undef EXIT_CODE
	return VB_EXIT_OK;
}

/* cli/cli.c - the command table (commands.def, options.def) and dispatch. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../config/config.h"
#include "../engine/engine.h"

const struct cli_command cli_commands[] = {
#define CLI_COMMAND(name, fn, args, summary, example, screen) {name, fn, args, summary, example, screen},
#include "commands.def"
#undef CLI_COMMAND
};
const size_t cli_ncommands = sizeof cli_commands / sizeof cli_commands[0];

const struct cli_option cli_options[] = {
#define CLI_OPTION(cmd, name, key, arg, help) {cmd, name, key, arg, help},
#include "options.def"
#undef CLI_OPTION
};
const size_t cli_noptions = sizeof cli_options / sizeof cli_options[0];

const struct cli_command *cli_find(const char *name)
{
	for (size_t i = 0; i < cli_ncommands; i++)
		if (strcmp(cli_commands[i].name, name) == 0)
			return &cli_commands[i];
	return NULL;
}

const struct option *cli_getopt(const char *cmd, char *shortopts, size_t len)
{
	static struct option opts[32];
	size_t n = 0, s = 0;
	shortopts[s++] = '+';
	for (size_t i = 0; i < cli_noptions && n + 1 < sizeof opts / sizeof opts[0]; i++) {
		const struct cli_option *o = &cli_options[i];
		if (strcmp(o->command, cmd) != 0)
			continue;
		opts[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->key};
		/* memchr over the s bytes written so far: the caller's buffer is not terminated yet, and a
		 * strchr ran on into stack garbage, where a stray 'o' or 'y' dropped -o or -y now and then
		 * ("bad option '-o'", exit 2: the test_secrets/test_migrate flakes of full runs) */
		if (o->key >= 'a' && o->key <= 'z' && s + 3 < len && !memchr(shortopts, o->key, s)) {
			shortopts[s++] = (char)o->key;
			if (o->arg)
				shortopts[s++] = ':';
		}
	}
	opts[n] = (struct option){NULL, 0, NULL, 0};
	shortopts[s] = '\0';
	optind = 0; /* glibc: full reinitialisation, a command may run more than once per process */
	opterr = 0;
	return opts;
}

void cli_args_init(struct cli_args *a, struct cli_ctx *ctx, const char *cmd, int argc, char **argv, int anywhere)
{
	a->ctx = ctx;
	a->cmd = cmd;
	a->argc = argc;
	a->argv = argv;
	a->table = cli_getopt(cmd, a->shortopts, sizeof a->shortopts);
	a->permute = anywhere;
	a->rc = VB_EXIT_OK;
}

int cli_args_next(struct cli_args *a)
{
	if (a->rc != VB_EXIT_OK)
		return 0;
	/* without the leading '+' glibc's getopt moves the operands behind the options */
	int c = getopt_long(a->argc, a->argv, a->shortopts + (a->permute ? 1 : 0), a->table, NULL);
	if (c == -1)
		return 0;
	if (c == '?' || c == ':') {
		a->rc = cli_bad_option(a->ctx, a->cmd, a->argv[optind - 1], a->table);
		return 0;
	}
	return c;
}

int cli_args_end(struct cli_args *a, int max_operands)
{
	if (a->rc == VB_EXIT_OK && max_operands >= 0 && a->argc - optind > max_operands)
		a->rc = cli_usage_error(a->ctx, a->cmd, "%s: unexpected argument '%s'", a->cmd,
		                        a->argv[optind + max_operands]);
	return a->rc;
}

int cli_int_option(struct cli_ctx *ctx, const char *cmd, const char *name, const char *arg, long lo, long hi,
                   int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (end == arg || *end || v < lo || v > hi)
		return cli_usage_error(ctx, cmd, "--%s must be %ld..%ld, got '%s'", name, lo, hi, arg);
	*out = (int)v;
	return VB_EXIT_OK;
}

int cli_parse_json_flag(struct cli_ctx *ctx, const char *cmd, int argc, char **argv, int *json)
{
	struct cli_args a;
	cli_args_init(&a, ctx, cmd, argc, argv, 0);
	*json = 0;
	for (int c; (c = cli_args_next(&a));)
		if (c == 'j')
			*json = 1;
	return cli_args_end(&a, 0);
}

/* "ddl apply" when argv holds ddl apply, else the one-word command, else NULL. */
static const struct cli_command *find_in_argv(int argc, char **argv, int *words)
{
	if (argc > 1) {
		char two[96];
		snprintf(two, sizeof two, "%s %s", argv[0], argv[1]);
		const struct cli_command *c = cli_find(two);
		if (c) {
			*words = 2;
			return c;
		}
	}
	*words = 1;
	return cli_find(argv[0]);
}

/* The commands whose first word is word ("ddl" -> ddl render, ddl apply); how many. */
static int family(const char *word, const struct cli_command **out, int max)
{
	int n = 0;
	size_t len = strlen(word);
	for (size_t i = 0; i < cli_ncommands && n < max; i++)
		if (strncmp(cli_commands[i].name, word, len) == 0 && cli_commands[i].name[len] == ' ')
			out[n++] = &cli_commands[i];
	return n;
}

static int unknown_command(struct cli_ctx *ctx, const char *word)
{
	const char *names[64];
	size_t n = 0;
	for (size_t i = 0; i < cli_ncommands && n < 64; i++)
		if (!strchr(cli_commands[i].name, ' '))
			names[n++] = cli_commands[i].name;
	names[n++] = "ddl";
	const char *s = cli_suggest(word, names, n);
	if (s)
		fprintf(ctx->err, "vbadmin: unknown command '%s'; did you mean '%s'?\n", word, s);
	else
		fprintf(ctx->err, "vbadmin: unknown command '%s'\n", word);
	fprintf(ctx->err, "Run 'vbadmin help' for the list of commands.\n");
	return VB_EXIT_USAGE;
}

static int family_usage(struct cli_ctx *ctx, const char *word, const char *sub)
{
	const struct cli_command *f[8];
	int n = family(word, f, 8);
	if (sub)
		fprintf(ctx->err, "vbadmin: unknown %s subcommand '%s'; choose one of:", word, sub);
	else
		fprintf(ctx->err, "vbadmin: %s needs a subcommand:", word);
	for (int i = 0; i < n; i++)
		fprintf(ctx->err, " %s", f[i]->name + strlen(word) + 1);
	fputc('\n', ctx->err);
	for (int i = 0; i < n; i++)
		fprintf(ctx->err, "%s vbadmin %s %s\n", i ? "      " : "usage:", f[i]->name, f[i]->args);
	return VB_EXIT_USAGE;
}

/* --help or -h among the command's own arguments (before "--"). */
static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int cli_dispatch(struct cli_ctx *ctx, int argc, char **argv)
{
	int words;
	const struct cli_command *c = find_in_argv(argc, argv, &words);
	const struct cli_command *f[8];
	if (!c && family(argv[0], f, 8)) {
		if (wants_help(argc, argv))
			return cli_command_help(ctx, argv[0]);
		return family_usage(ctx, argv[0], argc > 1 ? argv[1] : NULL);
	}
	if (!c)
		return unknown_command(ctx, argv[0]);
	if (wants_help(argc - words + 1, argv + words - 1))
		return cli_command_help(ctx, c->name);
	return c->fn(ctx, argc - words + 1, argv + words - 1);
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
		fprintf(ctx->err, "usage: vbadmin %s %s\nRun 'vbadmin %s --help' for its options.\n", c->name, c->args,
		        c->name);
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

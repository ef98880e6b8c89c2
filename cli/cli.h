/* cli/cli.h - command-line commands: shared context, dispatch table, helpers.
 * Commands print text for people or one JSON document (--json) and return an exit code
 * from engine/exitcodes.def. */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stdio.h>
#include "../backends/vb_util.h"
#include "../engine/exitcode.h"


struct config;

/* Global flags, parsed by main before the command. */
struct cli_ctx {
	const char *config_path; /* --config, or NULL to discover */
	const char *namespace;   /* --namespace / --datasource, or NULL */
	const char *backend;     /* --backend override, or NULL */
	const char *embedder;    /* --embedder (only "hashing": docs/embeddings.md), or NULL */
	int no_color;
	int verbose;
	FILE *out;               /* stdout unless a test redirects */
	FILE *err;               /* stderr */
	struct config *cfg;      /* loaded lazily by cli_load_config; freed by main */
	struct vb_error config_err; /* why cli_load_config failed (for --json documents) */
};

typedef int (*cli_cmd_fn)(struct cli_ctx *ctx, int argc, char **argv);

/* One row of commands.def. */
struct cli_command {
	const char *name;
	cli_cmd_fn fn;
	const char *args;
	const char *summary;
	const char *example;
	const char *screen;   /* console screen name, or NULL */
};

/* One row of options.def. */
struct cli_option {
	const char *command;
	const char *name;
	int key;
	const char *arg;      /* placeholder, NULL for a flag */
	const char *help;     /* NULL: an alias, not listed */
};

/* One global option (cli_globals.c). */
struct cli_global {
	const char *name;
	char shrt;            /* short form, 0: none */
	const char *arg;      /* placeholder, NULL for a flag */
	int id;
	const char *help;     /* NULL: an alias */
};

#define CLI_COMMAND(name, fn, args, summary, example, screen) int fn(struct cli_ctx *ctx, int argc, char **argv);
#include "commands.def"
#undef CLI_COMMAND

extern const struct cli_command cli_commands[];
extern const size_t cli_ncommands;
extern const struct cli_option cli_options[];
extern const size_t cli_noptions;
extern const struct cli_global cli_globals[];
extern const size_t cli_nglobals;

struct option;
/* The getopt table and short-option string of one command, from options.def (static storage:
 * one command at a time); also resets getopt. */
const struct option *cli_getopt(const char *cmd, char *shortopts, size_t len);
/* One command's options (options.def) walked with getopt_long:
 *     struct cli_args a;
 *     cli_args_init(&a, ctx, "index", argc, argv, 0);
 *     for (int c; (c = cli_args_next(&a));)
 *         switch (c) { case 't': table = optarg; break; ... }
 *     rc = cli_args_end(&a, 0);   (the operands, if any, start at argv[optind]) */
struct cli_args {
	struct cli_ctx *ctx;
	const char *cmd;
	int argc;
	char **argv;
	const struct option *table;
	char shortopts[48];
	int permute; /* options may follow the operands (search QUERY --top 2) */
	int rc;      /* VB_EXIT_OK, or the exit code of the first usage error, already reported */
};
/* anywhere: options may come after the operands too; else the first operand ends them. */
void cli_args_init(struct cli_args *a, struct cli_ctx *ctx, const char *cmd, int argc, char **argv, int anywhere);
/* The next option's key (optarg holds its value), or 0 at the end or once a->rc is set; an option
 * getopt refuses is reported ("did you mean --X?", "needs a value") and ends the walk.  A key's
 * own check may set a->rc (cli_int_option) to end it too. */
int cli_args_next(struct cli_args *a);
/* After the walk: a->rc, else a usage error when more than max_operands (< 0: any number) are left. */
int cli_args_end(struct cli_args *a, int max_operands);
/* A whole decimal number lo..hi for --name, else a usage error "--name must be lo..hi". */
int cli_int_option(struct cli_ctx *ctx, const char *cmd, const char *name, const char *arg, long lo, long hi,
                   int *out);
/* Parses a command whose only option is --json (options.def): sets *json; returns 0, or the
 * exit code of a usage error (unknown option with "did you mean", stray argument). */
int cli_parse_json_flag(struct cli_ctx *ctx, const char *cmd, int argc, char **argv, int *json);
/* `vbadmin COMMAND --help`: usage, every option, one example; exit 0. */
int cli_command_help(struct cli_ctx *ctx, const char *name);
const struct cli_command *cli_find(const char *name);
/* Global options before or after the command (cli_globals.c): fills ctx, removes them from
 * argv, sets *cmd to the command's index (0: none, the console).  Returns -1 to go on, or the
 * exit code when the run ends here (--help, --version, a bad option). */
int cli_parse_globals(struct cli_ctx *ctx, int *argc, char **argv, int *cmd);
/* `vbadmin --version`: the version, the plugin ABI and each backend's version. */
int cli_version(struct cli_ctx *ctx);
/* Runs argv[0] as a command; unknown names are a usage error listing the commands. */
int cli_dispatch(struct cli_ctx *ctx, int argc, char **argv);
/* Prints "vbadmin: <msg>" plus a usage hint to ctx->err; returns VB_EXIT_USAGE. */
int cli_usage_error(struct cli_ctx *ctx, const char *cmd, const char *fmt, ...) VB_PRINTF(3, 4);
/* Loads the config once (discovery per design.md); on error prints it and returns an exit code. */
int cli_load_config(struct cli_ctx *ctx);
/* Loads the config and resolves namespace/backend (backend NULL = ctx->backend) into *out; on
 * error prints it with its hint and returns the exit code (VB_EXIT_USAGE), else VB_EXIT_OK. */
int cli_resolve(struct cli_ctx *ctx, const char *backend, struct vb_config *out);
/* The candidate closest to word within a typo or two, or NULL. */
const char *cli_suggest(const char *word, const char *const *cands, size_t n);
struct option;
/* An option getopt refused: "did you mean --X?" when one is close; returns VB_EXIT_USAGE. */
int cli_bad_option(struct cli_ctx *ctx, const char *cmd, const char *arg, const struct option *opts);
/* The words joined by single spaces (a query the shell split); free() it. */
char *cli_join_words(int n, char *const *words);

#endif

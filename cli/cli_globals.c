/* cli/cli_globals.c - the global options, once, for both places they may stand:
 *   vbadmin --namespace demo check      vbadmin check --namespace demo
 * Before the command every option must be global; after it, the global ones are taken out and
 * the rest is the command's.  "--" ends the options (a QUERY may then start with '-'). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { G_CONFIG = 1, G_NAMESPACE, G_BACKEND, G_NO_COLOR, G_VERBOSE, G_HELP, G_VERSION, G_EMBEDDER };

/* The global options, once: parsing here, `vbadmin help` and the man page (cli_help.c). */
const struct cli_global cli_globals[] = {
	{"config", 'c', "FILE", G_CONFIG, "agent.yml to read (default: discovered, docs/configuration.md)"},
	{"namespace", 'n', "NS", G_NAMESPACE, "the agent.yml namespace (data source) to work on"},
	{"datasource", 0, "NS", G_NAMESPACE, NULL},
	{"backend", 'b', "NAME", G_BACKEND, "the vector store: embedded, pgvector or a plugin's name"},
	{"embedder", 0, "hashing", G_EMBEDDER, "use vbadmin's offline hashing embedder (docs/embeddings.md)"},
	{"no-color", 0, NULL, G_NO_COLOR, "no colours (also when NO_COLOR is set)"},
	{"verbose", 'v', NULL, G_VERBOSE, "say more"},
	{"help", 'h', NULL, G_HELP, "this help; after a command, that command's"},
	{"version", 'V', NULL, G_VERSION, "vbadmin's, the plugin ABI's and each backend's version"},
};
const size_t cli_nglobals = sizeof cli_globals / sizeof cli_globals[0];
#define NGLOBALS cli_nglobals
#define global_opt cli_global
#define globals cli_globals

static const struct global_opt *find_global(const char *arg, int short_ok, const char **inline_val)
{
	*inline_val = NULL;
	for (size_t i = 0; i < NGLOBALS; i++) {
		const struct global_opt *g = &globals[i];
		size_t n = strlen(g->name);
		if (arg[0] == '-' && arg[1] == '-' && strncmp(arg + 2, g->name, n) == 0) {
			if (arg[2 + n] == '\0')
				return g;
			if (arg[2 + n] == '=' && g->arg) {
				*inline_val = arg + 3 + n;
				return g;
			}
		}
		if (short_ok && g->shrt && arg[0] == '-' && arg[1] == g->shrt && arg[2] == '\0')
			return g;
	}
	return NULL;
}

static void set_global(struct cli_ctx *ctx, int id, const char *val)
{
	switch (id) {
	case G_CONFIG: ctx->config_path = val; break;
	case G_NAMESPACE: ctx->namespace = val; break;
	case G_BACKEND: ctx->backend = val; break;
	case G_EMBEDDER: ctx->embedder = val; break;
	case G_NO_COLOR: ctx->no_color = 1; break;
	case G_VERBOSE: ctx->verbose++; break;
	default: break;
	}
}

static int bad_global(struct cli_ctx *ctx, const char *arg)
{
	const char *s = NULL;
	if (arg[0] == '-' && arg[1] == '-') {
		char word[64];
		snprintf(word, sizeof word, "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
		const char *names[16];
		for (size_t i = 0; i < NGLOBALS && i < 16; i++)
			names[i] = globals[i].name;
		s = cli_suggest(word, names, NGLOBALS < 16 ? NGLOBALS : 16);
	}
	if (s)
		fprintf(ctx->err, "vbadmin: unknown option '%s'; did you mean --%s?\n", arg, s);
	else
		fprintf(ctx->err, "vbadmin: bad global option '%s'\n", arg);
	fprintf(ctx->err, "Run 'vbadmin help' for usage.\n");
	return VB_EXIT_USAGE;
}

/* Takes argv[*i] (and its value) when it is a global option: 1 taken, 0 not global, or an
 * exit code + 2 (so >= 2) for an error or --help/--version that ends the run. */
static int take(struct cli_ctx *ctx, int argc, char **argv, int *i, int before_cmd, int *done_rc)
{
	const char *val;
	const struct global_opt *g = find_global(argv[*i], before_cmd, &val);
	if (!g)
		return 0;
	if (g->arg && !val) {
		if (*i + 1 >= argc) {
			fprintf(ctx->err, "vbadmin: option '%s' needs a value\nRun 'vbadmin help' for usage.\n", argv[*i]);
			*done_rc = VB_EXIT_USAGE;
			return 2;
		}
		val = argv[++*i];
	}
	if (g->id == G_VERSION) {
		*done_rc = cli_version(ctx);
		return 2;
	}
	if (g->id == G_HELP && before_cmd) {
		*done_rc = cli_help(ctx, 0, NULL);
		return 2;
	}
	if (g->id == G_HELP)
		return 0; /* after a command: the command's own help (cli_dispatch) */
	set_global(ctx, g->id, val);
	return 1;
}

int cli_parse_globals(struct cli_ctx *ctx, int *argc, char **argv, int *cmd)
{
	int i = 1, rc = -1;
	for (; i < *argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		int t = take(ctx, *argc, argv, &i, 1, &rc);
		if (t >= 2)
			return rc;
		if (!t)
			return bad_global(ctx, argv[i]);
	}
	*cmd = i < *argc ? i : 0;
	if (!*cmd)
		return -1;
	/* after the command: take the global ones out, keep the command's own */
	int out = i + 1;
	for (int k = i + 1; k < *argc; k++) {
		if (strcmp(argv[k], "--") == 0) {
			while (k < *argc)
				argv[out++] = argv[k++];
			break;
		}
		int t = argv[k][0] == '-' ? take(ctx, *argc, argv, &k, 0, &rc) : 0;
		if (t >= 2)
			return rc;
		if (!t)
			argv[out++] = argv[k];
	}
	argv[out] = NULL;
	*argc = out;
	return -1;
}

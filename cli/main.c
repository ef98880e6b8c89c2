/* cli/main.c - entry point: global flags, then a CLI command or the console. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli.h"
#include "../config/config.h"
#include "../tui/console.h"

static int usage_global(struct cli_ctx *ctx, const char *msg)
{
	fprintf(ctx->err, "vbadmin: %s\nRun 'vbadmin help' for usage.\n", msg);
	return VB_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* Passwords and API keys stay in memory for the whole run (libpq keeps the password to
	 * reconnect with PQreset, the HTTP embedder sends its key on every request), so a core dump
	 * or a same-user debugger would expose them: the process is not dumpable, as ssh-agent does.
	 * VBADMIN_ALLOW_CORE=1 keeps core dumps for debugging a crash. */
#ifdef __linux__
	const char *allow_core = getenv("VBADMIN_ALLOW_CORE");
	if (!allow_core || strcmp(allow_core, "1") != 0)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
	struct cli_ctx ctx = {0};
	ctx.out = stdout;
	ctx.err = stderr;
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		ctx.no_color = 1;

	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"namespace", required_argument, NULL, 'n'},
		{"datasource", required_argument, NULL, 'n'},
		{"backend", required_argument, NULL, 'b'},
		{"no-color", no_argument, NULL, 'C'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	/* '+' stops at the first non-option: the command owns everything after it */
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:n:b:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': ctx.config_path = optarg; break;
		case 'n': ctx.namespace = optarg; break;
		case 'b': ctx.backend = optarg; break;
		case 'C': ctx.no_color = 1; break;
		case 'v': ctx.verbose++; break;
		case 'h': return cli_help(&ctx, 0, NULL);
		case ':':
		case '?':
		default: {
			char msg[128];
			snprintf(msg, sizeof msg, "bad global option '%s'", argv[optind - 1]);
			return usage_global(&ctx, msg);
		}
		}
	}
	int rc;
	if (optind < argc) {
		int sub_argc = argc - optind;
		char **sub_argv = argv + optind;
		optind = 0; /* glibc: reinitialise getopt for the command's own options */
		rc = cli_dispatch(&ctx, sub_argc, sub_argv);
	} else {
		rc = console_run(&ctx);
	}
	config_free(&ctx.cfg);
	return rc;
}

/* cli/main.c - entry point: global options (before or after the command), then a CLI command
 * or the console. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "cli.h"
#include "../backends/vb_util.h"
#include "../config/config.h"
#include "../tui/console.h"

/* Passwords and API keys stay in memory for the whole run (libpq keeps the password to
 * reconnect with PQreset, the HTTP embedder sends its key on every request), so a core dump
 * or a same-user debugger would expose them: the process is not dumpable, as ssh-agent does.
 * VBADMIN_ALLOW_CORE=1 keeps core dumps for debugging a crash. */
static void no_core_dumps(void)
{
#ifdef __linux__
	const char *allow_core = getenv("VBADMIN_ALLOW_CORE");
	if (!allow_core || strcmp(allow_core, "1") != 0)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

/* Whatever a command printed must have reached its destination: a full disk or /dev/full behind
 * stdout is an error (exit 1 unless the command already failed), never a silent exit 0. */
static int finish_stdout(int rc)
{
	if (vb_fclose_checked(stdout) == 0)
		return rc;
	fprintf(stderr, "vbadmin: cannot write the output: %s\n", strerror(errno));
	return rc ? rc : VB_EXIT_FIXABLE;
}

int main(int argc, char **argv)
{
	no_core_dumps();
	struct cli_ctx ctx = {0};
	ctx.out = stdout;
	ctx.err = stderr;
	if (getenv("NO_COLOR") && *getenv("NO_COLOR"))
		ctx.no_color = 1;
	int cmd = 0, rc = cli_parse_globals(&ctx, &argc, argv, &cmd);
	if (rc >= 0)
		return finish_stdout(rc);
	if (cmd) {
		optind = 0; /* glibc: reinitialise getopt for the command's own options */
		rc = cli_dispatch(&ctx, argc - cmd, argv + cmd);
	} else {
		rc = console_run(&ctx);
	}
	config_free(&ctx.cfg);
	return finish_stdout(rc);
}

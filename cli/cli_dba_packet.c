/* cli/cli_dba_packet.c - `vbadmin dba-packet [-o FILE]`: everything only a DBA can do for
 * this namespace, as a plain-text note ready to mail: the exact SQL or shell, and why. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_engine.h"


int cli_dba_packet(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_args a;
	cli_args_init(&a, ctx, "dba-packet", argc, argv, 0);
	const char *outpath = NULL;
	for (int c; (c = cli_args_next(&a));)
		if (c == 'o')
			outpath = optarg;
	int rc = cli_args_end(&a, 0);
	if (rc)
		return rc;
	struct engine *e = cli_engine_open(ctx, &rc);
	if (!e)
		return rc;
	engine_run_all(e, STEP_NONE);
	rc = engine_exit_code(e);
	if (rc == VB_EXIT_CONNECT || rc == VB_EXIT_USAGE || rc == VB_EXIT_INTERRUPTED || rc == VB_EXIT_INTERNAL) {
		cli_print_steps(ctx, e, STEP_NONE);
		fprintf(ctx->err, "vbadmin: dba-packet needs a working connection to say what the DBA must do (exit %d: %s)\n",
		        rc, cli_exit_meaning(rc));
		cli_engine_close(&e);
		return rc;
	}
	struct vb_buf b;
	vb_buf_init(&b);
	int items = engine_dba_packet(e, &b);
	rc = VB_EXIT_OK;
	if (outpath && vb_write_file_private(outpath, b.data ? b.data : "", b.len) != 0) {
		int why = errno; /* read before fprintf, which may change errno */
		/* whole or nothing: the temp file is removed, an older FILE is left as it was */
		fprintf(ctx->err, "vbadmin: cannot write %s: %s; nothing was written\n", outpath, strerror(why));
		rc = why == ENOSPC || why == EDQUOT || why == EIO ? VB_EXIT_FIXABLE : VB_EXIT_USAGE;
	} else if (outpath) {
		fprintf(ctx->err, "vbadmin: wrote %s (%d item%s for the DBA)\n", outpath, items, items == 1 ? "" : "s");
	} else {
		fputs(b.data ? b.data : "", ctx->out); /* main checks that stdout took it */
	}
	vb_buf_free(&b);
	cli_engine_close(&e);
	return rc;
}

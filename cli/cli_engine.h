/* cli/cli_engine.h - shared by the engine-driven commands (check, extension, verify,
 * ddl apply, dba-packet, index): open an engine for the CLI context with Ctrl-C wired to
 * cancel the running statement, and render step results as text or JSON. */
#ifndef CLI_CLI_ENGINE_H
#define CLI_CLI_ENGINE_H

#include "cli.h"
#include "cli_json.h"
#include "../engine/engine.h"

/* Loads the config and builds the engine; NULL with *rc set (exit code) on failure.  While the
 * engine is open, SIGINT sets the cancel flag and cancels the statement in flight. */
struct engine *cli_engine_open(struct cli_ctx *ctx, int *rc);
void cli_engine_close(struct engine **e);
/* Prints why the engine could not open its store (failed_at "config" or "store") and returns
 * the exit code: an unknown backend is a usage error, a refused connection exit 3. */
int cli_report_open(struct cli_ctx *ctx, const char *failed_at, const struct vb_error *err);

/* One line per step (from the first applicable step through `upto`, STEP_NONE = all) with
 * message, class, advice and fix for people. */
void cli_print_steps(struct cli_ctx *ctx, struct engine *e, int upto);
/* Final verdict line. */
void cli_print_verdict(struct cli_ctx *ctx, struct engine *e, int code);

/* JSON pieces (docs/json.md): the common head object ("schema_version" ... "summary") and the
 * "steps" array (from the first applicable step through upto). */
json_t *cli_json_head(const char *command, struct engine *e, int code, int upto);
json_t *cli_json_steps(struct engine *e, int upto);

const char *cli_exit_meaning(int code);

#endif

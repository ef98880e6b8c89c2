/* engine/fix.h - the "apply a step's fix" use case: a step's fix text (advice rendered for this
 * database) becomes statements only when every piece is SQL (shell lines starting with '#' are
 * dropped; a shell command or a DBA's job is not run), and runs in one transaction. */
#ifndef ENGINE_FIX_H
#define ENGINE_FIX_H

#include "../backends/vb.h"

struct engine;

/* Statements of a ';'-separated SQL text, blanks and comment-only pieces dropped (NULL-terminated;
 * ddl_statements_free). */
char **engine_split_sql(const char *text);
/* The fix as statements, or NULL when a piece is not SQL (then a person runs it). */
char **engine_fix_statements(const char *fix);
/* Whether this backend can run a fix (SQL in one transaction). */
int engine_fix_runnable(const struct engine *e);
/* Runs the statements in one transaction, progress per statement. */
int engine_apply_fix(struct engine *e, const char *const *stmts, vb_progress_fn progress, void *ctx,
                     struct vb_error *err);

#endif

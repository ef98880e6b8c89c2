/* engine/search_limits.h - bounded work per search (issue 14.4).  A text query of a repeated
 * word once kept a PostgreSQL backend and two workers busy for ten minutes (ts_rank_cd over a
 * huge tsquery ignores cancel for long stretches), and 1,000 words took 95 s on the embedded
 * store; a query is therefore capped in terms and length before anything runs, and every search
 * runs under a time limit (PostgreSQL: statement_timeout, unless the session already has one;
 * the embedded store: the same default, its options' statement_timeout winning alike). */
#ifndef ENGINE_SEARCH_LIMITS_H
#define ENGINE_SEARCH_LIMITS_H

#include "../backends/vb.h"

#define ENGINE_SEARCH_MAX_TERMS 64      /* words of a text or hybrid query */
#define ENGINE_SEARCH_MAX_BYTES 4096    /* any query */
#define ENGINE_SEARCH_TIMEOUT_MS 30000  /* default statement_timeout of a search */

/* VB_ERR_INVALID when query is over the limits for mode (enum engine_search_mode). */
int engine_search_check_query(const char *query, int mode, struct vb_error *err);

/* On a backend with the SQL query slot and no statement_timeout in effect (options:, role or
 * database settings), sets one of timeout_ms for the session (0: the default, < 0: none);
 * *saved gets what to restore.  engine_search_timeout_restore puts it back.  A backend with the
 * set_search_timeout slot (the embedded store) gets the same limit through it (its options'
 * statement_timeout wins there too). */
void engine_search_timeout_set(const struct vb_ops *ops, struct vb_handle *h, int timeout_ms, char *saved,
                               size_t len);
void engine_search_timeout_restore(const struct vb_ops *ops, struct vb_handle *h, const char *saved);

#endif

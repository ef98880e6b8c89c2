/* engine/search_limits.c - caps on a search's query and its server time (see the header). */
#include "search_limits.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "../backends/registry.h"
#include "../backends/vb_util.h"
#include "search.h"

static int count_words(const char *s)
{
	int n = 0, in = 0;
	for (; *s; s++) {
		int w = !isspace((unsigned char)*s);
		n += w && !in;
		in = w;
	}
	return n;
}

int engine_search_check_query(const char *query, int mode, struct vb_error *err)
{
	if (!query)
		return VB_OK;
	int words = count_words(query);
	if ((mode == ENGINE_MODE_TEXT || mode == ENGINE_MODE_HYBRID) && words > ENGINE_SEARCH_MAX_TERMS) {
		vb_err_set(err, VB_ERR_INVALID, "the query has %d words; %s search takes at most %d (each word is a term "
		                                "the full-text index must rank)", words, engine_search_mode_name(mode),
		           ENGINE_SEARCH_MAX_TERMS);
		snprintf(err->hint, sizeof err->hint, "keep the words that matter, or use --mode vector, which embeds the "
		                                      "whole text once");
		return VB_ERR_INVALID;
	}
	size_t len = strlen(query);
	if (len > ENGINE_SEARCH_MAX_BYTES)
		return vb_err_set(err, VB_ERR_INVALID, "the query is %zu bytes long; a search takes at most %d: shorten it",
		                  len, ENGINE_SEARCH_MAX_BYTES);
	return VB_OK;
}

static int sql_value(const struct vb_ops *ops, struct vb_handle *h, const char *sql, const char *param, char *out,
                     size_t len)
{
	struct vb_result *r = NULL;
	struct vb_error err;
	const char *params[1] = {param};
	int st = ops->query(h, sql, param ? 1 : 0, params, &r, &err);
	const char *v = st == VB_OK && r && r->nrows == 1 ? vb_result_get(r, 0, 0) : NULL;
	if (out)
		snprintf(out, len, "%s", v ? v : "");
	ops->result_free(h, &r);
	return st;
}

void engine_search_timeout_set(const struct vb_ops *ops, struct vb_handle *h, int timeout_ms, char *saved,
                               size_t len)
{
	saved[0] = '\0';
	if (VB_SLOT(ops, set_search_timeout)) { /* a store without SQL sessions: the same limit */
		ops->set_search_timeout(h, timeout_ms ? timeout_ms : ENGINE_SEARCH_TIMEOUT_MS);
		snprintf(saved, len, "%s", timeout_ms < 0 ? "" : "slot");
		return;
	}
	if (timeout_ms < 0 || !(ops->caps & VB_CAP_SQL) || !VB_SLOT(ops, query))
		return;
	char cur[64];
	if (sql_value(ops, h, "SELECT current_setting('statement_timeout')", NULL, cur, sizeof cur) != VB_OK ||
	    strcmp(cur, "0") != 0)
		return; /* a timeout set by options:, the role or the database wins */
	char want[32];
	snprintf(want, sizeof want, "%dms", timeout_ms ? timeout_ms : ENGINE_SEARCH_TIMEOUT_MS);
	if (sql_value(ops, h, "SELECT set_config('statement_timeout', $1, false)", want, NULL, 0) == VB_OK)
		snprintf(saved, len, "%s", cur);
}

void engine_search_timeout_restore(const struct vb_ops *ops, struct vb_handle *h, const char *saved)
{
	if (VB_SLOT(ops, set_search_timeout))
		ops->set_search_timeout(h, 0);
	else if (saved[0])
		sql_value(ops, h, "SELECT set_config('statement_timeout', $1, false)", saved, NULL, 0);
}

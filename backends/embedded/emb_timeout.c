/* backends/embedded/emb_timeout.c - the time limit of a search on the embedded store, the same
 * default and option as PostgreSQL's statement_timeout (issue 14: 1,000 words once kept an FTS5
 * search busy for 95 s, with nothing to stop it but Ctrl-C).  SQLite's progress handler checks
 * the deadline every few thousand virtual-machine steps and interrupts the statement past it. */
#include "emb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* PostgreSQL's spelling of a duration: a number, then ms (the default), s, min, h or d. */
int emb_timeout_option(const char *value, int *ms, struct vb_error *err)
{
	static const struct { const char *unit; double ms; } units[] = {
		{"", 1}, {"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000},
	};
	char *end = NULL;
	double v = strtod(value, &end);
	while (end && *end == ' ')
		end++;
	for (size_t i = 0; end != value && v >= 0 && i < sizeof units / sizeof units[0]; i++)
		if (strcmp(end, units[i].unit) == 0 && v * units[i].ms <= 2147483647.0) {
			*ms = (int)(v * units[i].ms);
			return VB_OK;
		}
	return vb_err_set(err, VB_ERR_INVALID, "embedded store option 'statement_timeout=%s' is not a duration "
	                                       "such as 30s, 5000 (ms) or 2min (0: none)", value);
}

static int on_progress(void *p)
{
	struct vb_handle *h = p;
	if (h->deadline > 0 && now_s() > h->deadline) {
		h->timed_out = 1;
		return 1; /* SQLITE_INTERRUPT */
	}
	return 0;
}

void emb_timeout_init(struct vb_handle *h, int option_ms)
{
	h->option_timeout_ms = option_ms;
	h->search_timeout_ms = option_ms;
	sqlite3_progress_handler(h->db, 4000, on_progress, h);
}

void emb_set_search_timeout(struct vb_handle *h, int timeout_ms)
{
	if (h && h->option_timeout_ms < 0) /* the store's own option wins, as a session setting does */
		h->search_timeout_ms = timeout_ms;
}

void emb_deadline_start(struct vb_handle *h)
{
	h->timed_out = 0;
	h->deadline = h->search_timeout_ms > 0 ? now_s() + h->search_timeout_ms / 1000.0 : 0;
}

int emb_deadline_end(struct vb_handle *h, int rc, struct vb_error *err)
{
	h->deadline = 0;
	if (rc == VB_OK || !h->timed_out)
		return rc;
	h->timed_out = 0;
	vb_err_set(err, VB_ERR_CANCELLED, "canceling statement due to statement timeout (%d ms on the embedded store)",
	           h->search_timeout_ms);
	if (err) {
		snprintf(err->sqlstate, sizeof err->sqlstate, "57014");
		snprintf(err->hint, sizeof err->hint, "narrow the search (--where, fewer words) or raise the limit: "
		         "search --timeout SECONDS, or options: statement_timeout=60s in agent.yml");
	}
	return VB_ERR_CANCELLED;
}

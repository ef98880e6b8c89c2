/* tui/screen_search.c - Search lab: a GNU readline prompt inside the curses screen (readline's
 * callback API: keys are fed one at a time, readline's line is drawn by us), history in
 * $XDG_STATE_HOME/vbadmin/search_history without consecutive duplicates; mode, table, top-N
 * and filter; results with distance and score; latency; how it ran (EXPLAIN on pgvector) and recall@k. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "../ddl/ddl.h"
#include "../config/config.h"
#include "../engine/embedding.h"
#include "../engine/engine.h"
#include "../engine/search.h"
#include "textview.h"

#define mode_names(m) engine_search_mode_name(m)
enum { SJ_SEARCH = 1, SJ_EXPLAIN, SJ_RECALL };

struct hit {
	char *label, *kind, *text;
	double distance, score;
	int has_d, has_s;
	char *fields;       /* every column as "name: value" lines, for the detail view */
};

static struct lab {
	int ready;
	int focus;          /* 0 prompt, 1 results */
	int mode, table, top;
	char where[256];
	char *query;        /* last query run */
	char hist_path[512];
	FILE *rl_null;
	/* keys queued for readline's getc */
	int q[16];
	int nq, iq;
	/* results */
	struct hit *hits;
	int nhits, sel, scroll;
	double ms;
	char msg[1100];
	int msg_err;        /* the message is an error: drawn as one */
	int detail;         /* Enter on a hit: every column of it instead of the list */
	int list_y;         /* screen row of the first hit, as last drawn (mouse clicks) */
	int prompt_y;       /* screen row of the prompt, as last drawn */
	struct tui_text detail_text;
	struct tui_text extra;  /* EXPLAIN plan or recall report */
	/* job */
	int job;
	/* what the running job searches: a copy taken when it starts, because the worker must not
	 * read the settings (or the query, which the next Enter frees) that keys change meanwhile */
	struct {
		char *query;
		int mode, table, top;
		char where[256];
	} run;
	int rerun;          /* settings changed while a job ran: search again when it ends */
	struct hit *next_hits;
	int next_n;
	double next_ms;
	char next_msg[1024];
	char next_why[320];
	struct tui_text next_extra;
	int next_ok;
	/* the embedder of the current table's store (engine/embedding.h), for the title line */
	char embedder[400];
	int can_embed;      /* 0: vector and hybrid are greyed out, only text runs */
	int view_table;     /* table the two fields above describe; -1 none yet */
} L = {.mode = ENGINE_MODE_HYBRID, .top = 10, .view_table = -1};

/* -- readline glue -- */

static int feed_getc(FILE *f)
{
	(void)f;
	return L.iq < L.nq ? L.q[L.iq++] : EOF;
}

/* readline asks whether more input is waiting; only our queue counts, never the tty */
static int queued_input(void)
{
	return L.iq < L.nq;
}

static void noop_redisplay(void)
{
}

static void noop_prep(int meta)
{
	(void)meta;
}

static void noop_deprep(void)
{
}

static void run_search(struct tui_app *app);
static struct tui_app *rl_app;

/* History hygiene (peers-errors-ux 4.5): a line that holds a configured password or key, a
 * "password" word or a URI with credentials is searched but never written to the file. */
static int history_safe(const struct tui_app *app, const char *line)
{
	if (strcasestr(line, "password") || (strstr(line, "://") && strchr(line, '@')))
		return 0;
	return !config_holds_secret(app && app->ctx ? app->ctx->cfg : NULL, line);
}

static void on_line(char *line)
{
	if (!line)
		return;
	if (*line) {
		HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
		if ((!last || strcmp(last->line, line) != 0) && history_safe(rl_app, line)) {
			add_history(line);
			if (L.hist_path[0] && append_history(1, L.hist_path) != 0)
				write_history(L.hist_path);
			history_truncate_file(L.hist_path, TUI_HISTORY_MAX);
		}
		free(L.query);
		L.query = vb_xstrdup(line);
		run_search(rl_app);
	}
	free(line);
}

static void mkdirs(char *path)
{
	for (char *s = path + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
}

static void lab_init(struct tui_app *app)
{
	if (L.ready)
		return;
	L.ready = 1;
	rl_app = app;
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	if (state && *state)
		snprintf(L.hist_path, sizeof L.hist_path, "%s/vbadmin/search_history", state);
	else if (home && *home)
		snprintf(L.hist_path, sizeof L.hist_path, "%s/.local/state/vbadmin/search_history", home);
	if (L.hist_path[0]) {
		mkdirs(L.hist_path);
		using_history();
		stifle_history(TUI_HISTORY_MAX); /* memory too, not only the file */
		if (read_history(L.hist_path) != 0) {
			FILE *f = vb_fopen_private(L.hist_path, "a");
			if (f)
				fclose(f);
		}
	}
	/* readline must not touch the terminal curses owns: we feed keys and draw its line */
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0;
	rl_prep_term_function = noop_prep;
	rl_deprep_term_function = noop_deprep;
	rl_getc_function = feed_getc;
	rl_input_available_hook = queued_input;
	rl_redisplay_function = noop_redisplay;
	L.rl_null = fopen("/dev/null", "w");
	rl_outstream = L.rl_null;
	rl_readline_name = "vbadmin";
	rl_callback_handler_install("search> ", on_line);
	for (int i = 0; i < ddl_table_count(); i++)
		if (strcmp(ddl_table_name(i), "semantic_model") == 0)
			L.table = i;
}

static void feed(const char *seq)
{
	L.nq = L.iq = 0;
	for (const char *p = seq; *p && L.nq < 16; p++)
		L.q[L.nq++] = (unsigned char)*p;
	while (L.iq < L.nq)
		rl_callback_read_char();
}

/* The focus model (pgcli / lazygit): typing always goes to the query.  Tab or Esc hands the
 * focus to the results on purpose, and only there do single letters act as hotkeys; Tab or
 * Esc gives it back.  A search never moves the focus. */
/* The keys of keybar.def's Search rows that the screen reads before the key map: Esc (the back
 * key a prompt sees) leaves the hit or the results, Tab and Esc leave the prompt, the help key
 * works in it. */
static int lab_key(struct tui_app *app, int key)
{
	(void)app;
	int act = tui_key_is_text(key) ? ACT_NONE : tui_key_action(key);
	if (L.focus != 0) {
		if (act == ACT_BACK) {
			if (L.detail)
				L.detail = 0;
			else
				L.focus = 0;
			return 1;
		}
		return 0;
	}
	if (act == ACT_TAB || act == ACT_BACK) {
		L.focus = 1;
		return 1;
	}
	if (act == ACT_HELP || key == KEY_RESIZE || key == KEY_RESIZE + 1000)
		return 0;
	char seq[8] = "";
	if (TUI_IS_META(key)) {
		/* readline's own Meta bindings: ESC then the key */
		seq[0] = 27;
		seq[1] = (char)(key & 0xff);
		feed(seq);
		return 1;
	}
	switch (key) {
	case KEY_UP: strcpy(seq, "\033[A"); break;
	case KEY_DOWN: strcpy(seq, "\033[B"); break;
	case KEY_RIGHT: strcpy(seq, "\033[C"); break;
	case KEY_LEFT: strcpy(seq, "\033[D"); break;
	case KEY_HOME: strcpy(seq, "\001"); break;
	case KEY_END: strcpy(seq, "\005"); break;
	case KEY_DC: strcpy(seq, "\004"); break;
	case KEY_BACKSPACE: case 8: strcpy(seq, "\177"); break;
	case KEY_ENTER: case '\n': strcpy(seq, "\r"); break;
	default:
		if (key > 0 && key < 256) {
			seq[0] = (char)key;
			seq[1] = '\0';
		} else {
			return 1; /* other function keys mean nothing in the prompt */
		}
	}
	feed(seq);
	return 1;
}

/* keybar.def's Search panes: 0 the prompt, 1 the results, 2 one hit. */
static int lab_pane(struct tui_app *app)
{
	(void)app;
	return L.focus == 0 ? 0 : L.detail ? 2 : 1;
}

/* -- the search job -- */

static void free_hits(struct hit *h, int n)
{
	for (int i = 0; i < n; i++) {
		free(h[i].label);
		free(h[i].kind);
		free(h[i].text);
		free(h[i].fields);
	}
	free(h);
}

static void take_hits(const struct engine_search_res *s)
{
	const struct vb_result *r = s->rows;
	L.next_n = (int)r->nrows;
	L.next_hits = vb_xcalloc(r->nrows ? r->nrows : 1, sizeof *L.next_hits);
	int has_name = vb_result_col(r, "name") >= 0;
	for (size_t i = 0; i < r->nrows; i++) {
		struct hit *h = &L.next_hits[i];
		h->label = vb_xstrdup(engine_search_cell(r, i, has_name ? "name" : s->spec->key_column));
		h->kind = vb_xstrdup(engine_search_cell(r, i, "kind"));
		h->text = vb_xstrdup(engine_search_cell(r, i, s->spec->text_source));
		if (r->distance) {
			h->distance = r->distance[i];
			h->has_d = 1;
		}
		if (r->score) {
			h->score = r->score[i];
			h->has_s = 1;
		}
		struct vb_buf b;
		vb_buf_init(&b);
		for (int c = 0; c < r->ncols; c++)
			vb_buf_printf(&b, "%s: %s\n", r->cols[c], engine_search_cell(r, i, r->cols[c]));
		h->fields = b.data ? b.data : vb_xstrdup("");
	}
}

/* The lab's message for a failed engine_search, by the stage that failed. */
static void fail_message(const struct engine_search_res *s, const struct vb_error *err)
{
	const char *at = s->failed_at ? s->failed_at : "search";
	if (!strcmp(at, "search"))
		snprintf(L.next_msg, sizeof L.next_msg, "%s search failed: %s", mode_names(L.run.mode), err->message);
	else if (err->status == VB_ERR_UNSUPPORTED)
		snprintf(L.next_msg, sizeof L.next_msg, "%s", err->message);
	else
		snprintf(L.next_msg, sizeof L.next_msg, "%s: %s", at, err->message);
}

static void take_recall(const struct engine_search_res *s)
{
	char a[32], b[32];
	tui_text_addf(&L.next_extra, ROLE_TITLE, "recall@%d of %s: search vs exact scan (same namespace and filter)",
	              L.run.top, s->spec->name);
	tui_text_addf(&L.next_extra, s->recall >= 0.9 ? ROLE_OK : ROLE_WARN,
	              "recall@%d = %.2f (%zu of %zu exact neighbours found)", L.run.top, s->recall, s->recall_found,
	              s->recall_exact);
	tui_text_addf(&L.next_extra, ROLE_NORMAL, "search %s, exact scan %s", tui_ms(s->ms_index, a, sizeof a),
	              tui_ms(s->ms_exact, b, sizeof b));
	if (s->search_path[0])
		tui_text_addf(&L.next_extra, ROLE_NORMAL, "search path: %s", s->search_path);
}

static void job_search(struct tui_app *app, void *arg)
{
	(void)arg;
	struct vb_error err;
	vb_err_clear(&err);
	L.next_ok = 0;
	L.next_msg[0] = '\0';
	L.next_n = 0;
	L.next_hits = NULL;
	tui_text_clear(&L.next_extra);
	if (tui_connect(app, &err) != VB_OK) {
		snprintf(L.next_msg, sizeof L.next_msg, "cannot connect: %s", err.message);
		return;
	}
	static const unsigned what[] = {[SJ_SEARCH] = ENGINE_SEARCH_RUN, [SJ_EXPLAIN] = ENGINE_SEARCH_EXPLAIN,
	                                [SJ_RECALL] = ENGINE_SEARCH_RECALL};
	struct engine_search_req q = {.query = L.run.query, .table = ddl_table_name(L.run.table), .mode = L.run.mode,
	                              .top = L.run.top, .where = L.run.where[0] ? L.run.where : NULL, .what = what[L.job]};
	struct engine_search_res s;
	if (engine_search(app->engine, &q, &s, &err) != VB_OK) {
		fail_message(&s, &err);
	} else if (L.job == SJ_SEARCH) {
		take_hits(&s);
		snprintf(L.next_why, sizeof L.next_why, "%s", s.empty_why);
		L.next_ms = s.ms;
		L.next_ok = 1;
	} else if (L.job == SJ_EXPLAIN) {
		tui_text_addf(&L.next_extra, ROLE_TITLE, "EXPLAIN of the %s vector query (top %d)", s.spec->name, L.run.top);
		tui_text_addf(&L.next_extra, ROLE_NORMAL, "search path: %s", s.search_path[0] ? s.search_path : "(not said)");
		for (int i = 0; i < s.nplan; i++)
			tui_text_add(&L.next_extra, ROLE_NORMAL, s.plan[i]);
		L.next_ok = 1;
	} else {
		take_recall(&s);
		L.next_ok = 1;
	}
	engine_search_free(app->engine, &s);
}

static void lab_job_done(struct tui_app *app)
{
	if (L.job == SJ_SEARCH && L.next_ok) {
		free_hits(L.hits, L.nhits);
		L.hits = L.next_hits;
		L.nhits = L.next_n;
		L.sel = L.scroll = 0;
		L.ms = L.next_ms;
		char ms[32];
		L.msg_err = 0;
		L.detail = 0;
		snprintf(L.msg, sizeof L.msg, "%d result%s in %s (%s, %s, top %d)%s%s", L.nhits, L.nhits == 1 ? "" : "s",
		         tui_ms(L.ms, ms, sizeof ms), mode_names(L.run.mode), ddl_table_name(L.run.table), L.run.top,
		         L.nhits ? "" : ": ", L.nhits ? "" : L.next_why);
		tui_text_clear(&L.extra);
		tui_log(app, "search '%s': %s", L.run.query, L.msg);
	} else if (L.next_ok) {
		tui_text_clear(&L.extra);
		L.extra = L.next_extra;
		memset(&L.next_extra, 0, sizeof L.next_extra);
		tui_log(app, "search lab: %s", L.job == SJ_EXPLAIN ? "EXPLAIN shown" : L.extra.n > 1 ? L.extra.lines[1] : "recall");
	} else {
		free_hits(L.next_hits, L.next_n);
		if (L.job == SJ_SEARCH) { /* results of another query must not stand under its error */
			free_hits(L.hits, L.nhits);
			L.hits = NULL;
			L.nhits = L.sel = L.scroll = 0;
			tui_text_clear(&L.extra);
			L.detail = 0;
		}
		L.msg_err = 1;
		snprintf(L.msg, sizeof L.msg, "%s", L.next_msg);
		tui_log(app, "search lab: %s", L.next_msg);
	}
	L.next_hits = NULL;
	L.next_n = 0;
	tui_text_clear(&L.next_extra);
	L.job = 0;
	if (L.rerun) {
		L.rerun = 0;
		run_search(app);
	}
}

static void start_job(struct tui_app *app, int kind)
{
	if (app->job_running && kind == SJ_SEARCH && app->job_screen == SCR_SEARCH) {
		L.rerun = 1; /* the newest query and settings run when this search ends */
		return;
	}
	if (app->job_running) {
		tui_status_busy(app);
		return;
	}
	if (!L.query || !*L.query) {
		tui_status(app, "type a query at the prompt first (%s goes there)", tui_key(ACT_TAB));
		return;
	}
	L.job = kind;
	free(L.run.query);
	L.run.query = vb_xstrdup(L.query);
	L.run.mode = L.mode;
	L.run.table = L.table;
	L.run.top = L.top;
	snprintf(L.run.where, sizeof L.run.where, "%s", L.where);
	if (tui_job_engine(app, job_search, NULL) != 0)
		L.job = 0;
}

static void run_search(struct tui_app *app)
{
	start_job(app, SJ_SEARCH);
}

/* Every change of mode, table, filter or top N searches again, so the header never describes
 * results it did not produce; a change made while a job runs is searched when that job ends. */
static void rerun(struct tui_app *app)
{
	if (L.query && *L.query)
		run_search(app);
}

/* -- drawing and keys -- */

static void lab_enter(struct tui_app *app)
{
	lab_init(app);
}

/* Which model embeds queries for the current table, and whether it runs (UI thread). */
static void refresh_embedder(struct tui_app *app)
{
	if (L.view_table == L.table)
		return;
	struct engine *e = app->engine;
	struct eng_embedding ee;
	eng_embedding_for_search(app->ctx->cfg, &e->vbc, e->backend_override, e->embedder_override,
	                         ddl_table_name(L.table), &ee);
	snprintf(L.embedder, sizeof L.embedder, "%s", ee.describe);
	L.can_embed = ee.emb != NULL;
	eng_embedding_close(&ee);
	L.view_table = L.table;
	if (!L.can_embed && L.mode != ENGINE_MODE_TEXT) {
		L.mode = ENGINE_MODE_TEXT;
		tui_status(app, "vector and hybrid search need the store's model, which is not served (docs/embeddings.md); "
		                "text search runs");
	}
}

/* The prompt line; returns the cursor column (readline's display prompt changes during Ctrl-R). */
static int draw_prompt(int y, int width)
{
	const char *prompt = rl_display_prompt ? rl_display_prompt : "search> ";
	const char *buf = rl_line_buffer ? rl_line_buffer : "";
	/* with the results focused the prompt says so: typed letters are hotkeys now */
	char shown[96];
	snprintf(shown, sizeof shown, "%s%s", L.focus == 0 ? "" : "[results] ", prompt);
	int plen = (int)strlen(shown);
	int avail = width - plen - 1;
	int off = rl_point > avail ? rl_point - avail : 0;
	if (off > (int)strlen(buf))
		off = 0;
	tui_fill_line(y, width, L.focus == 0 ? ROLE_NORMAL : ROLE_DIM);
	tui_print(y, 0, width, L.focus == 0 ? ROLE_TITLE : ROLE_DIM, shown);
	tui_print(y, plen, width - plen, ROLE_NORMAL, buf + off);
	int cx = plen + rl_point - off;
	return cx < width ? cx : width - 1;
}

/* The message under the prompt, wrapped to the width (at most 4 lines); returns the lines used. */
static int draw_message(int y, int width, int running)
{
	char idle[512];
	snprintf(idle, sizeof idle, "embedder: %s", L.embedder);
	char searching[64];
	snprintf(searching, sizeof searching, "searching... (%s cancels)", tui_key(ACT_CANCEL));
	const char *msg = running ? searching : L.msg[0] ? L.msg : idle;
	struct tui_text t = {0};
	tui_text_add_wrapped(&t, L.msg_err && !running ? ROLE_FAIL : ROLE_DIM, msg, width - 1, "");
	int n = t.n < 4 ? t.n : 4;
	tui_text_draw(&t, y, n, width, NULL);
	tui_text_clear(&t);
	return n ? n : 1;
}

static void draw_hits(int ly, int rows, int width)
{
	tui_printf(ly, 0, width, ROLE_TITLE, " %2s %-26s %-9s %8s %8s  %s", "#", "name / id", "kind", "distance", "score",
	           "text");
	int lh = rows - 3;
	L.scroll = tui_scroll_for(L.sel, L.scroll, lh, L.nhits);
	L.list_y = ly + 1;
	for (int r = 0; r < lh && L.scroll + r < L.nhits; r++) {
		int i = L.scroll + r;
		const struct hit *h = &L.hits[i];
		char d[16] = "-", s[16] = "-";
		if (h->has_d)
			snprintf(d, sizeof d, "%.4f", h->distance);
		if (h->has_s)
			snprintf(s, sizeof s, "%.4f", h->score);
		int role = (i == L.sel && L.focus == 1) ? ROLE_SELECTED : ROLE_NORMAL;
		if (role == ROLE_SELECTED)
			tui_fill_line(ly + 1 + r, width, role);
		tui_printf(ly + 1 + r, 0, width, role, " %2d %-26.26s %-9.9s %8s %8s  %s", i + 1, h->label, h->kind, d, s,
		           h->text);
	}
	/* the selected hit's text in full (two lines) */
	if (L.sel < L.nhits) {
		struct tui_text t = {0};
		tui_text_add_wrapped(&t, ROLE_DIM, L.hits[L.sel].text, width - 2, "  ");
		tui_text_draw(&t, ly + rows - 2, 2, width, NULL);
		tui_text_clear(&t);
	}
}

/* Enter on a hit: its rank, distance, score and every column, values wrapped, scrollable. */
static void build_detail(int width)
{
	const struct hit *h = &L.hits[L.sel];
	int scroll = L.detail_text.scroll;
	tui_text_clear(&L.detail_text);
	tui_text_addf(&L.detail_text, ROLE_TITLE, "Hit %d of %d (%s or %s: back to the list; %s copies, %s saves)",
	              L.sel + 1, L.nhits, tui_key(ACT_ENTER), tui_action_key(ACT_BACK, 1), tui_key(ACT_COPY),
	              tui_key(ACT_SAVE));
	char d[32] = "-", sc[32] = "-";
	if (h->has_d)
		snprintf(d, sizeof d, "%.6f", h->distance);
	if (h->has_s)
		snprintf(sc, sizeof sc, "%.6f", h->score);
	tui_text_addf(&L.detail_text, ROLE_NORMAL, "distance: %s", d);
	tui_text_addf(&L.detail_text, ROLE_NORMAL, "score: %s", sc);
	for (const char *p = h->fields; p && *p;) {
		const char *nl = strchr(p, '\n');
		char *line = vb_xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));
		tui_text_add_wrapped(&L.detail_text, ROLE_NORMAL, line, width - 1, "    ");
		free(line);
		p = nl ? nl + 1 : NULL;
	}
	L.detail_text.scroll = scroll;
}

static void lab_draw(struct tui_app *app, int top, int height, int width)
{
	int running = app->job_running && app->job_screen == SCR_SEARCH;
	refresh_embedder(app);
	/* the settings of these results: beside the modes when they fit (without "Search lab:" if
	 * that makes them fit, as at 80 columns), else on a second row, so the filter is never cut */
	char set[400];
	int slen = snprintf(set, sizeof set, ", table %s, top %d, filter %s%s", ddl_table_name(L.table), L.top,
	                    L.where[0] ? L.where : "none", running ? " (running)" : "");
	int mlen = 0;
	for (int m = 0; m < ENGINE_MODE__COUNT; m++)
		mlen += (int)strlen(mode_names(m)) + 1 + 2 * (m == L.mode);
	const char *title = 17 + mlen + slen <= width || 5 + mlen + slen > width ? " Search lab: mode" : " mode";
	/* the modes, the current one marked, the ones the store's model cannot run greyed out */
	tui_fill_line(top, width, ROLE_TITLE);
	tui_print(top, 0, width, ROLE_TITLE, title);
	int x = (int)strlen(title);
	for (int m = 0; m < ENGINE_MODE__COUNT && x < width; m++) {
		int off = !L.can_embed && m != ENGINE_MODE_TEXT;
		char word[16];
		int n = snprintf(word, sizeof word, m == L.mode ? " [%s]" : " %s", mode_names(m));
		tui_print(top, x, width - x, off ? ROLE_DIM : ROLE_TITLE, word);
		x += n;
	}
	int y = top + 1;
	if (x + slen <= width) {
		tui_print(top, x, width - x, ROLE_TITLE, set);
	} else {
		tui_fill_line(y, width, ROLE_TITLE);
		tui_printf(y++, 0, width, ROLE_TITLE, "  %s", set + 2);
		height--;
	}
	L.prompt_y = y;
	int cx = draw_prompt(y, width);
	int used = draw_message(y + 1, width, running);
	int ly = y + 1 + used;
	int rows = height - 2 - used;
	if (L.detail && L.sel < L.nhits) {
		build_detail(width);
		tui_text_draw(&L.detail_text, ly, rows, width, app->find);
	} else {
		if (L.extra.n) {
			/* EXPLAIN or recall: as tall as it needs, up to half the room; PgUp/PgDn scroll it */
			int room = L.nhits ? rows / 2 : rows; /* without hits the plan may use it all */
			int eh = L.extra.n + 1 < room ? L.extra.n + 1 : room;
			rows -= eh;
			tui_text_draw_at(&L.extra, ly + rows + 1, 1, eh - 1, width - 1, app->find);
		}
		if (L.nhits)
			draw_hits(ly, rows, width);
	}
	if (L.focus == 0 && !running) {
		move(y, cx);
		curs_set(1);
	} else {
		curs_set(0);
	}
}

/* The selected hit as text: what the detail view shows. */
static char *hit_text(const struct hit *h, int rank)
{
	char d[32] = "-", sc[32] = "-";
	if (h->has_d)
		snprintf(d, sizeof d, "%.6f", h->distance);
	if (h->has_s)
		snprintf(sc, sizeof sc, "%.6f", h->score);
	return vb_xasprintf("rank: %d\ndistance: %s\nscore: %s\n%s", rank, d, sc, h->fields ? h->fields : "");
}

static void copy_hit(struct tui_app *app)
{
	if (!L.nhits) {
		tui_status(app, "no hit to copy: search first");
		return;
	}
	char *t = hit_text(&L.hits[L.sel], L.sel + 1);
	if (tui_clipboard_copy(t) == 0)
		tui_status(app, "hit %d copied to the clipboard (OSC 52; %s saves every hit to a file)", L.sel + 1,
		           tui_key(ACT_SAVE));
	else
		tui_status(app, "cannot write to the terminal; %s saves the hits to a file", tui_key(ACT_SAVE));
	free(t);
}

/* Every hit of the last search, in rank order, as the detail view shows them. */
static void save_hits(struct tui_app *app)
{
	if (!L.nhits) {
		tui_status(app, "no results to save: search first");
		return;
	}
	char path[256] = "vbadmin-search-results.txt";
	if (!tui_input(app, "save results to: ", path, sizeof path) || !path[0])
		return;
	FILE *f = vb_fopen_private(path, "w");
	if (!f) {
		tui_status(app, "cannot write %s: %s", path, strerror(errno));
		return;
	}
	fprintf(f, "# query: %s\n# %s\n", L.query ? L.query : "", L.msg);
	for (int i = 0; i < L.nhits; i++) {
		char *t = hit_text(&L.hits[i], i + 1);
		fprintf(f, "\n%s", t);
		free(t);
	}
	if (fclose(f) != 0) {
		tui_status(app, "writing %s failed: %s", path, strerror(errno));
		return;
	}
	tui_status(app, "%d results saved to %s", L.nhits, path);
	tui_log(app, "search results saved to %s", path);
}

static void toggle_detail(void)
{
	if (L.nhits && !L.detail) {
		L.detail = 1;
		L.detail_text.scroll = 0;
	} else {
		L.detail = 0;
	}
}

/* Vector and hybrid need an embedder that runs; cycling into them without one would only fail. */
static void next_mode(struct tui_app *app)
{
	if (!L.can_embed) {
		tui_status(app, "only text search: vector and hybrid need %s (docs/embeddings.md)", L.embedder);
		return;
	}
	L.mode = (L.mode + 1) % ENGINE_MODE__COUNT;
	tui_status(app, "mode %s", mode_names(L.mode));
	rerun(app);
}

/* Only the tables with a vector column can be searched; the others are skipped. */
static void next_table(struct tui_app *app)
{
	int n = ddl_table_count();
	do
		L.table = (L.table + 1) % n;
	while (!ddl_table_is_vector(L.table));
	rerun(app);
}

static void ask_top(struct tui_app *app)
{
	char buf[16];
	snprintf(buf, sizeof buf, "%d", L.top);
	if (!tui_input(app, "top N (1-1000): ", buf, sizeof buf))
		return;
	int v = atoi(buf);
	if (v < 1 || v > 1000) {
		tui_status(app, "top N must be 1..1000, got '%s'", buf);
		return;
	}
	L.top = v;
	rerun(app);
}

/* The filter is checked before it replaces the old one, so a typo keeps the last good search. */
static void ask_filter(struct tui_app *app)
{
	char buf[256];
	snprintf(buf, sizeof buf, "%s", L.where);
	if (!tui_input(app, "filter (e.g. kind = 'metric'; empty clears): ", buf, sizeof buf))
		return;
	struct vb_error err;
	vb_err_clear(&err);
	if (engine_search_check_filter(app->engine, ddl_table_name(L.table), buf, &err) != VB_OK) {
		/* on the message line, which wraps: the list of valid columns is long */
		snprintf(L.msg, sizeof L.msg, "filter not changed: %s", err.message);
		L.msg_err = 1;
		return;
	}
	snprintf(L.where, sizeof L.where, "%s", buf);
	rerun(app);
}

/* The keys of the search screen itself; 0 = not one of them. */
static int lab_command(struct tui_app *app, int action)
{
	switch (action) {
	case ACT_TAB:
		L.focus = 0;
		L.detail = 0;
		break;
	case ACT_ENTER:
		toggle_detail();
		break;
	case ACT_MODE:
		next_mode(app);
		break;
	case ACT_TABLE:
		next_table(app);
		break;
	case ACT_TOPN:
		ask_top(app);
		break;
	case ACT_FILTER:
		ask_filter(app);
		break;
	case ACT_EXPLAIN:
		start_job(app, SJ_EXPLAIN);
		break;
	case ACT_RECALL:
		start_job(app, SJ_RECALL);
		break;
	case ACT_RUN:
		run_search(app);
		break;
	case ACT_COPY:
		copy_hit(app);
		break;
	case ACT_SAVE:
		save_hits(app);
		break;
	default:
		return 0;
	}
	return 1;
}

static int lab_action(struct tui_app *app, int action)
{
	if (lab_command(app, action))
		return 1;
	if (L.detail)
		return tui_text_action(&L.detail_text, action, LINES - 6, app->find);
	if (L.extra.n && (action == ACT_PGUP || action == ACT_PGDN))
		return tui_text_action(&L.extra, action == ACT_PGUP ? ACT_UP : ACT_DOWN, 1, NULL);
	return tui_move(action, &L.sel, L.nhits, 5);
}

/* A click on the prompt focuses the query; on a hit it selects it and focuses the results;
 * a click on the selected hit opens its detail view, as Enter does. */
static int lab_click(struct tui_app *app, int y, int x)
{
	(void)app;
	(void)x;
	if (y == L.prompt_y) {
		L.focus = 0;
		L.detail = 0;
		return 1;
	}
	int i = L.scroll + (y - L.list_y);
	if (L.detail || !L.nhits || y < L.list_y || i >= L.nhits)
		return 0;
	if (L.focus == 1 && i == L.sel)
		L.detail = 1;
	L.sel = i;
	L.focus = 1;
	return 1;
}

static void lab_cleanup(struct tui_app *app)
{
	(void)app;
	free_hits(L.hits, L.nhits);
	L.hits = NULL;
	L.nhits = 0;
	free(L.query);
	L.query = NULL;
	free(L.run.query);
	L.run.query = NULL;
	tui_text_clear(&L.extra);
	tui_text_clear(&L.next_extra);
	tui_text_clear(&L.detail_text);
	if (L.ready) {
		rl_callback_handler_remove();
		clear_history();
		rl_outstream = stdout;
		if (L.rl_null)
			fclose(L.rl_null);
		L.rl_null = NULL;
		L.ready = 0;
	}
}

const struct tui_screen_ops tui_screen_search = {
	.name = "search",
	.title = "Search",
	.enter = lab_enter,
	.draw = lab_draw,
	.action = lab_action,
	.job_done = lab_job_done,
	.key = lab_key,
	.cleanup = lab_cleanup,
	.pane = lab_pane,
	.click = lab_click,
};

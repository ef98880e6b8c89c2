/* backends/pgvector/pgv_conn.c - connection lifecycle, cancel, error mapping and the one place
 * statements are sent and waited for. */
#include "pgv.h"
#include "../vb_sql.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SQLSTATE -> status: exact codes first, then classes (first two characters). */
static const struct {
	const char *code;
	int status;
} sqlstate_map[] = {
	{"42501", VB_ERR_PERMISSION}, {"57014", VB_ERR_CANCELLED},  {"42P01", VB_ERR_NOT_FOUND},
	{"3F000", VB_ERR_NOT_FOUND},  {"42704", VB_ERR_NOT_FOUND},  {"42883", VB_ERR_NOT_FOUND},
	{"22000", VB_ERR_INVALID},    {"22P02", VB_ERR_INVALID},    {"42703", VB_ERR_INVALID},
	{"42601", VB_ERR_INVALID},    {"42804", VB_ERR_INVALID},    {"42P10", VB_ERR_SCHEMA},
	{"0A000", VB_ERR_UNSUPPORTED}, {"58P01", VB_ERR_UNSUPPORTED}, {"53100", VB_ERR_IO},
	{"58030", VB_ERR_IO},         {"25006", VB_ERR_IO},         {"57P01", VB_ERR_CONNECT},
	{"57P02", VB_ERR_CONNECT},    {"57P03", VB_ERR_CONNECT},    {"3D000", VB_ERR_CONNECT},
	{"08", VB_ERR_CONNECT},       {"28", VB_ERR_CONNECT},       {"22", VB_ERR_INVALID},
	{"23", VB_ERR_INVALID},       {"54", VB_ERR_INVALID},
};

int pgv_status_for_sqlstate(const char *s)
{
	if (!s || !*s)
		return VB_ERR_SERVER;
	for (size_t i = 0; i < sizeof sqlstate_map / sizeof sqlstate_map[0]; i++) {
		size_t n = strlen(sqlstate_map[i].code);
		if (strncmp(s, sqlstate_map[i].code, n) == 0 && (n == 5 || strlen(s) == 5))
			return sqlstate_map[i].status;
	}
	return VB_ERR_SERVER;
}

static void copy_field(char *dst, size_t len, const char *src)
{
	if (!src) {
		dst[0] = '\0';
		return;
	}
	snprintf(dst, len, "%s", src);
	/* libpq texts end with a newline that only gets in the way of the caller's layout */
	size_t n = strlen(dst);
	while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
		dst[--n] = '\0';
}

/* libpq's own text after a lost connection is "reason\n\tadvice\n\tadvice\nfollow-up": the first
 * line is the message, the indented lines are the hint, and what follows ("invalid socket",
 * "no connection to the server") only repeats the loss in libpq's internal words. */
static void libpq_text(const char *text, struct vb_error *err)
{
	const char *nl = strchr(text, '\n');
	int n = nl ? (int)(nl - text) : (int)strlen(text);
	snprintf(err->message, sizeof err->message, "%.*s", n, text);
	struct vb_buf hint;
	vb_buf_init(&hint);
	while (nl && nl[1] == '\t') {
		const char *line = nl + 2;
		nl = strchr(line, '\n');
		vb_buf_printf(&hint, "%s%.*s", hint.len ? " " : "", nl ? (int)(nl - line) : (int)strlen(line), line);
	}
	if (hint.len && !err->hint[0])
		copy_field(err->hint, sizeof err->hint, hint.data);
	vb_buf_free(&hint);
}

int pgv_err_result(struct vb_handle *h, const PGresult *r, struct vb_error *err)
{
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	int status = pgv_status_for_sqlstate(state);
	if (!state && h && PQstatus(h->conn) == CONNECTION_BAD)
		status = VB_ERR_CONNECT;
	/* a missing table or column may mean the cached catalog is out of date */
	if (h && state && (!strcmp(state, "42P01") || !strcmp(state, "42703") || !strcmp(state, "42804")))
		h->tables_stale = 1;
	if (!err)
		return status;
	vb_err_clear(err);
	err->status = status;
	copy_field(err->sqlstate, sizeof err->sqlstate, state);
	copy_field(err->detail, sizeof err->detail, PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL));
	copy_field(err->hint, sizeof err->hint, PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
	if (msg)
		copy_field(err->message, sizeof err->message, msg);
	else /* an error libpq made itself (lost connection): no fields, one multi-line text */
		libpq_text(PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) : PQerrorMessage(h->conn), err);
	return status;
}

int pgv_err_conn(struct vb_handle *h, struct vb_error *err)
{
	int status = PQstatus(h->conn) == CONNECTION_BAD ? VB_ERR_CONNECT : VB_ERR_SERVER;
	vb_err_set(err, status, "%s", "");
	if (err)
		libpq_text(PQerrorMessage(h->conn), err);
	return status;
}

/* ---- parameters ---- */

void pgv_params_init(struct pgv_params *p)
{
	p->n = p->cap = 0;
	p->vals = NULL;
}

void pgv_params_free(struct pgv_params *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->vals[i]);
	free(p->vals);
	pgv_params_init(p);
}

int pgv_param_add(struct pgv_params *p, char *val)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->vals = vb_xrealloc(p->vals, (size_t)p->cap * sizeof *p->vals);
	}
	p->vals[p->n++] = val;
	return p->n;
}

int pgv_param_addf(struct pgv_params *p, const char *s)
{
	return pgv_param_add(p, vb_xstrdup(s));
}

/* ---- execution ---- */

/* Waits until a whole result is buffered; poll() keeps a signal or PQcancel from another
 * thread able to end the wait through the server's reply. */
static void wait_input(PGconn *c)
{
	while (PQisBusy(c)) {
		struct pollfd pfd = {.fd = PQsocket(c), .events = POLLIN};
		if (pfd.fd < 0)
			return;
		int rc = poll(&pfd, 1, -1);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0 || !PQconsumeInput(c))
			return; /* PQgetResult reports the broken connection */
	}
}

static int is_error(ExecStatusType st)
{
	return st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR;
}

PGresult *pgv_wait(struct vb_handle *h, struct vb_error *err)
{
	PGresult *keep = NULL;
	for (;;) {
		wait_input(h->conn);
		PGresult *r = PQgetResult(h->conn);
		if (!r)
			break;
		ExecStatusType st = PQresultStatus(r);
		if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
			PQclear(keep);
			return r;
		}
		if (keep && is_error(PQresultStatus(keep))) {
			PQclear(r); /* the first error explains what happened */
		} else {
			PQclear(keep);
			keep = r;
		}
	}
	if (!keep) {
		pgv_err_conn(h, err);
		return NULL;
	}
	if (is_error(PQresultStatus(keep))) {
		pgv_err_result(h, keep, err);
		PQclear(keep);
		return NULL;
	}
	return keep;
}

/* After a lost connection (server restart, terminated backend) the next statement reconnects.
 * Every multi-statement flow here stops at its first failure, so a reset never lands between
 * a BEGIN and its COMMIT. */
static void reconnect_if_lost(struct vb_handle *h)
{
	/* inside txn_begin the transaction died with the connection: a new session must not
	 * carry on in autocommit, so the next statement fails instead */
	if (PQstatus(h->conn) != CONNECTION_BAD || h->txn)
		return;
	PQreset(h->conn);
	if (PQstatus(h->conn) != CONNECTION_OK)
		return;
	PGcancel *old = h->cancel;
	h->cancel = PQgetCancel(h->conn); /* the new backend has a new cancel key */
	if (old)
		PQfreeCancel(old);
	h->tables_stale = 1;
}

PGresult *pgv_exec(struct vb_handle *h, const char *sql, const struct pgv_params *params, struct vb_error *err)
{
	reconnect_if_lost(h);
	int sent = params ? PQsendQueryParams(h->conn, sql, params->n, NULL, (const char *const *)params->vals, NULL,
	                                      NULL, 0)
	                  : PQsendQuery(h->conn, sql);
	if (!sent) {
		pgv_err_conn(h, err);
		return NULL;
	}
	return pgv_wait(h, err);
}

int pgv_run(struct vb_handle *h, const char *sql, const struct pgv_params *params, struct vb_error *err)
{
	PGresult *r = pgv_exec(h, sql, params, err);
	if (!r)
		return err ? err->status : VB_ERR_SERVER;
	ExecStatusType st = PQresultStatus(r);
	if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT) {
		pgv_end_copy(h, r);
		return vb_err_set(err, VB_ERR_UNSUPPORTED, "COPY with STDIN/STDOUT is not available here");
	}
	PQclear(r);
	return VB_OK;
}

void pgv_end_copy(struct vb_handle *h, PGresult *r)
{
	ExecStatusType st = PQresultStatus(r);
	PQclear(r);
	if (st == PGRES_COPY_IN) {
		PQputCopyEnd(h->conn, "COPY FROM STDIN is not available through this slot");
	} else if (st == PGRES_COPY_OUT) {
		char *buf;
		while (PQgetCopyData(h->conn, &buf, 0) > 0)
			PQfreemem(buf);
	} else {
		return;
	}
	struct vb_error ignored;
	PQclear(pgv_wait(h, &ignored));
}

#define PGV_SLOT_SAVEPOINT "vb_slot"

int pgv_begin(struct vb_handle *h, struct vb_error *err)
{
	return pgv_run(h, h->txn ? "SAVEPOINT " PGV_SLOT_SAVEPOINT : "BEGIN", NULL, err);
}

int pgv_commit(struct vb_handle *h, struct vb_error *err)
{
	return pgv_run(h, h->txn ? "RELEASE SAVEPOINT " PGV_SLOT_SAVEPOINT : "COMMIT", NULL, err);
}

void pgv_rollback(struct vb_handle *h)
{
	if (PQstatus(h->conn) != CONNECTION_OK)
		return;
	PGTransactionStatusType ts = PQtransactionStatus(h->conn);
	if (ts == PQTRANS_ACTIVE) {
		/* a COPY or statement still in flight: let it finish or fail first */
		PGresult *r;
		while ((r = PQgetResult(h->conn)) != NULL) {
			if (PQresultStatus(r) == PGRES_COPY_IN)
				PQputCopyEnd(h->conn, "aborted by vbadmin");
			PQclear(r);
		}
		ts = PQtransactionStatus(h->conn);
	}
	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
		struct vb_error ignored;
		/* inside txn_begin only the slot's savepoint is undone; if it was never set, the
		 * transaction stays aborted and txn_end rolls it back */
		pgv_run(h, h->txn ? "ROLLBACK TO SAVEPOINT " PGV_SLOT_SAVEPOINT : "ROLLBACK", NULL, &ignored);
	}
}

int pgv_txn_begin(struct vb_handle *h, struct vb_error *err)
{
	if (h->txn)
		return vb_err_set(err, VB_ERR_INTERNAL, "a transaction is already open on this connection");
	int rc = pgv_run(h, "BEGIN", NULL, err);
	if (rc == VB_OK)
		h->txn = 1;
	return rc;
}

int pgv_txn_end(struct vb_handle *h, int commit, struct vb_error *err)
{
	if (!h->txn)
		return commit ? vb_err_set(err, VB_ERR_INTERNAL, "no transaction is open on this connection") : VB_OK;
	int rc = VB_OK;
	if (commit && PQtransactionStatus(h->conn) != PQTRANS_INTRANS)
		rc = PQstatus(h->conn) == CONNECTION_OK
		             ? vb_err_set(err, VB_ERR_INTERNAL, "the transaction failed earlier; it was rolled back")
		             : pgv_err_conn(h, err);
	else if (commit)
		rc = pgv_run(h, "COMMIT", NULL, err);
	h->txn = 0;
	if (!commit || rc != VB_OK)
		pgv_rollback(h);
	return rc;
}

/* ---- identifiers ---- */

char *pgv_ident(struct vb_handle *h, const char *ident)
{
	char *q = h && h->conn ? PQescapeIdentifier(h->conn, ident, strlen(ident)) : NULL;
	if (q) {
		char *out = vb_xstrdup(q);
		PQfreemem(q);
		return out;
	}
	/* invalid encoding for the connection: always-quoting with doubled quotes is still safe */
	return vb_quote_ident_always(ident);
}

char *pgv_qualified(struct vb_handle *h, const char *table)
{
	char *t = pgv_ident(h, table);
	char *out = vb_xasprintf("%s.%s", h->qschema, t);
	free(t);
	return out;
}

/* ---- lifecycle ---- */

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message; /* "already exists, skipping" and friends would garble the console */
}

/* Removes every occurrence of the password from text (libpq does not echo it, but a
 * server-side message might quote a conninfo back). */
static void scrub(char *text, const char *password)
{
	if (!password || strlen(password) < 3)
		return;
	size_t pl = strlen(password);
	char *p;
	while ((p = strstr(text, password)) != NULL) {
		memmove(p + 3, p + pl, strlen(p + pl) + 1);
		memcpy(p, "***", 3);
	}
}

/* libpq 15 reports no SQLSTATE for a failed connection; recognise the server texts. */
static const struct {
	const char *needle, *also; /* both must occur (also may be NULL) */
	const char *sqlstate;
	const char *hint;
} connect_texts[] = {
	{"password authentication failed", NULL, "28P01", "Check username and password of this database entry in agent.yml."},
	{"no password supplied", NULL, "28P01", "Set the password of this database entry in agent.yml."},
	{"database \"", "does not exist", "3D000", "Create the database or fix `database` in agent.yml."},
	{"role \"", "does not exist", "28000", "Create the role or fix `username` in agent.yml."},
	{"timeout expired", NULL, "08001", "The server did not answer in time: check host, port and firewalls."},
	{"Connection refused", NULL, "08001", NULL},
	{"SSL", NULL, "08001", "Check sslmode in agent.yml against what the server offers."},
};

static void connect_error(PGconn *c, const struct vb_config *cfg, struct vb_error *err)
{
	char text[1024];
	snprintf(text, sizeof text, "%s", c ? PQerrorMessage(c) : "out of memory");
	scrub(text, cfg->password);
	vb_err_set(err, VB_ERR_CONNECT, "%s", "");
	if (!err)
		return;
	/* first line is the reason; libpq's indented follow-up line is advice */
	char *nl = strchr(text, '\n');
	char *rest = NULL;
	if (nl) {
		*nl = '\0';
		rest = nl + 1;
		while (*rest == '\t' || *rest == ' ' || *rest == '\n')
			rest++;
	}
	copy_field(err->message, sizeof err->message, text);
	if (rest && *rest)
		copy_field(err->hint, sizeof err->hint, rest);
	for (size_t i = 0; i < sizeof connect_texts / sizeof connect_texts[0]; i++) {
		if (!strstr(text, connect_texts[i].needle) || (connect_texts[i].also && !strstr(text, connect_texts[i].also)))
			continue;
		copy_field(err->sqlstate, sizeof err->sqlstate, connect_texts[i].sqlstate);
		if (connect_texts[i].hint && !err->hint[0])
			copy_field(err->hint, sizeof err->hint, connect_texts[i].hint);
		break;
	}
}

static void kv_add(const char **kw, const char **val, int *n, const char *k, const char *v)
{
	if (v && *v && *n < 30) {
		kw[*n] = k;
		val[*n] = v;
		(*n)++;
	}
}

/* The keyword/value arrays PQconnectdbParams takes; the strings they point at (port and timeout
 * digits, the split options copy, the server settings) live here until the connection is made. */
struct conn_params {
	const char *kw[32];
	const char *val[32];
	int n;
	char port[16], timeout[16];
	char *opts;
	struct vb_buf server_opts;
};

static void params_free(struct conn_params *p)
{
	free(p->opts);
	vb_buf_free(&p->server_opts);
}

static void params_entry(struct conn_params *p, const struct vb_config *cfg)
{
	kv_add(p->kw, p->val, &p->n, "host", cfg->host);
	if (cfg->port > 0) {
		snprintf(p->port, sizeof p->port, "%d", cfg->port);
		kv_add(p->kw, p->val, &p->n, "port", p->port);
	}
	kv_add(p->kw, p->val, &p->n, "dbname", cfg->database);
	kv_add(p->kw, p->val, &p->n, "user", cfg->username);
	kv_add(p->kw, p->val, &p->n, "password", cfg->password);
	kv_add(p->kw, p->val, &p->n, "sslmode", cfg->sslmode);
	if (cfg->connect_timeout > 0) {
		snprintf(p->timeout, sizeof p->timeout, "%d", cfg->connect_timeout);
		kv_add(p->kw, p->val, &p->n, "connect_timeout", p->timeout);
	}
	kv_add(p->kw, p->val, &p->n, "application_name", "vbadmin");
	kv_add(p->kw, p->val, &p->n, "client_encoding", "UTF8");
}

/* 1 = a libpq keyword, 0 = a server setting, -1 = a keyword the entry itself sets: config/
 * refuses these already; a later keyword would win in libpq, so never pass one. */
static int option_kind(const PQconninfoOption *known, const char *key)
{
	int is_libpq = 0;
	for (const PQconninfoOption *o = known; o && o->keyword; o++)
		if (strcmp(o->keyword, key) == 0)
			is_libpq = 1;
	static const char *const fixed[] = {"host", "hostaddr", "port", "dbname", "user", "password",
	                                    "passfile", "service", "sslmode", "requiressl"};
	for (size_t k = 0; is_libpq && k < sizeof fixed / sizeof fixed[0]; k++)
		if (strcmp(fixed[k], key) == 0)
			return -1;
	return is_libpq;
}

/* libpq's options string splits at spaces and reads backslash escapes, so a value is escaped. */
static void add_server_setting(struct vb_buf *b, const char *key, const char *value)
{
	vb_buf_printf(b, "%s-c %s=", b->len ? " " : "", key);
	for (const char *v = value; *v; v++) {
		if (*v == ' ' || *v == '\\')
			vb_buf_addc(b, '\\');
		vb_buf_addc(b, *v);
	}
}

/* backend options "k=v;k=v": libpq keywords (sslrootcert, target_session_attrs...) pass as
 * they are; anything else is a server setting (statement_timeout...) sent as -c k=v */
static int params_options(struct conn_params *p, const char *options, struct vb_error *err)
{
	p->opts = options ? vb_xstrdup(options) : NULL;
	PQconninfoOption *known = PQconndefaults();
	int st = VB_OK;
	for (char *save = NULL, *tok = p->opts ? strtok_r(p->opts, ";", &save) : NULL; tok;
	     tok = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			continue;
		*eq = '\0';
		while (*tok == ' ')
			tok++;
		int kind = option_kind(known, tok);
		if (kind < 0) {
			st = vb_err_set(err, VB_ERR_INVALID, "options may not set %s: it would override the connection "
			                                     "settings of the entry", tok);
			break;
		}
		if (kind)
			kv_add(p->kw, p->val, &p->n, tok, eq + 1);
		else
			add_server_setting(&p->server_opts, tok, eq + 1);
	}
	if (known)
		PQconninfoFree(known);
	if (st == VB_OK && p->server_opts.len)
		kv_add(p->kw, p->val, &p->n, "options", p->server_opts.data);
	return st;
}

static struct vb_handle *handle_new(PGconn *c, const struct vb_config *cfg)
{
	PQsetNoticeProcessor(c, ignore_notice, NULL);
	struct vb_handle *h = vb_xcalloc(1, sizeof *h);
	h->conn = c;
	h->cancel = PQgetCancel(c);
	h->schema = vb_xstrdup(cfg->schema && *cfg->schema ? cfg->schema : "public");
	h->qschema = pgv_ident(h, h->schema);
	h->ns = vb_xstrdup(cfg->namespace);
	h->dim = cfg->dim;
	h->ext_iterative = -1;
	return h;
}

int pgv_open(const struct vb_config *cfg, struct vb_handle **out, struct vb_error *err)
{
	*out = NULL;
	struct conn_params p = {.n = 0};
	vb_buf_init(&p.server_opts);
	params_entry(&p, cfg);
	int st = params_options(&p, cfg->options, err);
	if (st != VB_OK) {
		params_free(&p);
		return st;
	}
	p.kw[p.n] = NULL;
	p.val[p.n] = NULL;

	PGconn *c = PQconnectdbParams(p.kw, p.val, 0);
	params_free(&p);
	if (!c || PQstatus(c) != CONNECTION_OK) {
		connect_error(c, cfg, err);
		PQfinish(c);
		return VB_ERR_CONNECT;
	}
	*out = handle_new(c, cfg);
	return VB_OK;
}

void pgv_close(struct vb_handle **hp)
{
	if (!hp || !*hp)
		return;
	struct vb_handle *h = *hp;
	pgv_tables_free(h);
	if (h->cancel)
		PQfreeCancel(h->cancel);
	PQfinish(h->conn);
	free(h->schema);
	free(h->qschema);
	free(h->ns);
	free(h);
	*hp = NULL;
}

const char *pgv_version(void)
{
	static char buf[64];
	int v = PQlibVersion();
	snprintf(buf, sizeof buf, "pgvector plugin %s (libpq %d.%d)", PGV_PLUGIN_VERSION, v / 10000, v % 10000);
	return buf;
}

int pgv_cancel(struct vb_handle *h)
{
	char errbuf[256];
	if (!h || !h->cancel)
		return VB_ERR_INTERNAL;
	/* PQcancel is async-signal-safe and thread-safe: it only opens a socket and writes */
	return PQcancel(h->cancel, errbuf, sizeof errbuf) ? VB_OK : VB_ERR_CONNECT;
}

int pgv_socket_fd(struct vb_handle *h)
{
	return h && h->conn ? PQsocket(h->conn) : -1;
}

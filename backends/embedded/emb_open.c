/* backends/embedded/emb_open.c - the embedded backend's vtable, open/close, and the SQLite
 * helpers the other emb_*.c files share.
 *
 * Store layout: <data_dir>/<namespace>.db, WAL.  The file is created 0600 (SQLite gives its
 * -wal/-shm files the same mode), the directory 0700: a knowledge base may hold schema
 * descriptions and sample rows that are not for every local user. */
#include "embedded.h"
#include "emb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int emb_fail(struct vb_handle *h, int rc, struct vb_error *err, const char *what)
{
	const char *msg = h && h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc);
	int status;
	switch (rc & 0xff) {
	case SQLITE_INTERRUPT:
		status = VB_ERR_CANCELLED;
		msg = "cancelled";
		break;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		status = VB_ERR_IO;
		break;
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
		status = VB_ERR_INVALID;
		break;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		status = VB_ERR_SERVER;
		break;
	default:
		status = VB_ERR_INTERNAL;
		break;
	}
	if (status == VB_ERR_INTERNAL && strstr(msg, "no such "))
		status = VB_ERR_SCHEMA; /* the table on disk lacks something the spec has */
	/* SQLite's own limits on a statement (expression depth, compound terms, variables) are
	 * hit by an over-long --where: the input is too big, nothing is wrong with the store */
	int too_big = status == VB_ERR_INTERNAL && (strstr(msg, "too large") || strstr(msg, "too many"));
	if (too_big)
		status = VB_ERR_INVALID;
	vb_err_set(err, status, "%s: %s", what, msg);
	if (too_big)
		snprintf(err->hint, sizeof err->hint, "the filter is larger than the embedded store accepts; "
		                                      "use IN (...) instead of many OR terms, or split the query");
	if ((rc & 0xff) == SQLITE_BUSY)
		snprintf(err->hint, sizeof err->hint, "another process holds a write lock on %s; retry when it is done",
		         h && h->path ? h->path : "the store");
	if ((rc & 0xff) == SQLITE_FULL)
		snprintf(err->hint, sizeof err->hint, "free disk space where %s lives", h && h->path ? h->path : "the store");
	return status;
}

int emb_exec(struct vb_handle *h, const char *sql, struct vb_error *err)
{
	int rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? VB_OK : emb_fail(h, rc, err, "embedded store");
}

int emb_prepare(struct vb_handle *h, const char *sql, sqlite3_stmt **st, struct vb_error *err)
{
	int rc = sqlite3_prepare_v2(h->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK) {
		*st = NULL;
		return emb_fail(h, rc, err, "embedded store");
	}
	return VB_OK;
}

void emb_buf_qi(struct vb_buf *b, const char *ident)
{
	vb_buf_addc(b, '"');
	for (const char *p = ident; *p; p++) {
		if (*p == '"')
			vb_buf_addc(b, '"');
		vb_buf_addc(b, *p);
	}
	vb_buf_addc(b, '"');
}

char *emb_qi(const char *ident)
{
	struct vb_buf b;
	vb_buf_init(&b);
	emb_buf_qi(&b, ident);
	return vb_buf_steal(&b);
}

char *vb_embedded_data_dir(const struct vb_config *cfg)
{
	if (cfg && cfg->data_dir && *cfg->data_dir)
		return vb_xstrdup(cfg->data_dir);
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && *xdg == '/')
		return vb_xasprintf("%s/vbadmin", xdg);
	const char *home = getenv("HOME");
	return vb_xasprintf("%s/.local/share/vbadmin", home && *home ? home : ".");
}

static const char *ns_of(const struct vb_config *cfg)
{
	return cfg && cfg->namespace && *cfg->namespace ? cfg->namespace : "default";
}

char *vb_embedded_path(const struct vb_config *cfg)
{
	char *dir = vb_embedded_data_dir(cfg);
	char *path = vb_xasprintf("%s/%s.db", dir, ns_of(cfg));
	free(dir);
	return path;
}

/* The namespace becomes a file name: keep it to characters that cannot escape the directory. */
static int ns_valid(const char *ns)
{
	if (!*ns || *ns == '.' || strlen(ns) > 200)
		return 0;
	for (const char *p = ns; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-' || *p == '.'))
			return 0;
	return 1;
}

static int mkdir_p(const char *dir, struct vb_error *err)
{
	char *p = vb_xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			int e = errno;
			vb_err_set(err, VB_ERR_IO, "cannot create directory %s: %s", p, strerror(e));
			free(p);
			return VB_ERR_IO;
		}
		*s = '/';
	}
	int rc = VB_OK;
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		rc = vb_err_set(err, VB_ERR_IO, "cannot create directory %s: %s", p, strerror(errno));
	free(p);
	return rc;
}

/* The namespaces the data dir holds, "a, b" (sorted), or "none". */
static char *known_namespaces(const char *dir)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort);
	struct vb_buf b;
	vb_buf_init(&b);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(ents[i]->d_name);
		if (len > 3 && strcmp(ents[i]->d_name + len - 3, ".db") == 0 && ents[i]->d_name[0] != '.')
			vb_buf_printf(&b, "%s%.*s", b.len ? ", " : "", (int)(len - 3), ents[i]->d_name);
		free(ents[i]);
	}
	free(ents);
	if (!b.len)
		vb_buf_add(&b, "none");
	return vb_buf_steal(&b);
}

/* open_existing: a store file that is not there is a namespace nobody made (a typo, most likely);
 * say which ones exist instead of creating an empty one. */
static int refuse_missing(const char *dir, const char *ns, struct vb_error *err)
{
	char *path = vb_xasprintf("%s/%s.db", dir, ns);
	int there = access(path, F_OK) == 0;
	free(path);
	if (there)
		return VB_OK;
	char *known = known_namespaces(dir);
	vb_err_set(err, VB_ERR_INVALID, "no namespace %s in the embedded store at %s, known: %s", ns, dir, known);
	free(known);
	if (err)
		snprintf(err->hint, sizeof err->hint, "check the spelling of --namespace; nothing was created (a load, "
		         "`vbadmin bootstrap-kb --namespace %s ...`, creates a namespace)", ns);
	return VB_ERR_INVALID;
}

static void handle_free(struct vb_handle *h)
{
	if (!h)
		return;
	struct emb_table *t = h->tables;
	while (t) {
		struct emb_table *next = t->next;
		emb_vcache_clear(&t->vc);
		free(t->name);
		free(t);
		t = next;
	}
	if (h->db)
		sqlite3_close_v2(h->db);
	free(h->ns);
	free(h->path);
	free(h);
}

/* Backend options "k=v;k=v": nprobe=N, the IVF lists a search probes (0 = the default, lists/16).
 * Other keys belong to other backends sharing the namespace entry (libpq settings) and are left alone. */
static int parse_options(const char *opts, int *nprobe, int *timeout_ms, struct vb_error *err)
{
	*nprobe = 0;
	*timeout_ms = -1;
	char *copy = vb_xstrdup(opts ? opts : ""), *save = NULL;
	int rc = VB_OK;
	for (char *kv = strtok_r(copy, ";", &save); kv && rc == VB_OK; kv = strtok_r(NULL, ";", &save)) {
		char *end = NULL;
		while (*kv == ' ')
			kv++;
		if (strncmp(kv, "statement_timeout=", 18) == 0) {
			rc = emb_timeout_option(kv + 18, timeout_ms, err);
			continue;
		}
		if (strncmp(kv, "nprobe=", 7) != 0)
			continue;
		*nprobe = (int)strtol(kv + 7, &end, 10);
		if (*nprobe < 0 || end == kv + 7 || *end)
			rc = vb_err_set(err, VB_ERR_INVALID, "embedded store option '%s' is not nprobe=N (N >= 0)", kv);
	}
	free(copy);
	return rc;
}

static int sqlite_full(struct vb_handle *h, int src)
{
	return (src & 0xff) == SQLITE_FULL || (h->db && sqlite3_system_errno(h->db) == ENOSPC);
}

/* Why a store did not open, with what to do.  A full disk is space to free (VB_ERR_IO, exit 1,
 * as a full disk mid-load), not a store to reach; a file this open created is removed again
 * (while still empty), so a failed open leaves no <namespace>.db behind. */
static int open_failed(struct vb_handle *h, int created, int full, const char *why, int not_writable,
                       struct vb_error *err)
{
	int status = full ? VB_ERR_IO : VB_ERR_CONNECT;
	vb_err_set(err, status, "cannot open embedded store %s: %s", h->path, why);
	if (err && full)
		snprintf(err->hint, sizeof err->hint, "the file system holding %s has no free space left: free disk space "
		         "there, or set vbadmin.data_dir in agent.yml (or XDG_DATA_HOME) to a disk with room", h->path);
	else if (err && not_writable)
		snprintf(err->hint, sizeof err->hint, "vbadmin opens the store read-write, even to search; make the "
		         "data dir writable, or set vbadmin.data_dir in agent.yml (or XDG_DATA_HOME) to a writable one");
	if (h->db)
		sqlite3_close_v2(h->db);
	h->db = NULL;
	struct stat st;
	if (created && stat(h->path, &st) == 0 && st.st_size == 0) {
		unlink(h->path);
		char *side = vb_xasprintf("%s-wal", h->path);
		unlink(side);
		free(side);
		side = vb_xasprintf("%s-shm", h->path);
		unlink(side);
		free(side);
	}
	handle_free(h);
	return status;
}

/* Options, namespace and directory are settled before any file is touched. */
static int check_store(const struct vb_config *cfg, int *nprobe, int *timeout_ms, struct vb_error *err)
{
	if (parse_options(cfg->options, nprobe, timeout_ms, err) != VB_OK)
		return VB_ERR_INVALID;
	const char *ns = ns_of(cfg);
	if (!ns_valid(ns))
		return vb_err_set(err, VB_ERR_INVALID,
		                  "namespace '%s' cannot name an embedded store file: use letters, digits, '_', '-' "
		                  "and '.' (not first)", ns);
	char *dir = vb_embedded_data_dir(cfg);
	int rc = cfg->open_existing ? refuse_missing(dir, ns, err) : mkdir_p(dir, err);
	free(dir);
	return rc;
}

/* O_EXCL tells whether this open created the file, which a failed open then removes again.
 * On failure h is freed (open_failed). */
static int open_file(struct vb_handle *h, int *created, struct vb_error *err)
{
	*created = 0;
	int fd = open(h->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		*created = 1;
	else if (errno == EEXIST)
		fd = open(h->path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		return open_failed(h, 0, e == ENOSPC || e == EDQUOT, strerror(e),
		                   e == EROFS || e == EACCES || e == EPERM, err);
	}
	close(fd);
	return VB_OK;
}

/* On failure h is freed (open_failed). */
static int open_db(struct vb_handle *h, int created, int timeout_ms, struct vb_error *err)
{
	int src = sqlite3_open_v2(h->path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (src != SQLITE_OK) {
		char why[256];
		snprintf(why, sizeof why, "%s", h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(src));
		return open_failed(h, created, sqlite_full(h, src), why, 0, err);
	}
	sqlite3_busy_timeout(h->db, 5000);
	emb_timeout_init(h, timeout_ms);
	sqlite3_extended_result_codes(h->db, 0);
	/* journal_mode also proves the file is a database: a foreign file fails here, not later.
	 * case_sensitive_like makes LIKE behave as in PostgreSQL and LanceDB. */
	static const char setup_sql[] =
		"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA case_sensitive_like=ON;"
		"CREATE TABLE IF NOT EXISTS _vb_tables (name TEXT PRIMARY KEY, vector_column TEXT,"
		" dim INTEGER, fts_columns TEXT, created_at TEXT DEFAULT CURRENT_TIMESTAMP)";
	/* While another process switches a new file to WAL, SQLite reports BUSY at once instead of
	 * calling the busy handler (it would deadlock on the lock upgrade); wait for it here, as
	 * long as the busy timeout would have. */
	int tries = 0;
	while ((src = sqlite3_exec(h->db, setup_sql, NULL, NULL, NULL)) != SQLITE_OK &&
	       ((src & 0xff) == SQLITE_BUSY || (src & 0xff) == SQLITE_LOCKED) && tries++ < 250)
		usleep(20000);
	if (src != SQLITE_OK) {
		char why[256];
		snprintf(why, sizeof why, "%s", sqlite3_errmsg(h->db));
		return open_failed(h, created, sqlite_full(h, src), why, 0, err);
	}
	return VB_OK;
}

static int emb_open(const struct vb_config *cfg, struct vb_handle **out, struct vb_error *err)
{
	*out = NULL;
	int nprobe, timeout_ms;
	int rc = check_store(cfg, &nprobe, &timeout_ms, err);
	if (rc != VB_OK)
		return rc;
	struct vb_handle *h = vb_xcalloc(1, sizeof *h);
	h->ns = vb_xstrdup(ns_of(cfg));
	h->ivf_nprobe = nprobe;
	h->path = vb_embedded_path(cfg);
	atomic_init(&h->cancelled, 0);
	int created;
	if ((rc = open_file(h, &created, err)) != VB_OK || (rc = open_db(h, created, timeout_ms, err)) != VB_OK)
		return rc;
	*out = h;
	return VB_OK;
}

static void emb_close(struct vb_handle **h)
{
	if (!h || !*h)
		return;
	handle_free(*h);
	*h = NULL;
}

static const char *emb_version(void)
{
	/* the store format is ours; the SQLite version is what a bug report needs next to it */
	return "embedded 1 (SQLite " SQLITE_VERSION ")";
}

static void emb_result_free(struct vb_handle *h, struct vb_result **res)
{
	(void)h;
	vb_result_destroy(res);
}

static int emb_cancel(struct vb_handle *h)
{
	if (!h)
		return VB_ERR_INVALID;
	atomic_store(&h->cancelled, 1);
	sqlite3_interrupt(h->db);
	return VB_OK;
}

static int emb_socket_fd(struct vb_handle *h)
{
	(void)h;
	return -1;
}

const struct vb_ops vb_embedded_ops = {
	.abi_version = VB_ABI_VERSION,
	.ops_size = sizeof(struct vb_ops),
	.name = "embedded",
	.description = "built-in SQLite store: one file per namespace, FTS5 text search, int8/float32 scans and an IVF index",
	.caps = VB_CAP_VECTOR | VB_CAP_TEXT | VB_CAP_HYBRID | VB_CAP_NAMESPACED | VB_CAP_CREATES | VB_CAP_CANCEL |
	        VB_CAP_VECTOR_INDEX,
	.version = emb_version,
	.open = emb_open,
	.close = emb_close,
	.ensure_table = emb_ensure_table,
	.table_exists = emb_table_exists,
	.drop = emb_drop,
	.add = emb_add,
	.upsert = emb_upsert,
	.update = emb_update,
	.delete_where = emb_delete_where,
	.count = emb_count,
	.search_all = emb_search_all,
	.search_vector = emb_snap_search_vector,
	.search_text = emb_snap_search_text,
	.search_hybrid = emb_snap_search_hybrid,
	.result_free = emb_result_free,
	.create_index = emb_create_index,
	.query = NULL,
	.exec_script = NULL,
	.cancel = emb_cancel,
	.socket_fd = emb_socket_fd,
	.search_vector_exact = emb_snap_search_vector_exact,
	.search_path = emb_search_path,
	.txn_begin = emb_txn_begin,
	.txn_end = emb_txn_end,
	.set_search_timeout = emb_set_search_timeout,
};

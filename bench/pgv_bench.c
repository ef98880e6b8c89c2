/* bench/pgv_bench.c - vbadmin's pgvector plugin (loaded through backends/registry.h, exactly as
 * vbadmin loads it) against plain libpq on the same server, table and rows.
 *
 *   pgv_bench add    HOST PORT DB VECFILE N      one timed add slot (binary COPY in a transaction)
 *   pgv_bench upsert HOST PORT DB VECFILE N      one timed upsert slot over rows whose ids exist
 *   pgv_bench search HOST PORT DB QFILE NQ ROUNDS IDS_OUT SQL_OUT
 *                                                 search_vector top-10 vs a libpq loop of the same SQL
 *
 * The password comes from $PGPASSWORD.  Table bench_vec (namespace, id, name, vector(DIM)) with
 * UNIQUE (namespace, id) is made by bench/run.sh; rows go to namespace "bench".  Connect time is
 * never inside a timed region, on either side.  Output: "key value" lines on stdout. */
#include <libpq-fe.h>

#define BENCH_PROG "pgv_bench"
#include "bench_store.h"

#define DIM BENCH_DIM
#define TOPK 10

static const struct vb_column cols[] = {
	{"id", VB_T_TEXT, 0, "TEXT"},
	{"name", VB_T_TEXT, 0, "TEXT"},
	{"vector", VB_T_VECTOR, 0, "vector"},
};
static const struct vb_table_spec spec = {
	.name = "bench_vec",
	.columns = cols,
	.ncolumns = 3,
	.vector_column = "vector",
	.vector_dim = DIM,
	.key_column = "id",
	.namespaced = 1,
};

static PGconn *raw_connect(const char *host, const char *port, const char *db)
{
	const char *keys[] = {"host", "port", "dbname", "user", NULL};
	const char *vals[] = {host, port, db, "postgres", NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 0);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "pgv_bench: connect: %s", PQerrorMessage(c));
		exit(1);
	}
	return c;
}

static void raw_run(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "pgv_bench: %s: %s", sql, PQerrorMessage(c));
		exit(1);
	}
	PQclear(r);
}

static void plugin_open(const char *host, const char *port, const char *db, const struct vb_ops **ops,
                        struct vb_handle **h)
{
	struct vb_config cfg = {
		.backend = "pgvector",
		.host = host,
		.port = atoi(port),
		.database = db,
		.username = "postgres",
		.password = getenv("PGPASSWORD"),
		.schema = "public",
		.sslmode = "disable",
		.connect_timeout = 10,
		.namespace = "bench",
		.dim = DIM,
	};
	struct vb_error err = {0};
	bench_check(vb_registry_open(&cfg, ops, h, &err), &err, "open pgvector plugin");
}

/* id, name, vector per row, pointing into vecs and the two string arrays. */
struct rowset {
	struct vb_rows rows;
	struct vb_value *cells;
	char **ids, **names;
	size_t n;
};

static void rows_build(struct rowset *rs, const float *vecs, size_t n)
{
	static const char *const names[] = {"id", "name", "vector"};
	rs->n = n;
	rs->cells = vb_xcalloc(n * 3, sizeof *rs->cells);
	rs->ids = vb_xcalloc(n, sizeof *rs->ids);
	rs->names = vb_xcalloc(n, sizeof *rs->names);
	for (size_t i = 0; i < n; i++) {
		char id[32];
		bench_row_id(id, sizeof id, i);
		rs->ids[i] = vb_xstrdup(id);
		rs->names[i] = vb_xasprintf("vector %zu of the benchmark", i);
		struct vb_value *c = rs->cells + i * 3;
		c[0].type = VB_T_TEXT;
		c[0].u.s = rs->ids[i];
		c[1].type = VB_T_TEXT;
		c[1].u.s = rs->names[i];
		c[2].type = VB_T_VECTOR;
		c[2].u.vec.v = vecs + i * DIM;
		c[2].u.vec.dim = DIM;
	}
	rs->rows = (struct vb_rows){.ncols = 3, .cols = names, .nrows = n, .cells = rs->cells};
}

static void rows_free(struct rowset *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->ids[i]);
		free(rs->names[i]);
	}
	free(rs->ids);
	free(rs->names);
	free(rs->cells);
}

static int64_t plugin_count(const struct vb_ops *ops, struct vb_handle *h)
{
	struct vb_error err = {0};
	int64_t n = -1;
	bench_check(ops->count(h, &spec, NULL, &n, &err), &err, "count");
	return n;
}

static int cmd_write(int upsert, char **argv)
{
	size_t n;
	float *vecs = bench_read_vectors(argv[3], DIM, strtoull(argv[4], NULL, 10), &n);
	struct rowset rs;
	rows_build(&rs, vecs, n);
	PGconn *raw = raw_connect(argv[0], argv[1], argv[2]);
	const struct vb_ops *ops;
	struct vb_handle *h;
	plugin_open(argv[0], argv[1], argv[2], &ops, &h);
	struct vb_error err = {0};
	raw_run(raw, "TRUNCATE bench_vec");
	if (upsert)
		bench_check(ops->add(h, &spec, &rs.rows, &err), &err, "prefill");
	plugin_count(ops, h); /* the plugin reads the table's catalog once per handle: not timed */
	raw_run(raw, "CHECKPOINT");
	double t0 = bench_now_ms();
	int rc = upsert ? ops->upsert(h, &spec, &rs.rows, "id", &err) : ops->add(h, &spec, &rs.rows, &err);
	double ms = bench_now_ms() - t0;
	bench_check(rc, &err, upsert ? "upsert" : "add");
	int64_t cnt = plugin_count(ops, h);
	if (cnt != (int64_t)n) {
		fprintf(stderr, "pgv_bench: %zu rows written, table holds %lld\n", n, (long long)cnt);
		return 1;
	}
	printf("ms %.3f\nrows %zu\n", ms, n);
	ops->close(&h);
	PQfinish(raw);
	rows_free(&rs);
	free(vecs);
	return 0;
}

/* The SQL the plugin sent last, from the server's own view of its session. */
static char *last_sql(PGconn *raw, const char *pid)
{
	const char *params[] = {pid};
	PGresult *r = PQexecParams(raw, "SELECT query FROM pg_stat_activity WHERE pid = $1::int", 1, NULL, params, NULL,
	                           NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
		fprintf(stderr, "pgv_bench: cannot read the plugin's query: %s", PQerrorMessage(raw));
		exit(1);
	}
	char *sql = vb_xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return sql;
}

static double run_plugin(const struct vb_ops *ops, struct vb_handle *h, const float *qs, size_t nq, FILE *ids)
{
	struct vb_error err = {0};
	double t0 = bench_now_ms();
	for (size_t i = 0; i < nq; i++) {
		struct vb_result *res = NULL;
		bench_check(ops->search_vector(h, &spec, qs + i * DIM, DIM, TOPK, NULL, NULL, &res, &err), &err, "search_vector");
		if (ids) {
			int c = vb_result_col(res, "id");
			for (size_t r = 0; r < res->nrows; r++)
				fprintf(ids, "%s%s", r ? " " : "", vb_result_get(res, r, c));
			fputc('\n', ids);
		}
		ops->result_free(h, &res);
	}
	return bench_now_ms() - t0;
}

/* A plain libpq client: the same statement, the same parameters, every cell read once. */
static double run_libpq(PGconn *c, const char *sql, int nparams, const float *qs, size_t nq)
{
	double t0 = bench_now_ms();
	volatile double sink = 0;
	for (size_t i = 0; i < nq; i++) {
		char *v = vb_vector_to_text(qs + i * DIM, DIM);
		const char *params[] = {v, "bench"};
		PGresult *r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != TOPK) {
			fprintf(stderr, "pgv_bench: libpq loop: %s", PQerrorMessage(c));
			exit(1);
		}
		int nf = PQnfields(r);
		for (int row = 0; row < PQntuples(r); row++)
			for (int f = 0; f < nf; f++)
				sink += (double)strlen(PQgetvalue(r, row, f));
		sink += strtod(PQgetvalue(r, 0, nf - 1), NULL);
		PQclear(r);
		free(v);
	}
	(void)sink;
	return bench_now_ms() - t0;
}

static void print_plan(PGconn *c, const char *sql, int nparams, const float *q)
{
	char *v = vb_vector_to_text(q, DIM);
	const char *params[] = {v, "bench"};
	char *ex = vb_xasprintf("EXPLAIN %s", sql);
	PGresult *r = PQexecParams(c, ex, nparams, NULL, params, NULL, NULL, 0);
	const char *scan = "?";
	for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); i++)
		if (strstr(PQgetvalue(r, i, 0), "Scan")) {
			scan = PQgetvalue(r, i, 0);
			while (*scan == ' ' || *scan == '-' || *scan == '>')
				scan++;
			break;
		}
	printf("plan %s\n", scan);
	PQclear(r);
	free(ex);
	free(v);
}

static int cmd_search(char **argv)
{
	size_t nq;
	float *qs = bench_read_vectors(argv[3], DIM, strtoull(argv[4], NULL, 10), &nq);
	int rounds = atoi(argv[5]);
	PGconn *raw = raw_connect(argv[0], argv[1], argv[2]);
	PGconn *loop = raw_connect(argv[0], argv[1], argv[2]);
	const struct vb_ops *ops;
	struct vb_handle *h;
	plugin_open(argv[0], argv[1], argv[2], &ops, &h);
	struct vb_error err = {0};
	struct vb_result *res = NULL;
	bench_check(ops->query(h, "SELECT pg_backend_pid()", 0, NULL, &res, &err), &err, "pid");
	char *pid = vb_xstrdup(vb_result_get(res, 0, 0));
	ops->result_free(h, &res);
	run_plugin(ops, h, qs, 1, NULL); /* warm-up, and the statement to copy */
	char *sql = last_sql(raw, pid);
	int nparams = strstr(sql, "$2") ? 2 : 1;
	FILE *sf = fopen(argv[7], "w");
	if (!sf)
		bench_die(argv[7]);
	fprintf(sf, "%s\n", sql);
	fclose(sf);
	print_plan(raw, sql, nparams, qs);
	run_libpq(loop, sql, nparams, qs, 1);

	double *vb = vb_xcalloc((size_t)rounds, sizeof *vb), *pq = vb_xcalloc((size_t)rounds, sizeof *pq);
	FILE *ids = fopen(argv[6], "w");
	if (!ids)
		bench_die(argv[6]);
	for (int r = 0; r < rounds; r++) { /* interleaved, alternating who goes first */
		if (r % 2)
			pq[r] = (double)nq * 1000.0 / run_libpq(loop, sql, nparams, qs, nq);
		vb[r] = (double)nq * 1000.0 / run_plugin(ops, h, qs, nq, r == 0 ? ids : NULL);
		if (r % 2 == 0)
			pq[r] = (double)nq * 1000.0 / run_libpq(loop, sql, nparams, qs, nq);
	}
	fclose(ids);
	double *ratio = vb_xcalloc((size_t)rounds, sizeof *ratio);
	for (int r = 0; r < rounds; r++)
		ratio[r] = vb[r] / pq[r];
	printf("ratio %.4f\n", bench_median(ratio, (size_t)rounds));
	free(ratio);
	printf("vbadmin_qps %.1f\nlibpq_qps %.1f\nqueries %zu\nrounds %d\n", bench_median(vb, (size_t)rounds),
	       bench_median(pq, (size_t)rounds), nq, rounds);
	free(vb);
	free(pq);
	free(sql);
	free(pid);
	ops->close(&h);
	PQfinish(raw);
	PQfinish(loop);
	free(qs);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && (!strcmp(argv[1], "add") || !strcmp(argv[1], "upsert")))
		return cmd_write(!strcmp(argv[1], "upsert"), argv + 2);
	if (argc == 10 && !strcmp(argv[1], "search"))
		return cmd_search(argv + 2);
	fprintf(stderr, "usage: pgv_bench add|upsert HOST PORT DB VECFILE N\n"
	                "       pgv_bench search HOST PORT DB QFILE NQ ROUNDS IDS_OUT SQL_OUT\n");
	return 2;
}

/* bench/emb_bench.c - the embedded backend's exact scan, the machine's memory read bandwidth
 * and the hashing embedder, through the same code vbadmin runs (registry + kb/embed.h).
 *
 *   emb_bench fill DIR VECFILE N             store N vectors in DIR/bench.db via the add slot
 *   emb_bench scan DIR QFILE NQ ROUNDS IDS   search_vector top-10 per query, alternating with a
 *                                             read loop over the same number of bytes
 *   emb_bench membw MIB                       read bandwidth over a buffer of MIB MiB
 *   emb_bench embed N                         hashing embedder, N short texts, dim 384
 *
 * Output: "key value" lines on stdout. */
#include "../kb/embed.h"
#define BENCH_PROG "emb_bench"
#include "bench_store.h"

#define TOPK 10
#define BATCH 10000

static void store_open(const char *dir, const struct vb_ops **ops, struct vb_handle **h)
{
	struct vb_config cfg = {.backend = "embedded", .namespace = "bench", .data_dir = dir, .dim = BENCH_DIM};
	struct vb_error err = {0};
	bench_check(vb_registry_open(&cfg, ops, h, &err), &err, "open embedded store");
}

static int cmd_fill(char **argv)
{
	size_t n;
	float *vecs = bench_read_vectors(argv[1], BENCH_DIM, strtoull(argv[2], NULL, 10), &n);
	const struct vb_ops *ops;
	struct vb_handle *h;
	store_open(argv[0], &ops, &h);
	struct vb_error err = {0};
	bench_check(ops->ensure_table(h, &bench_vec_spec, &err), &err, "ensure_table");
	static const char *const names[] = {"id", "vector"};
	struct vb_value *cells = vb_xcalloc(BATCH * 2, sizeof *cells);
	char(*ids)[16] = vb_xcalloc(BATCH, sizeof *ids);
	double t0 = bench_now_ms();
	for (size_t at = 0; at < n; at += BATCH) {
		size_t m = n - at < BATCH ? n - at : BATCH;
		for (size_t i = 0; i < m; i++) {
			bench_row_id(ids[i], sizeof ids[i], at + i);
			cells[2 * i] = (struct vb_value){.type = VB_T_TEXT, .u.s = ids[i]};
			cells[2 * i + 1] = (struct vb_value){.type = VB_T_VECTOR, .u.vec = {vecs + (at + i) * BENCH_DIM, BENCH_DIM}};
		}
		struct vb_rows rows = {.ncols = 2, .cols = names, .nrows = m, .cells = cells};
		bench_check(ops->add(h, &bench_vec_spec, &rows, &err), &err, "add");
	}
	double ms = bench_now_ms() - t0;
	int64_t cnt = -1;
	bench_check(ops->count(h, &bench_vec_spec, NULL, &cnt, &err), &err, "count");
	if (cnt != (int64_t)n) {
		fprintf(stderr, "emb_bench: %zu rows added, store holds %lld\n", n, (long long)cnt);
		return 1;
	}
	printf("ms %.1f\nrows %zu\n", ms, n);
	ops->close(&h);
	free(ids);
	free(cells);
	free(vecs);
	return 0;
}

/* The bandwidth probe: sums every float of buf with AVX2 loads (four independent chains so the
 * adds never wait), the widest loads the product's own scan uses. */
#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
__attribute__((target("avx2"))) static float read_avx2(const float *buf, size_t n)
{
	__m256 a = _mm256_setzero_ps(), b = a, c = a, d = a;
	size_t i = 0;
	for (; i + 32 <= n; i += 32) {
		a = _mm256_add_ps(a, _mm256_load_ps(buf + i));
		b = _mm256_add_ps(b, _mm256_load_ps(buf + i + 8));
		c = _mm256_add_ps(c, _mm256_load_ps(buf + i + 16));
		d = _mm256_add_ps(d, _mm256_load_ps(buf + i + 24));
	}
	a = _mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, d));
	float out[8];
	_mm256_storeu_ps(out, a);
	float s = out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
	for (; i < n; i++)
		s += buf[i];
	return s;
}
#endif

static float read_all(const float *buf, size_t n)
{
#if defined(__GNUC__) && defined(__x86_64__)
	if (__builtin_cpu_supports("avx2"))
		return read_avx2(buf, n);
#endif
	float s = 0;
	for (size_t i = 0; i < n; i++)
		s += buf[i];
	return s;
}

static float *aligned_copy(const float *src, size_t n)
{
	void *p = NULL;
	if (posix_memalign(&p, 64, n * sizeof(float)) != 0)
		bench_die("out of memory");
	if (src)
		memcpy(p, src, n * sizeof(float));
	else
		for (size_t i = 0; i < n; i++)
			((float *)p)[i] = (float)(i & 1023) * 0.001f; /* real pages, not the shared zero page */
	return p;
}

/* One read pass in ms; the sum goes to a volatile so the loop cannot be dropped. */
static double time_read(const float *buf, size_t n)
{
	static volatile float sink;
	double t0 = bench_now_ms();
	sink += read_all(buf, n);
	return bench_now_ms() - t0;
}

static int cmd_scan(char **argv)
{
	size_t nq;
	float *qs = bench_read_vectors(argv[1], BENCH_DIM, strtoull(argv[2], NULL, 10), &nq);
	int rounds = atoi(argv[3]);
	const struct vb_ops *ops;
	struct vb_handle *h;
	store_open(argv[0], &ops, &h);
	double load_ms = bench_first_search(ops, h, qs, TOPK); /* reads every vector from SQLite into the scan cache */
	struct vb_error err = {0};
	struct vb_result *res = NULL;
	static const char *const sel[] = {"id", NULL};
	int64_t n = 0;
	bench_check(ops->count(h, &bench_vec_spec, NULL, &n, &err), &err, "count");

	/* the read loop's buffer: as many bytes as the scan reads, with real data in it */
	size_t nfloats = (size_t)n * BENCH_DIM;
	float *buf = aligned_copy(NULL, nfloats);
	time_read(buf, nfloats);

	FILE *ids = fopen(argv[4], "w");
	if (!ids)
		bench_die(argv[4]);
	size_t total = (size_t)rounds * nq;
	double *scan = vb_xcalloc(total, sizeof *scan), *rd = vb_xcalloc(total, sizeof *rd);
	size_t k = 0;
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < nq; i++, k++) {
			if (k % 2) /* alternate who goes first */
				rd[k] = time_read(buf, nfloats);
			const float *q = qs + i * BENCH_DIM;
			double t0 = bench_now_ms();
			bench_check(ops->search_vector(h, &bench_vec_spec, q, BENCH_DIM, TOPK, NULL, sel, &res, &err), &err,
			            "search");
			scan[k] = bench_now_ms() - t0;
			if (k % 2 == 0)
				rd[k] = time_read(buf, nfloats);
			if (r == 0) {
				for (size_t j = 0; j < res->nrows; j++)
					fprintf(ids, "%s%s", j ? " " : "", vb_result_get(res, j, 0));
				fputc('\n', ids);
			}
			if (res->nrows != TOPK) {
				fprintf(stderr, "emb_bench: %zu hits, %d wanted\n", res->nrows, TOPK);
				return 1;
			}
			ops->result_free(h, &res);
		}
	fclose(ids);
	double bytes = (double)nfloats * sizeof(float);
	double scan_ms = bench_median(scan, total), read_ms = bench_median(rd, total);
	printf("rows %lld\nload_ms %.1f\nscan_ms %.3f\nread_ms %.3f\nscan_gbs %.2f\nread_gbs %.2f\n", (long long)n,
	       load_ms, scan_ms, read_ms, bytes / scan_ms / 1e6, bytes / read_ms / 1e6);
	free(scan);
	free(rd);
	free(buf);
	ops->close(&h);
	free(qs);
	return 0;
}

static int cmd_membw(char **argv)
{
	size_t nfloats = strtoull(argv[0], NULL, 10) * 1024 * 1024 / sizeof(float);
	float *buf = aligned_copy(NULL, nfloats);
	double t[7];
	time_read(buf, nfloats);
	for (int i = 0; i < 7; i++)
		t[i] = time_read(buf, nfloats);
	double ms = bench_median(t, 7);
	printf("read_gbs %.2f\n", (double)nfloats * sizeof(float) / ms / 1e6);
	free(buf);
	return 0;
}

/* Short texts shaped like the semantic models' descriptions (35-70 bytes). */
static int cmd_embed(char **argv)
{
	size_t n = strtoull(argv[0], NULL, 10);
	static const char *const words[] = {"revenue", "orders", "customer", "monthly", "active", "users", "region",
	                                    "refund",  "rate",   "average",  "ticket",  "size",   "events", "segment"};
	char **texts = vb_xcalloc(n, sizeof *texts);
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++) {
		texts[i] = vb_xasprintf("%s %s of table %zu counting %s in %s %zu", words[i % 14], words[(i / 14) % 14],
		                        i % 997, words[(i / 7) % 14], words[(i / 3) % 14], i % 101);
		bytes += strlen(texts[i]);
	}
	float *out = vb_xmalloc(BENCH_DIM * sizeof *out);
	double t[5];
	volatile float sink = 0;
	for (int r = 0; r < 5; r++) {
		double t0 = bench_now_ms();
		for (size_t i = 0; i < n; i++) {
			embed_hashing(texts[i], strlen(texts[i]), BENCH_DIM, out);
			sink += out[i % BENCH_DIM];
		}
		t[r] = bench_now_ms() - t0;
	}
	printf("texts_per_s %.0f\navg_bytes %.1f\n", (double)n * 1000.0 / bench_median(t, 5), (double)bytes / (double)n);
	for (size_t i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(out);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "fill"))
		return cmd_fill(argv + 2);
	if (argc == 7 && !strcmp(argv[1], "scan"))
		return cmd_scan(argv + 2);
	if (argc == 3 && !strcmp(argv[1], "membw"))
		return cmd_membw(argv + 2);
	if (argc == 3 && !strcmp(argv[1], "embed"))
		return cmd_embed(argv + 2);
	fprintf(stderr, "usage: emb_bench fill DIR VECFILE N | scan DIR QFILE NQ ROUNDS IDS | membw MIB | embed N\n");
	return 2;
}

/* tests/integration/c/test_embed.c - hashing embedder properties, and the OpenAI-compatible HTTP
 * embedder against a real HTTP server on loopback (tests/integration/embed_server.py). */
#include <curl/curl.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "../kb/embed.h"
#include "../backends/vb_util.h"

static double dot(const float *a, const float *b, int dim)
{
	double s = 0;
	for (int i = 0; i < dim; i++)
		s += (double)a[i] * b[i];
	return s;
}

static double norm(const float *a, int dim)
{
	return sqrt(dot(a, a, dim));
}

static double cosine(const char *x, const char *y, int dim)
{
	float *a = vb_xmalloc((size_t)dim * sizeof *a), *b = vb_xmalloc((size_t)dim * sizeof *b);
	embed_hashing(x, strlen(x), dim, a);
	embed_hashing(y, strlen(y), dim, b);
	double c = dot(a, b, dim);
	free(a);
	free(b);
	return c;
}

static void hashing_vector(void)
{
	const int dim = 384;
	float a[384], b[384];
	const char *t = "Total order revenue in USD after discounts";
	embed_hashing(t, strlen(t), dim, a);
	embed_hashing(t, strlen(t), dim, b);
	ok(memcmp(a, b, sizeof a) == 0, "deterministic: same text, same vector");
	ok(fabs(norm(a, dim) - 1.0) < 1e-5, "L2 norm is 1 (%.7f)", norm(a, dim));
	int nonzero = 0;
	for (int i = 0; i < dim; i++)
		nonzero += a[i] != 0;
	ok(nonzero > 10, "features spread over many buckets (%d)", nonzero);
	int neg = 0;
	for (int i = 0; i < dim; i++)
		neg += a[i] < 0;
	ok(neg > 0 && neg < nonzero, "signed: some buckets negative (%d of %d)", neg, nonzero);

	const char *u = "TOTAL ORDER REVENUE in usd AFTER discounts";
	embed_hashing(u, strlen(u), dim, b);
	ok(memcmp(a, b, sizeof a) == 0, "lower-cased before hashing");

	const char *v = "Number of distinct customers";
	embed_hashing(v, strlen(v), dim, b);
	ok(memcmp(a, b, sizeof a) != 0, "different texts give different vectors");
}

/* what makes the hashing embedder usable offline: similar texts land near each other */
static void hashing_similarity(void)
{
	const int dim = 384;
	double near = cosine("total revenue of orders", "order revenue total", dim);
	double far = cosine("total revenue of orders", "customer signup country", dim);
	ok(near > far + 0.2, "similar texts are closer than unrelated ones (%.3f vs %.3f)", near, far);
	double typo = cosine("revenue", "revenues", dim);
	double other = cosine("revenue", "country", dim);
	ok(typo > other + 0.2, "character 3-grams: 'revenue'~'revenues' (%.3f) vs 'country' (%.3f)", typo, other);
	double order1 = cosine("order returned", "returned order", dim);
	ok(order1 < 0.999 && order1 > 0.5, "bigrams keep some word order (%.3f)", order1);
}

static void hashing_edges(void)
{
	const int dim = 384;
	float a[384], b[384];
	const char *t = "Total order revenue in USD after discounts";
	embed_hashing("", 0, dim, a);
	ok(fabs(norm(a, dim) - 1.0) < 1e-5, "empty text is a unit vector, not zero");
	embed_hashing("  ,;  ", 6, dim, b);
	ok(memcmp(a, b, sizeof a) == 0, "text without words embeds like the empty text");

	static const int dims[] = {1, 2, 7, 64, 768, 1536, 4096};
	for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
		float *x = vb_xmalloc((size_t)dims[i] * sizeof *x);
		embed_hashing(t, strlen(t), dims[i], x);
		ok(fabs(norm(x, dims[i]) - 1.0) < 1e-5, "dim %d: unit norm", dims[i]);
		free(x);
	}
}

/* through the handle: defaults, batches equal single calls */
static void hashing_handle(void)
{
	float a[384];
	const char *t = "Total order revenue in USD after discounts";
	struct embed_options o = {0};
	struct embedder *e;
	struct vb_error err;
	is_int(embedder_open(&o, &e, &err), VB_OK, "hashing opens with defaults");
	is_int(embedder_dim(e), 384, "default dim 384");
	is_str(embedder_kind(e), "hashing", "default kind");
	const char *texts[] = {t, NULL, "Number of distinct customers"};
	float *out = vb_xmalloc(3 * 384 * sizeof *out);
	is_int(embedder_embed(e, texts, 3, out, &err), VB_OK, "embed 3 texts");
	embed_hashing(texts[2], strlen(texts[2]), 384, a);
	ok(memcmp(out + 2 * 384, a, sizeof a) == 0, "row 2 equals the single-text embedding");
	embed_hashing("", 0, 384, a);
	ok(memcmp(out + 384, a, sizeof a) == 0, "NULL text embeds as \"\"");
	free(out);
	embedder_close(&e);
	ok(e == NULL, "close clears the handle");

	o.kind = "word2vec";
	is_int(embedder_open(&o, &e, &err), VB_ERR_INVALID, "unknown embedder refused");
	has_str(err.hint, "hashing", "hint lists the embedders");
	o.kind = "openai";
	is_int(embedder_open(&o, &e, &err), VB_ERR_INVALID, "openai without base_url refused");
	has_str(err.message, "needs a base URL", "names the missing setting");
}

static void test_hashing(void)
{
	hashing_vector();
	hashing_similarity();
	hashing_edges();
	hashing_handle();
}

static void test_hashing_speed(void)
{
	enum { N = 200000 };
	static const char *const words[] = {"order", "revenue", "customer", "total", "count", "status", "date",
	                                    "returned", "country", "channel", "amount", "usd", "first", "signup"};
	char (*texts)[64] = vb_xmalloc(N * sizeof *texts);
	for (int i = 0; i < N; i++)
		snprintf(texts[i], 64, "%s %s of the %s %s", words[i % 14], words[(i / 14) % 14], words[(i / 196) % 14],
		         words[(i * 7) % 14]);
	float v[384];
	volatile float sink = 0;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < N; i++) {
		embed_hashing(texts[i], strlen(texts[i]), 384, v);
		sink += v[i % 384];
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	double rate = N / s;
	printf("# hashing embedder: %d short texts in %.3f s = %.0f texts/s (dim 384, this build)\n", N, s, rate);
	/* the >= 50k/s target is for the optimised build (make bench); sanitizers cost ~5-10x */
	ok(rate > 10000, "hashing is fast even in this build (%.0f texts/s)", rate);
	free(texts);
}

/* ---------------------------------------------------------------- the HTTP server */

static pid_t server_pid;
static int server_port;
static int server_lists; /* started with --lists: number lists even when base64 is asked */

static int start_server(int lists)
{
	server_lists = lists;
	const char *script = "tests/integration/embed_server.py";
	if (access(script, R_OK) != 0) {
		printf("# %s not found (run from the repository root)\n", script);
		return -1;
	}
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	pid_t ppid = getpid();
	server_pid = fork();
	if (server_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the test */
		if (getppid() != ppid)
			_exit(1);
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execl("/usr/bin/python3", "python3", script, lists ? "--lists" : "--key=test-key", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	char line[32] = {0};
	ssize_t n = 0, r;
	while (n < (ssize_t)sizeof line - 1 && (r = read(fd[0], line + n, 1)) == 1 && line[n] != '\n')
		n++;
	close(fd[0]);
	server_port = atoi(line);
	return server_port > 0 ? 0 : -1;
}

static void stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		int status;
		waitpid(server_pid, &status, 0);
		server_pid = 0;
	}
}

static size_t grab(char *p, size_t s, size_t n, void *ctx)
{
	vb_buf_addn(ctx, p, s * n);
	return s * n;
}

/* The server's record (GET path) for model, e.g. "[32, 32, 6]" of /stats. */
static char *server_list(const char *path, const char *model)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "");
	CURL *c = curl_easy_init();
	char *url = vb_xasprintf("http://127.0.0.1:%d%s", server_port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grab);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	free(url);
	char *key = vb_xasprintf("\"%s\": ", model);
	char *p = strstr(b.data, key), *res;
	if (p) {
		p += strlen(key);
		res = vb_xstrndup(p, strcspn(p, "]") + 1);
	} else {
		res = vb_xstrdup("none");
	}
	free(key);
	vb_buf_free(&b);
	return res;
}

/* The server's record of batch sizes per model. */
static char *stats_for(const char *model)
{
	return server_list("/stats", model);
}

static struct embed_options http_opts(const char *model, int dim)
{
	static char base[64];
	snprintf(base, sizeof base, "http://127.0.0.1:%d/v1/", server_port);
	struct embed_options o = {0};
	o.kind = "openai";
	o.dim = dim;
	o.base_url = base;
	o.model = model;
	o.api_key = "test-key";
	o.batch_size = 32;
	o.timeout_ms = 5000;
	o.backoff_ms = 20;
	return o;
}

/* Text i of run(): lengths differ, so a vector's first number tells which text it answers. */
static char *text_for(size_t i)
{
	return vb_xasprintf("text %zu %.*s", i, (int)(i % 7), "xxxxxxx");
}

static int run(struct embed_options *o, size_t n, float **out, struct vb_error *err)
{
	struct embedder *e;
	int st = embedder_open(o, &e, err);
	if (st)
		return st;
	const char **texts = vb_xmalloc(n * sizeof *texts);
	char **owned = vb_xmalloc(n * sizeof *owned);
	for (size_t i = 0; i < n; i++)
		texts[i] = owned[i] = text_for(i);
	*out = vb_xcalloc(n * (size_t)embedder_dim(e), sizeof **out);
	st = embedder_embed(e, texts, n, *out, err);
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	free(owned);
	free(texts);
	embedder_close(&e);
	return st;
}

/* The server answers [len(text), position in its batch, 0.5 ...] in reverse order: 1 when each of
 * run()'s n vectors landed at its own text's index. */
static int placed_by_index(const float *out, int n, int dim, int batch)
{
	int placed = 1;
	for (int i = 0; i < n; i++) {
		char *t = text_for((size_t)i);
		placed &= out[i * dim] == (float)strlen(t) && out[i * dim + 1] == (float)(i % batch) &&
		          out[i * dim + dim - 1] == 0.5f;
		free(t);
	}
	return placed;
}

/* The batch sizes the server saw for model, in the order it saw them. */
static void batches_are(const char *model, const char *want, const char *name)
{
	char *s = stats_for(model);
	is_str(s, want, "%s", name);
	free(s);
}

static void http_ok_batches(void)
{
	struct vb_error err;
	float *out;
	struct embed_options o = http_opts("ok:6", 6);

	is_int(run(&o, 70, &out, &err), VB_OK, "ok: 70 texts embedded (%s)", err.message);
	ok(placed_by_index(out, 70, 6, 32), "vectors placed by their index, batch by batch");
	free(out);
	char *s = stats_for("ok:6");
	/* batches are in flight together, so the server may see them in any order */
	ok(!strcmp(s, "[32, 32, 6]") || !strcmp(s, "[32, 6, 32]") || !strcmp(s, "[6, 32, 32]"),
	   "batched by batch_size 32: %s", s);
	free(s);
	/* openai-python's embeddings.create asks for base64 when its caller names no encoding
	 * (Datus names none); the server answers base64 unless started with --lists */
	s = server_list("/encodings", "ok:6");
	is_str(s, "[\"base64\", \"base64\", \"base64\"]", "every request asks for base64 (%s answers)",
	       server_lists ? "list" : "base64");
	free(s);
}

/* Infinity and NaN would be stored as vectors no search can rank: refused with the dimension */
static void http_bad_numbers(void)
{
	struct vb_error err;
	float *out;
	struct embed_options o = http_opts("huge:4", 4);
	is_int(run(&o, 2, &out, &err), VB_ERR_SERVER, "+-1e39 (Infinity as float32) refused");
	free(out);
	has_str(err.message, "returned Infinity in dimension 2 of the vector for text 1", "Infinity named");
	o = http_opts("nan:4", 4);
	is_int(run(&o, 2, &out, &err), VB_ERR_SERVER, "NaN refused");
	free(out);
	/* a list cannot carry NaN in JSON: the bare NaN Python writes is unreadable */
	has_str(err.message, server_lists ? "unreadable embedding response" : "returned NaN in dimension 2",
	        "NaN: %s", server_lists ? "the list is not JSON" : "named");
}

/* 429 is retried; a server failing every try is given up on after 4, naming code and tries */
static void http_retries(void)
{
	struct vb_error err;
	float *out;
	struct embed_options o = http_opts("flaky429:4", 4);
	is_int(run(&o, 3, &out, &err), VB_OK, "429 then ok succeeds (%s)", err.message);
	free(out);
	batches_are("flaky429:4", "[3, 3]", "one retry after 429");

	o = http_opts("fail500:4", 4);
	is_int(run(&o, 2, &out, &err), VB_ERR_SERVER, "500 x4 fails");
	free(out);
	has_str(err.message, "answered HTTP 500 4 times in a row: internal failure", "message names code, tries, server text");
	batches_are("fail500:4", "[2, 2, 2, 2]", "exactly 4 tries");
}

/* a rejected key is a connection failure, and the key never reaches the error text */
static void http_api_key(void)
{
	struct vb_error err;
	float *out;
	struct embed_options o = http_opts("ok:4", 4);
	o.api_key = "wrong-secret-key-123";
	is_int(run(&o, 1, &out, &err), VB_ERR_CONNECT, "401 -> cannot connect with that key (as a refused password)");
	free(out);
	has_str(err.message, "rejected the API key (HTTP 401)", "401 message");
	ok(!strstr(err.message, "wrong-secret-key-123") && !strstr(err.hint, "wrong-secret-key-123") &&
	       !strstr(err.detail, "wrong-secret-key-123"),
	   "the key is never in the error (server echoed it)");
	has_str(err.message, "***", "echoed key redacted");
	has_str(err.hint, "api_key in agent.yml", "hint names the setting");
	o.api_key = NULL;
	is_int(run(&o, 1, &out, &err), VB_ERR_CONNECT, "no key -> 401");
	free(out);
	has_str(err.hint, "no API key was sent", "hint says no key was sent");
}

static void http_not_found(void)
{
	struct vb_error err;
	float *out;
	struct embed_options o = http_opts("ok:4", 4);
	char base[64];
	snprintf(base, sizeof base, "http://127.0.0.1:%d/api", server_port);
	o.base_url = base;
	is_int(run(&o, 1, &out, &err), VB_ERR_NOT_FOUND, "404 -> not found");
	free(out);
	has_str(err.message, "/api/embeddings not found (HTTP 404)", "404 names the URL");
	has_str(err.hint, "/v1", "hint suggests /v1");
}

/* a dimension or a vector count other than asked is refused before anything is stored */
static void http_wrong_answers(void)
{
	struct vb_error err;
	float *out;
	struct embed_options o = http_opts("wrongdim:4", 4);
	is_int(run(&o, 2, &out, &err), VB_ERR_SCHEMA, "wrong dimension refused");
	free(out);
	has_str(err.message, "returns 5-dimensional vectors, not 4", "names both dims");
	has_str(err.hint, "need 4 dimensions", "hint says what the store needs");
	{
		struct embedder *e;
		is_int(embedder_open(&o, &e, &err), VB_OK, "wrongdim: opens (nothing is sent before the probe)");
		is_int(embedder_probe(e, &err), VB_ERR_SCHEMA, "the probe finds the wrong dimension with one request");
		is_int(embedder_served_dim(e), 5, "and reports the server's actual dimension");
		embedder_close(&e);
	}

	o = http_opts("short:4", 4);
	is_int(run(&o, 3, &out, &err), VB_ERR_SERVER, "fewer vectors than texts refused");
	free(out);
	is_str(err.message, "Embedding count mismatch: expected 3 got 2", "spec's count message");
}

static void http_timeout_cancel(void)
{
	struct vb_error err;
	float *out;
	struct embed_options o = http_opts("slow:4", 4);
	o.timeout_ms = 300;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	is_int(run(&o, 1, &out, &err), VB_ERR_CONNECT, "slow server -> timeout");
	clock_gettime(CLOCK_MONOTONIC, &b);
	free(out);
	has_str(err.message, "timed out after 300 ms", "timeout named");
	ok(b.tv_sec - a.tv_sec < 3, "gave up at the timeout, not after the server answered");

	atomic_int cancel = 1;
	o = http_opts("ok:4", 4);
	o.cancel = &cancel;
	is_int(run(&o, 1, &out, &err), VB_ERR_CANCELLED, "cancel flag stops the request");
	free(out);
}

static void test_http(void)
{
	http_ok_batches();
	http_bad_numbers();
	http_retries();
	http_api_key();
	http_not_found();
	http_wrong_answers();
	http_timeout_cancel();
}

/* Most requests of model the server saw in progress at once. */
static int inflight_for(const char *model)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "");
	CURL *c = curl_easy_init();
	char *url = vb_xasprintf("http://127.0.0.1:%d/inflight", server_port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grab);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	free(url);
	char *key = vb_xasprintf("\"%s\": ", model);
	char *p = strstr(b.data, key);
	int n = p ? atoi(p + strlen(key)) : 0;
	free(key);
	vb_buf_free(&b);
	return n;
}

static void test_in_flight(void)
{
	struct vb_error err;
	float *out;
	struct embed_options o = http_opts("slowish:4", 4);
	o.batch_size = 8;
	o.parallel = 3;
	is_int(run(&o, 48, &out, &err), VB_OK, "slowish: 48 texts in 6 batches");
	ok(placed_by_index(out, 48, 4, 8), "every batch's vectors land at its own offset whatever order the answers come in");
	free(out);
	batches_are("slowish:4", "[8, 8, 8, 8, 8, 8]", "batches of the configured size");
	int most = inflight_for("slowish:4");
	ok(most >= 2 && most <= 3, "requests overlap: %d in flight at once (parallel 3)", most);

	o = http_opts("drop:4", 4);
	is_int(run(&o, 5, &out, &err), VB_OK, "a dropped connection is retried");
	free(out);
	batches_are("drop:4", "[5, 5]", "one retry after the drop");

	o = http_opts("fail500:4", 4);
	o.parallel = 4;
	o.batch_size = 2;
	is_int(run(&o, 20, &out, &err), VB_ERR_SERVER, "a failing batch among many stops the whole call");
	free(out);
}

static void test_refused(void)
{
	/* a port nobody listens on: bind, read the port, close */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {0};
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof sa;
	bind(fd, (struct sockaddr *)&sa, sizeof sa);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	close(fd);
	char base[64];
	snprintf(base, sizeof base, "http://user:pw@127.0.0.1:%d/v1", ntohs(sa.sin_port));
	struct embed_options o = {0};
	o.kind = "openai";
	o.dim = 4;
	o.base_url = base;
	o.model = "m";
	o.api_key = "k-secret";
	struct vb_error err;
	float *out;
	is_int(run(&o, 1, &out, &err), VB_ERR_CONNECT, "connection refused -> connect error");
	free(out);
	has_str(err.message, "cannot connect to the embedding server at http://127.0.0.1:", "message names the server");
	ok(!strstr(err.message, "pw@"), "URL credentials are not printed");
	has_str(err.hint, "start the server that serves m", "hint");
}

int main(void)
{
	test_hashing();
	test_hashing_speed();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_refused();
	for (int lists = 0; lists <= 1; lists++) { /* answers in base64, then number lists */
		int started = start_server(lists) == 0;
		if (ok(started, "test HTTP server (%s answers) started on loopback (port %d)", lists ? "list" : "base64",
		       server_port)) {
			test_http();
			test_in_flight();
		}
		stop_server();
		ok(server_pid == 0, "test HTTP server stopped");
	}
	curl_global_cleanup();
	return tap_done();
}

/* kb/embed_openai.c - OpenAI-compatible /embeddings client over libcurl's multi interface.
 * The texts are cut into batches of batch_size; up to `parallel` batches are in flight at once
 * (one easy handle per slot, connections kept alive between calls), each retried on 429/5xx
 * and dropped connections with exponential backoff.  Answers are placed by batch offset, so the
 * order in which they arrive does not matter.  The JSON is embed_json.c's and embed_answer.c's
 * job (jansson for the request, json-c and libcrypto's base64 for the answer). */
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../backends/vb_util.h"
#include "embed_impl.h"
#include "embed_json.h"

#define MAX_RESPONSE (64u << 20)
#define MAX_RETRY_AFTER_MS 30000
#define POLL_MS 50 /* how often a wait looks at the cancel flag */

struct slot {
	CURL *curl;
	struct vb_buf body, resp;
	char errbuf[CURL_ERROR_SIZE];
	long retry_after_ms;
	size_t first, count; /* the batch: texts[first .. first+count) */
	int tries;
	double not_before;   /* monotonic ms: a retry waits for its backoff */
	enum { SLOT_IDLE, SLOT_WAITING, SLOT_RUNNING } state;
};

struct oai {
	CURLM *multi;
	struct slot *slots;
	int nslots;
	struct curl_slist *hdr;
	char *url;      /* {base_url}/embeddings */
	char *display;  /* url without user:password@ */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;

static void curl_init_once(void)
{
	curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The URL without credentials, for messages. */
static char *url_display(const char *url)
{
	const char *scheme = strstr(url, "://");
	const char *host = scheme ? scheme + 3 : url;
	const char *slash = strchr(host, '/');
	const char *at = strchr(host, '@');
	if (!at || (slash && at > slash))
		return vb_xstrdup(url);
	return vb_xasprintf("%.*s%s", (int)(host - url), url, at + 1);
}

static int need(const char *value, const char *what, const char *hint, struct vb_error *err)
{
	if (value && *value)
		return VB_OK;
	vb_err_set(err, VB_ERR_INVALID, "the HTTP embedder needs %s", what);
	snprintf(err->hint, sizeof err->hint, "%s", hint);
	return VB_ERR_INVALID;
}

static struct curl_slist *headers(const char *api_key)
{
	struct curl_slist *hdr = NULL;
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, "Accept: application/json");
	/* no "Expect: 100-continue" round trip before each body: these servers answer at once */
	hdr = curl_slist_append(hdr, "Expect:");
	if (api_key && *api_key) {
		char *auth = vb_xasprintf("Authorization: Bearer %s", api_key);
		hdr = curl_slist_append(hdr, auth);
		memset(auth, 0, strlen(auth)); /* the list keeps its own copy */
		free(auth);
	}
	return hdr;
}

static int oai_open(struct embedder *e, struct vb_error *err)
{
	int st = need(e->base_url, "a base URL", "name the OpenAI-compatible server, e.g. https://api.openai.com/v1 or "
	                                         "http://127.0.0.1:8080/v1 (docs/embeddings.md)", err);
	if (!st)
		st = need(e->model, "a model name", "set the embedding model name, e.g. text-embedding-3-small or "
		                                    "all-MiniLM-L6-v2", err);
	if (st)
		return st;
	pthread_once(&curl_once, curl_init_once);
	if (!curl_ok)
		return vb_err_set(err, VB_ERR_INTERNAL, "cannot initialise libcurl");
	struct oai *o = vb_xcalloc(1, sizeof *o);
	o->multi = curl_multi_init();
	o->nslots = e->opt.parallel;
	o->slots = vb_xcalloc((size_t)o->nslots, sizeof *o->slots);
	for (int i = 0; i < o->nslots; i++) {
		o->slots[i].curl = curl_easy_init();
		vb_buf_init(&o->slots[i].body);
		vb_buf_init(&o->slots[i].resp);
	}
	e->priv = o;
	for (int i = 0; i < o->nslots; i++)
		if (!o->slots[i].curl || !o->multi)
			return vb_err_set(err, VB_ERR_INTERNAL, "cannot initialise libcurl");
	o->hdr = headers(e->api_key);
	size_t n = strlen(e->base_url);
	while (n && e->base_url[n - 1] == '/')
		n--;
	o->url = vb_xasprintf("%.*s/embeddings", (int)n, e->base_url);
	o->display = url_display(o->url);
	e->describe = vb_xasprintf("%s at %s (%d dimensions)", e->label ? e->label : e->model, o->display, e->opt.dim);
	return VB_OK;
}

static void oai_close(struct embedder *e)
{
	struct oai *o = e->priv;
	if (!o)
		return;
	for (int i = 0; i < o->nslots; i++) {
		struct slot *s = &o->slots[i];
		if (s->state == SLOT_RUNNING)
			curl_multi_remove_handle(o->multi, s->curl);
		if (s->curl)
			curl_easy_cleanup(s->curl);
		vb_buf_free(&s->body);
		vb_buf_free(&s->resp);
	}
	free(o->slots);
	if (o->multi)
		curl_multi_cleanup(o->multi);
	curl_slist_free_all(o->hdr); /* holds the key: the slist frees its copy */
	free(o->url);
	free(o->display);
	free(o);
	e->priv = NULL;
}

/* ---------------------------------------------------------------- one request */

static size_t on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct slot *s = ctx;
	size_t n = size * nmemb;
	if (s->resp.len + n > MAX_RESPONSE)
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	vb_buf_addn(&s->resp, p, n);
	return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct slot *s = ctx;
	size_t n = size * nmemb;
	static const char h[] = "retry-after:";
	if (n > sizeof h && !strncasecmp(p, h, sizeof h - 1)) {
		long sec = strtol(p + sizeof h - 1, NULL, 10); /* HTTP-date form is ignored */
		if (sec > 0)
			s->retry_after_ms = sec * 1000 > MAX_RETRY_AFTER_MS ? MAX_RETRY_AFTER_MS : sec * 1000;
	}
	return n;
}

static void start(struct embedder *e, struct slot *s)
{
	struct oai *o = e->priv;
	CURL *c = s->curl;
	vb_buf_reset(&s->resp);
	s->retry_after_ms = 0;
	s->errbuf[0] = '\0';
	s->tries++;
	curl_easy_reset(c); /* keeps the connection cache */
	curl_easy_setopt(c, CURLOPT_URL, o->url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, s->body.data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->body.len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, o->hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(c, CURLOPT_PRIVATE, s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)e->opt.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(e->opt.timeout_ms < 10000 ? e->opt.timeout_ms : 10000));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "vbadmin");
	curl_multi_add_handle(o->multi, c);
	s->state = SLOT_RUNNING;
}

/* A failure no HTTP status came with. */
static int transport_error(const struct embedder *e, const struct slot *s, CURLcode rc, struct vb_error *err)
{
	const struct oai *o = e->priv;
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		vb_err_set(err, VB_ERR_CONNECT, "embedding request to %s timed out after %d ms", o->display,
		           e->opt.timeout_ms);
		snprintf(err->hint, sizeof err->hint, "the embedding server did not answer in time: check that it is up and "
		                                      "not overloaded, or lower the batch size");
		return VB_ERR_CONNECT;
	case CURLE_COULDNT_CONNECT:
		vb_err_set(err, VB_ERR_CONNECT, "cannot connect to the embedding server at %s: %s", o->display,
		           s->errbuf[0] ? s->errbuf : "connection refused");
		snprintf(err->hint, sizeof err->hint, "start the server that serves %s (docs/embeddings.md), or fix its URL",
		         e->label ? e->label : e->model);
		return VB_ERR_CONNECT;
	case CURLE_COULDNT_RESOLVE_HOST:
		vb_err_set(err, VB_ERR_CONNECT, "cannot resolve the embedding server host of %s", o->display);
		snprintf(err->hint, sizeof err->hint, "fix the host name in the embedding server's URL");
		return VB_ERR_CONNECT;
	case CURLE_WRITE_ERROR:
		return vb_err_set(err, VB_ERR_SERVER, "embedding response from %s is larger than %u MB", o->display,
		                  MAX_RESPONSE >> 20);
	default:
		return vb_err_set(err, VB_ERR_CONNECT, "embedding request to %s failed: %s", o->display,
		                  s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
	}
}

static int http_error(const struct embedder *e, const struct slot *s, long code, struct vb_error *err)
{
	const struct oai *o = e->priv;
	char *msg = embed_json_message(s->resp.data, e->api_key);
	const char *sep = *msg ? ": " : "";
	int st;
	if (code == 401 || code == 403) {
		st = vb_err_set(err, VB_ERR_CONNECT, "embedding server %s rejected the API key (HTTP %ld)%s%s",
		                o->display, code, sep, msg);
		snprintf(err->hint, sizeof err->hint, "%s",
		         e->api_key && *e->api_key
		             ? "check the api_key in agent.yml (usually ${SOME_ENV_VAR}): the variable must hold a valid key "
		               "for this server"
		             : "no API key was sent: set api_key in agent.yml, e.g. api_key: ${OPENAI_API_KEY}");
	} else if (code == 404) {
		st = vb_err_set(err, VB_ERR_NOT_FOUND, "embedding endpoint %s not found (HTTP 404)%s%s", o->display, sep,
		                msg);
		snprintf(err->hint, sizeof err->hint,
		         "check the base URL (OpenAI-compatible servers usually end in /v1, e.g. http://127.0.0.1:8080/v1) "
		         "and that the model '%.100s' exists on the server",
		         e->model);
	} else if (code == 429 || code >= 500) {
		st = vb_err_set(err, VB_ERR_SERVER, "embedding server %s answered HTTP %ld %d times in a row%s%s", o->display,
		                code, s->tries, sep, msg);
		snprintf(err->hint, sizeof err->hint, "%s",
		         code == 429 ? "the server is rate limiting: wait, lower the batch size, or raise your quota"
		                     : "the embedding server is failing: check its logs, then run the command again");
	} else {
		st = vb_err_set(err, code >= 400 && code < 500 ? VB_ERR_INVALID : VB_ERR_SERVER,
		                "embedding server %s answered HTTP %ld%s%s", o->display, code, sep, msg);
		snprintf(err->hint, sizeof err->hint, "check the model name '%.100s' and that the server speaks the OpenAI "
		                                      "embeddings API",
		         e->model);
	}
	free(msg);
	return st;
}

/* Reads a 200 answer into out (the batch's rows). */
static int take_vectors(struct embedder *e, const struct slot *s, float *out, struct vb_error *err)
{
	const struct oai *o = e->priv;
	struct embed_json_stats js;
	if (embed_json_vectors(s->resp.data, s->count, e->opt.dim, out, &js) < 0) {
		char *msg = embed_json_message(s->resp.data, e->api_key);
		int st = vb_err_set(err, VB_ERR_SERVER, "unreadable embedding response from %s: %s", o->display, msg);
		free(msg);
		return st;
	}
	if (js.bad_dim) {
		e->served_dim = js.bad_dim < 0 ? 0 : js.bad_dim;
		vb_err_set(err, VB_ERR_SCHEMA, "embedding model '%s' at %s returns %d-dimensional vectors, not %d", e->model,
		           o->display, e->served_dim, e->opt.dim);
		snprintf(err->hint, sizeof err->hint,
		         "the store and its record need %d dimensions: serve a model that returns %d, or rebuild the "
		         "knowledge base for a %d-dimensional model (docs/embeddings.md)",
		         e->opt.dim, e->opt.dim, e->served_dim);
		return VB_ERR_SCHEMA;
	}
	e->served_dim = e->opt.dim;
	if (!js.complete)
		return vb_err_set(err, VB_ERR_SERVER, "Embedding count mismatch: expected %zu got %zu", s->count, js.items);
	return VB_OK;
}

/* ---------------------------------------------------------------- the request window */

static int retryable_transport(CURLcode rc)
{
	return rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR || rc == CURLE_PARTIAL_FILE;
}

/* A finished request: done (VB_OK, slot idle), scheduled for retry, or an error. */
static int finish(struct embedder *e, struct slot *s, CURLcode rc, float *out, struct vb_error *err)
{
	struct oai *o = e->priv;
	curl_multi_remove_handle(o->multi, s->curl);
	vb_buf_add(&s->resp, ""); /* always NUL-terminated, even when empty */
	s->state = SLOT_IDLE;
	long code = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code == 200)
		return take_vectors(e, s, out + s->first * (size_t)e->opt.dim, err);
	int again = rc == CURLE_OK ? code == 429 || code >= 500 : retryable_transport(rc);
	if (again && s->tries < e->opt.max_tries) {
		double delay = (double)((long)e->opt.backoff_ms << (s->tries - 1));
		if (s->retry_after_ms > delay)
			delay = (double)s->retry_after_ms;
		s->not_before = now_ms() + delay;
		s->state = SLOT_WAITING;
		return VB_OK;
	}
	return rc == CURLE_OK ? http_error(e, s, code, err) : transport_error(e, s, rc, err);
}

static void stop_all(struct oai *o)
{
	for (int i = 0; i < o->nslots; i++) {
		if (o->slots[i].state == SLOT_RUNNING)
			curl_multi_remove_handle(o->multi, o->slots[i].curl);
		o->slots[i].state = SLOT_IDLE;
	}
}

/* Gives idle slots the next batches and starts retries whose backoff has passed.
 * Returns how many slots are busy (running or waiting). */
static int refill(struct embedder *e, const char *const *texts, size_t n, size_t *next)
{
	struct oai *o = e->priv;
	size_t bs = (size_t)e->opt.batch_size;
	int busy = 0;
	double t = now_ms();
	for (int i = 0; i < o->nslots; i++) {
		struct slot *s = &o->slots[i];
		if (s->state == SLOT_IDLE && *next < n) {
			s->first = *next;
			s->count = n - *next < bs ? n - *next : bs;
			s->tries = 0;
			*next += s->count;
			embed_json_request(e->model, e->opt.dimensions, texts + s->first, s->count, &s->body);
			start(e, s);
		} else if (s->state == SLOT_WAITING && t >= s->not_before) {
			start(e, s);
		}
		busy += s->state != SLOT_IDLE;
	}
	return busy;
}

/* Sleeps until the earliest retry is due (at most POLL_MS, so a cancel is seen). */
static void wait_backoff(const struct oai *o)
{
	double due = now_ms() + POLL_MS;
	for (int i = 0; i < o->nslots; i++)
		if (o->slots[i].state == SLOT_WAITING && o->slots[i].not_before < due)
			due = o->slots[i].not_before;
	double ms = due - now_ms();
	if (ms <= 0)
		return;
	struct timespec ts = {0, (long)(ms * 1e6)};
	nanosleep(&ts, NULL);
}

static int oai_embed(struct embedder *e, const char *const *texts, size_t n, float *out, struct vb_error *err)
{
	struct oai *o = e->priv;
	size_t next = 0;
	int st = VB_OK;
	while (st == VB_OK && refill(e, texts, n, &next) > 0) {
		if (e->opt.cancel && *e->opt.cancel) {
			st = vb_err_set(err, VB_ERR_CANCELLED, "embedding requests to %s cancelled", o->display);
			break;
		}
		int running;
		curl_multi_perform(o->multi, &running);
		CURLMsg *m;
		int left, finished = 0;
		while (st == VB_OK && (m = curl_multi_info_read(o->multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct slot *s;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			st = finish(e, s, m->data.result, out, err);
			finished++;
		}
		if (st != VB_OK || finished)
			continue; /* a slot is free: give it the next batch at once */
		if (running > 0)
			curl_multi_poll(o->multi, NULL, 0, POLL_MS, NULL);
		else /* only backoff waits */
			wait_backoff(o);
	}
	stop_all(o);
	return st;
}

const struct embed_kind embed_kind_openai = {"openai", oai_open, oai_embed, oai_close};

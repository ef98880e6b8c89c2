/* kb/embed_openai.c - OpenAI-compatible /embeddings client over libcurl.
 * Request and response are JSON through jansson (which reads numbers the same whatever
 * LC_NUMERIC the console set). */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../backends/vb_util.h"
#include "embed_impl.h"

#define MAX_RESPONSE (64u << 20)
#define MAX_RETRY_AFTER_MS 30000

struct oai {
	CURL *curl;
	char *url;      /* {base_url}/embeddings */
	char *display;  /* url without user:password@ */
	char errbuf[CURL_ERROR_SIZE];
	struct vb_buf resp;
	long retry_after_ms;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ok;

static void curl_init_once(void)
{
	curl_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
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

static int oai_open(struct embedder *e, struct vb_error *err)
{
	if (!e->base_url || !*e->base_url) {
		vb_err_set(err, VB_ERR_INVALID, "embedder 'openai' needs embed_base_url");
		snprintf(err->hint, sizeof err->hint, "set the base URL of an OpenAI-compatible server, e.g. "
		                                      "https://api.openai.com/v1 or http://127.0.0.1:11434/v1 (Ollama)");
		return VB_ERR_INVALID;
	}
	if (!e->model || !*e->model) {
		vb_err_set(err, VB_ERR_INVALID, "embedder 'openai' needs embed_model");
		snprintf(err->hint, sizeof err->hint, "set the embedding model name, e.g. text-embedding-3-small or "
		                                      "nomic-embed-text, and dim to its vector length");
		return VB_ERR_INVALID;
	}
	pthread_once(&curl_once, curl_init_once);
	if (!curl_ok)
		return vb_err_set(err, VB_ERR_INTERNAL, "cannot initialise libcurl");
	struct oai *o = vb_xcalloc(1, sizeof *o);
	o->curl = curl_easy_init();
	if (!o->curl) {
		free(o);
		return vb_err_set(err, VB_ERR_INTERNAL, "cannot initialise libcurl");
	}
	size_t n = strlen(e->base_url);
	while (n && e->base_url[n - 1] == '/')
		n--;
	o->url = vb_xasprintf("%.*s/embeddings", (int)n, e->base_url);
	o->display = url_display(o->url);
	vb_buf_init(&o->resp);
	e->priv = o;
	e->describe = vb_xasprintf("openai model %s at %s (%d dimensions)", e->model, o->display, e->opt.dim);
	return VB_OK;
}

static void oai_close(struct embedder *e)
{
	struct oai *o = e->priv;
	if (!o)
		return;
	curl_easy_cleanup(o->curl);
	free(o->url);
	free(o->display);
	vb_buf_free(&o->resp);
	free(o);
	e->priv = NULL;
}

/* ---------------------------------------------------------------- curl callbacks */

static size_t on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct oai *o = ctx;
	size_t n = size * nmemb;
	if (o->resp.len + n > MAX_RESPONSE)
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	vb_buf_addn(&o->resp, p, n);
	return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct oai *o = ctx;
	size_t n = size * nmemb;
	static const char h[] = "retry-after:";
	if (n > sizeof h && !strncasecmp(p, h, sizeof h - 1)) {
		long s = strtol(p + sizeof h - 1, NULL, 10); /* HTTP-date form is ignored */
		if (s > 0)
			o->retry_after_ms = s * 1000 > MAX_RETRY_AFTER_MS ? MAX_RETRY_AFTER_MS : s * 1000;
	}
	return n;
}

static int on_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)a, (void)b, (void)c, (void)d;
	const struct embedder *e = ctx;
	return e->opt.cancel && *e->opt.cancel;
}

/* ---------------------------------------------------------------- the response (jansson) */

struct parse_ctx {
	float *out;       /* this batch's rows */
	size_t n;         /* texts in the batch */
	int dim;
	unsigned char *filled;
	size_t items;     /* data[] elements seen */
	int bad_dim;      /* first wrong length seen, 0 if none */
};

/* One data[] element: {"embedding": [...], "index": i}.  -1 when it is not one. */
static int take_element(struct parse_ctx *c, json_t *el)
{
	json_t *emb = json_object_get(el, "embedding"), *idx = json_object_get(el, "index");
	if (!json_is_array(emb))
		return -1;
	size_t pos = json_is_integer(idx) && json_integer_value(idx) >= 0 ? (size_t)json_integer_value(idx) : c->items;
	c->items++;
	size_t count = json_array_size(emb);
	if (count != (size_t)c->dim) {
		if (!c->bad_dim)
			c->bad_dim = count ? (int)count : -1;
		return 0;
	}
	if (pos >= c->n)
		return 0;
	float *row = c->out + pos * (size_t)c->dim;
	for (size_t i = 0; i < count; i++) {
		json_t *v = json_array_get(emb, i);
		if (!json_is_number(v))
			return -1;
		row[i] = (float)json_number_value(v);
	}
	c->filled[pos] = 1;
	return 0;
}

/* {"data": [...]} into c; -1 for anything else. */
static int parse_response(const char *body, struct parse_ctx *c)
{
	json_t *root = json_loads(body, 0, NULL);
	json_t *data = json_object_get(root, "data");
	int rc = json_is_array(data) ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < json_array_size(data); i++)
		rc = take_element(c, json_array_get(data, i));
	json_decref(root);
	return rc;
}

/* The message of an error answer: "error" as text or {"message": ...}, "detail", "message". */
static const char *error_text(json_t *root)
{
	static const char *const keys[] = {"error", "detail", "message"};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		json_t *v = json_object_get(root, keys[k]);
		if (json_is_object(v))
			v = json_object_get(v, "message");
		if (json_is_string(v))
			return json_string_value(v);
	}
	return NULL;
}

/* ---------------------------------------------------------------- requests */

/* The server's own words for a failed request, short, one line, without the key. */
static char *server_message(const struct embedder *e, const char *body)
{
	struct vb_buf msg;
	vb_buf_init(&msg);
	vb_buf_add(&msg, "");
	json_t *root = json_loads(body, 0, NULL);
	const char *text = error_text(root);
	if (text && *text)
		vb_buf_add(&msg, text);
	else
		vb_buf_addn(&msg, body, strnlen(body, 200));
	json_decref(root);
	if (msg.len > 300) {
		msg.data[300] = '\0';
		msg.len = 300;
	}
	for (size_t i = 0; i < msg.len; i++)
		if ((unsigned char)msg.data[i] < 0x20)
			msg.data[i] = ' ';
	if (e->api_key && strlen(e->api_key) >= 4) { /* "***" never grows the text */
		size_t kl = strlen(e->api_key);
		for (char *k; (k = strstr(msg.data, e->api_key));)
			memmove(k + 3, k + kl, strlen(k + kl) + 1), memcpy(k, "***", 3);
	}
	return vb_buf_steal(&msg);
}

/* An empty input is rejected by some servers: a space embeds as "nothing".  (The texts come
 * from libyaml, which only passes valid UTF-8, so json_string does not refuse them.) */
static json_t *input_text(const char *t)
{
	json_t *v = t && *t ? json_string(t) : NULL;
	return v ? v : json_string(" ");
}

static void build_body(const struct embedder *e, const char *const *texts, size_t n, struct vb_buf *b)
{
	json_t *input = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(input, input_text(texts[i]));
	json_t *req = json_pack("{s:s, s:o}", "model", e->model, "input", input);
	char *text = req ? json_dumps(req, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	vb_buf_reset(b);
	vb_buf_add(b, text ? text : "{}");
	free(text);
	json_decref(req);
}

static void sleep_ms(const struct embedder *e, long ms)
{
	while (ms > 0 && !(e->opt.cancel && *e->opt.cancel)) {
		long step = ms > 50 ? 50 : ms;
		struct timespec ts = {0, step * 1000000L};
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

/* One POST; fills *code (0 when no HTTP answer) or err for transport errors. */
static int post(struct embedder *e, const struct vb_buf *body, long *code, struct vb_error *err)
{
	struct oai *o = e->priv;
	CURL *c = o->curl;
	struct curl_slist *hdr = NULL;
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (e->api_key && *e->api_key) {
		char *auth = vb_xasprintf("Authorization: Bearer %s", e->api_key);
		hdr = curl_slist_append(hdr, auth);
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	vb_buf_reset(&o->resp);
	o->retry_after_ms = 0;
	o->errbuf[0] = '\0';
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, o->url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, o);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, o);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, e);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)e->opt.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(e->opt.timeout_ms < 10000 ? e->opt.timeout_ms : 10000));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, o->errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "vbadmin");
	CURLcode rc = curl_easy_perform(c);
	curl_slist_free_all(hdr);
	*code = 0;
	vb_buf_add(&o->resp, ""); /* always NUL-terminated, even when empty */
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code);
		return VB_OK;
	}
	switch (rc) {
	case CURLE_ABORTED_BY_CALLBACK:
		return vb_err_set(err, VB_ERR_CANCELLED, "embedding request to %s cancelled", o->display);
	case CURLE_OPERATION_TIMEDOUT:
		vb_err_set(err, VB_ERR_CONNECT, "embedding request to %s timed out after %d ms", o->display,
		           e->opt.timeout_ms);
		snprintf(err->hint, sizeof err->hint,
		         "the embedding server did not answer in time: check that it is up and not overloaded, or lower "
		         "embed_batch_size");
		return VB_ERR_CONNECT;
	case CURLE_COULDNT_CONNECT:
		vb_err_set(err, VB_ERR_CONNECT, "cannot connect to the embedding server at %s: %s", o->display,
		           o->errbuf[0] ? o->errbuf : "connection refused");
		snprintf(err->hint, sizeof err->hint, "start the embedding server, or fix embed_base_url in agent.yml");
		return VB_ERR_CONNECT;
	case CURLE_COULDNT_RESOLVE_HOST:
		vb_err_set(err, VB_ERR_CONNECT, "cannot resolve the embedding server host of %s", o->display);
		snprintf(err->hint, sizeof err->hint, "fix the host name in embed_base_url");
		return VB_ERR_CONNECT;
	case CURLE_WRITE_ERROR:
		return vb_err_set(err, VB_ERR_SERVER, "embedding response from %s is larger than %u MB", o->display,
		                  MAX_RESPONSE >> 20);
	default:
		return vb_err_set(err, VB_ERR_CONNECT, "embedding request to %s failed: %s", o->display,
		                  o->errbuf[0] ? o->errbuf : curl_easy_strerror(rc));
	}
}

static int http_error(struct embedder *e, long code, int tries, struct vb_error *err)
{
	struct oai *o = e->priv;
	char *msg = server_message(e, o->resp.data);
	const char *sep = *msg ? ": " : "";
	int st;
	if (code == 401 || code == 403) {
		st = vb_err_set(err, VB_ERR_PERMISSION, "embedding server %s rejected the API key (HTTP %ld)%s%s",
		                o->display, code, sep, msg);
		snprintf(err->hint, sizeof err->hint, "%s",
		         e->api_key && *e->api_key
		             ? "check embed_api_key in agent.yml (usually ${SOME_ENV_VAR}): the variable must hold a valid "
		               "key for this server"
		             : "no API key was sent: set embed_api_key in agent.yml, e.g. embed_api_key: ${OPENAI_API_KEY}");
	} else if (code == 404) {
		st = vb_err_set(err, VB_ERR_NOT_FOUND, "embedding endpoint %s not found (HTTP 404)%s%s", o->display, sep,
		                msg);
		snprintf(err->hint, sizeof err->hint,
		         "check embed_base_url (OpenAI-compatible servers usually end in /v1, e.g. "
		         "http://127.0.0.1:11434/v1) and that the model '%.100s' exists on the server",
		         e->model);
	} else if (code == 429 || code >= 500) {
		st = vb_err_set(err, VB_ERR_SERVER, "embedding server %s answered HTTP %ld %d times in a row%s%s", o->display,
		                code, tries, sep, msg);
		snprintf(err->hint, sizeof err->hint, "%s",
		         code == 429 ? "the server is rate limiting: wait, lower embed_batch_size, or raise your quota"
		                     : "the embedding server is failing: check its logs, then run the command again");
	} else {
		st = vb_err_set(err, code >= 400 && code < 500 ? VB_ERR_INVALID : VB_ERR_SERVER,
		                "embedding server %s answered HTTP %ld%s%s", o->display, code, sep, msg);
		snprintf(err->hint, sizeof err->hint, "check embed_model '%.100s' and that the server speaks the OpenAI "
		                                      "embeddings API",
		         e->model);
	}
	free(msg);
	return st;
}

static int embed_batch(struct embedder *e, const char *const *texts, size_t n, float *out, struct vb_buf *body,
                       struct vb_error *err)
{
	struct oai *o = e->priv;
	long code = 0;
	int tries = 0;
	build_body(e, texts, n, body);
	for (;;) {
		if (e->opt.cancel && *e->opt.cancel)
			return vb_err_set(err, VB_ERR_CANCELLED, "embedding cancelled");
		tries++;
		int st = post(e, body, &code, err);
		if (st)
			return st;
		if (code == 200)
			break;
		if ((code == 429 || code >= 500) && tries < e->opt.max_tries) {
			long delay = (long)e->opt.backoff_ms << (tries - 1);
			if (o->retry_after_ms > delay)
				delay = o->retry_after_ms;
			sleep_ms(e, delay);
			continue;
		}
		return http_error(e, code, tries, err);
	}

	struct parse_ctx c = {0};
	c.out = out;
	c.n = n;
	c.dim = e->opt.dim;
	c.filled = vb_xcalloc(n, 1);
	int rc = parse_response(o->resp.data ? o->resp.data : "", &c);
	int st = VB_OK;
	if (rc < 0) {
		char *msg = server_message(e, o->resp.data);
		st = vb_err_set(err, VB_ERR_SERVER, "unreadable embedding response from %s: %s", o->display, msg);
		free(msg);
	} else if (c.bad_dim) {
		st = vb_err_set(err, VB_ERR_SCHEMA,
		                "embedding model '%s' at %s returns %d-dimensional vectors but the configured dim is %d",
		                e->model, o->display, c.bad_dim < 0 ? 0 : c.bad_dim, c.dim);
		snprintf(err->hint, sizeof err->hint,
		         "set dim: %d in agent.yml (the knowledge-base tables must use the same dimension) or choose a "
		         "model that returns %d dimensions",
		         c.bad_dim < 0 ? 0 : c.bad_dim, c.dim);
	} else {
		size_t got = 0;
		for (size_t i = 0; i < n; i++)
			got += c.filled[i];
		if (got != n || c.items != n)
			st = vb_err_set(err, VB_ERR_SERVER, "Embedding count mismatch: expected %zu got %zu", n, c.items);
	}
	free(c.filled);
	return st;
}

static int oai_embed(struct embedder *e, const char *const *texts, size_t n, float *out, struct vb_error *err)
{
	struct vb_buf body;
	vb_buf_init(&body);
	size_t bs = (size_t)e->opt.batch_size;
	int st = VB_OK;
	for (size_t i = 0; i < n && !st; i += bs) {
		size_t k = n - i < bs ? n - i : bs;
		st = embed_batch(e, texts + i, k, out + i * (size_t)e->opt.dim, &body, err);
	}
	vb_buf_free(&body);
	return st;
}

const struct embed_kind embed_kind_openai = {"openai", oai_open, oai_embed, oai_close};

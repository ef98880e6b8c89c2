/* config/config_uri.c - PostgreSQL URI of an agent.yml entry -> its fields. */
#include "config_uri.h"

#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"
#include "config.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decoded copy of s[0..n), or NULL when a %-escape is malformed. */
static char *pct_decode(const char *s, size_t n)
{
	char *out = vb_xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n) {
				free(out);
				return NULL;
			}
			int a = hexval(s[i + 1]), b = hexval(s[i + 2]);
			if (a < 0 || b < 0) {
				free(out);
				return NULL;
			}
			out[o++] = (char)(a * 16 + b);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

static int set_field(char **dst, const char *s, size_t n, const char *prefix, const char *what, struct vb_error *err)
{
	if (n == 0)
		return VB_OK;
	char *v = pct_decode(s, n);
	if (!v)
		return vb_err_set(err, VB_ERR_INVALID, "%s.uri has a malformed %%-escape in its %s; write %%XX with two hex digits.",
		                  prefix, what);
	free(*dst);
	*dst = v;
	return VB_OK;
}

static int parse_port(const char *s, size_t n, int *out, const char *prefix, struct vb_error *err)
{
	long v = 0;
	if (n == 0 || n > 5)
		v = -1;
	for (size_t i = 0; v >= 0 && i < n; i++)
		v = (s[i] >= '0' && s[i] <= '9') ? v * 10 + (s[i] - '0') : -1;
	if (v < 1 || v > 65535)
		return vb_err_set(err, VB_ERR_INVALID,
		                  "%s.uri has a port that is not a number in 1..65535; fix the ':PORT' after the host.", prefix);
	*out = (int)v;
	return VB_OK;
}

static int apply_query(const char *q, struct config_db *db, const char *prefix, struct vb_error *err)
{
	while (*q) {
		size_t n = strcspn(q, "&");
		const char *eq = memchr(q, '=', n);
		if (eq) {
			size_t kn = (size_t)(eq - q), vn = n - kn - 1;
			int rc = VB_OK;
			if (kn == 7 && strncmp(q, "sslmode", 7) == 0)
				rc = set_field(&db->sslmode, eq + 1, vn, prefix, "sslmode", err);
			else if (kn == 15 && strncmp(q, "connect_timeout", 15) == 0) {
				char *t = pct_decode(eq + 1, vn);
				char *end = NULL;
				long v = t ? strtol(t, &end, 10) : -1;
				if (!t || end == t || *end || v < 0 || v > 86400)
					rc = vb_err_set(err, VB_ERR_INVALID,
					                "%s.uri has a connect_timeout that is not whole seconds 0..86400.", prefix);
				else
					db->timeout = (int)v;
				free(t);
			}
			if (rc != VB_OK)
				return rc;
		}
		q += n;
		if (*q == '&')
			q++;
	}
	return VB_OK;
}

/* postgresql:// or postgres://, optionally with SQLAlchemy's +driver (postgresql+psycopg2://):
 * what follows "://", or NULL for any other scheme. */
static const char *uri_after_scheme(const char *uri)
{
	size_t sl = strcspn(uri, ":");
	const char *sep = strstr(uri, "://");
	int scheme_ok = sep && (size_t)(sep - uri) == sl &&
	                (strncmp(uri, "postgresql", 10) == 0 || strncmp(uri, "postgres", 8) == 0);
	if (scheme_ok) {
		const char *rest = uri + (uri[8] == 'q' ? 10 : 8);
		scheme_ok = rest == sep || *rest == '+';
	}
	return scheme_ok ? sep + 3 : NULL;
}

/* USER[:PASSWORD] before the last '@' of the authority (a password may hold '@' of its own). */
static int apply_userinfo(const char *p, const char *at, struct config_db *db, const char *prefix,
                          struct vb_error *err)
{
	const char *colon = memchr(p, ':', (size_t)(at - p));
	if (!colon)
		return set_field(&db->username, p, (size_t)(at - p), prefix, "user name", err);
	int rc = set_field(&db->username, p, (size_t)(colon - p), prefix, "user name", err);
	if (rc != VB_OK)
		return rc;
	char *pw = NULL;
	rc = set_field(&pw, colon + 1, (size_t)(at - colon - 1), prefix, "password", err);
	if (rc == VB_OK && pw) {
		free(db->password);
		db->password = pw;
	}
	return rc;
}

/* host, [v6 literal], :port, from p to auth_end */
static int apply_hostport(const char *p, const char *auth_end, struct config_db *db, const char *prefix,
                          struct vb_error *err)
{
	int rc = VB_OK;
	if (*p == '[') {
		const char *rb = memchr(p, ']', (size_t)(auth_end - p));
		if (!rb)
			return vb_err_set(err, VB_ERR_INVALID, "%s.uri has an IPv6 host without its closing ']'.", prefix);
		rc = set_field(&db->host, p + 1, (size_t)(rb - p - 1), prefix, "host", err);
		p = rb + 1;
		if (rc == VB_OK && p < auth_end && *p == ':')
			rc = parse_port(p + 1, (size_t)(auth_end - p - 1), &db->port, prefix, err);
		return rc;
	}
	const char *host_end = auth_end;
	const char *colon = memchr(p, ':', (size_t)(auth_end - p));
	if (colon) {
		host_end = colon;
		rc = parse_port(colon + 1, (size_t)(auth_end - colon - 1), &db->port, prefix, err);
	}
	if (rc == VB_OK)
		rc = set_field(&db->host, p, (size_t)(host_end - p), prefix, "host", err);
	return rc;
}

int config_uri_apply(const char *uri, struct config_db *db, const char *prefix, struct vb_error *err)
{
	const char *p = uri_after_scheme(uri);
	if (!p)
		return vb_err_set(err, VB_ERR_INVALID,
		                  "%s.uri is not a postgresql:// URI; write postgresql://USER:PASSWORD@HOST:PORT/DATABASE "
		                  "or use the host/port/database fields instead.",
		                  prefix);
	size_t auth_n = strcspn(p, "/?");
	const char *auth_end = p + auth_n;
	const char *at = NULL;
	for (const char *q = p; q < auth_end; q++)
		if (*q == '@')
			at = q;
	int rc = VB_OK;
	if (at) {
		rc = apply_userinfo(p, at, db, prefix, err);
		p = at + 1;
	}
	if (rc == VB_OK)
		rc = apply_hostport(p, auth_end, db, prefix, err);
	if (rc != VB_OK)
		return rc;
	p = auth_end;
	if (*p == '/') {
		p++;
		size_t n = strcspn(p, "?");
		rc = set_field(&db->database, p, n, prefix, "database", err);
		p += n;
	}
	if (rc == VB_OK && *p == '?')
		rc = apply_query(p + 1, db, prefix, err);
	return rc;
}

/* config/config_options.c - options: that may not contradict the entry, and secret masking. */
#include "config_options.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../backends/vb_util.h"
#include "config.h"

/* The libpq keywords an entry sets itself, with the field that says so. */
static const struct {
	const char *keyword, *field;
} protected_keys[] = {
	{"host", "host"},         {"hostaddr", "host"}, {"port", "port"},       {"dbname", "database"},
	{"user", "username"},     {"password", "password"}, {"passfile", "password"}, {"service", "host"},
	{"sslmode", "sslmode"},   {"requiressl", "sslmode"},
};

static const char *field_value(const struct config_db *db, const char *field, char *buf, size_t len)
{
	if (strcmp(field, "host") == 0)
		return db->host ? db->host : "-";
	if (strcmp(field, "port") == 0) {
		snprintf(buf, len, "%d", db->port);
		return buf;
	}
	if (strcmp(field, "database") == 0)
		return db->database ? db->database : "postgres";
	if (strcmp(field, "username") == 0)
		return db->username ? db->username : "-";
	if (strcmp(field, "sslmode") == 0)
		return db->sslmode ? db->sslmode : "prefer";
	return "********"; /* password */
}

int config_options_check(const struct config_db *db, const char *file, struct vb_error *err)
{
	if (!db->options)
		return VB_OK;
	char *opts = vb_xstrdup(db->options);
	int rc = VB_OK;
	for (char *save = NULL, *tok = strtok_r(opts, ";", &save); tok && rc == VB_OK; tok = strtok_r(NULL, ";", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		size_t klen = strcspn(tok, "= \t");
		for (size_t i = 0; i < sizeof protected_keys / sizeof protected_keys[0]; i++) {
			if (strlen(protected_keys[i].keyword) != klen || strncasecmp(tok, protected_keys[i].keyword, klen) != 0)
				continue;
			char buf[16];
			const char *f = protected_keys[i].field;
			int secret = strcmp(f, "password") == 0;
			const char *eq = strchr(tok, '=');
			rc = vb_err_set(err, VB_ERR_INVALID,
			                "%s:%d: options of database entry '%s' sets %s%s%s, which would override the entry's "
			                "%s (%s)",
			                file ? file : "agent.yml", db->line, db->logic_name ? db->logic_name : "?",
			                protected_keys[i].keyword, eq && !secret ? "=" : "", eq && !secret ? eq + 1 : "", f,
			                field_value(db, f, buf, sizeof buf));
			snprintf(err->hint, sizeof err->hint,
			         "set %s in the entry itself and remove '%s' from options: options may add libpq keywords "
			         "(sslrootcert, target_session_attrs...) and server settings (statement_timeout...), "
			         "not change where or how vbadmin connects",
			         f, protected_keys[i].keyword);
			break;
		}
	}
	free(opts);
	return rc;
}

static int secret_key(const char *k, size_t n)
{
	static const char *const keys[] = {"password", "sslpassword", "passfile", "api_key", "apikey", "token", "secret"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i]) == n && strncasecmp(k, keys[i], n) == 0)
			return 1;
	return 0;
}

/* Copies s to out with the password of every scheme://user:password@host masked. */
static void mask_userinfo(struct vb_buf *out, const char *s)
{
	const char *p = s;
	const char *sep;
	while ((sep = strstr(p, "://")) != NULL) {
		const char *auth = sep + 3;
		const char *end = auth + strcspn(auth, "/?#; \t");
		const char *at = NULL, *colon = NULL;
		for (const char *q = auth; q < end; q++)
			if (*q == '@')
				at = q;
		for (const char *q = auth; at && q < at; q++)
			if (*q == ':') {
				colon = q;
				break;
			}
		if (colon) {
			vb_buf_addn(out, p, (size_t)(colon + 1 - p));
			vb_buf_add(out, "********");
			p = at;
		} else {
			vb_buf_addn(out, p, (size_t)(end - p));
			p = end;
		}
	}
	vb_buf_add(out, p);
}

char *config_secret_masked(const char *s)
{
	if (!s)
		return NULL;
	struct vb_buf a;
	vb_buf_init(&a);
	mask_userinfo(&a, s);
	/* then key=value pairs whose key names a secret, up to the next separator */
	struct vb_buf b;
	vb_buf_init(&b);
	const char *p = a.data ? a.data : "";
	while (*p) {
		const char *eq = strchr(p, '=');
		if (!eq) {
			vb_buf_add(&b, p);
			break;
		}
		const char *k = eq;
		while (k > p && (isalnum((unsigned char)k[-1]) || k[-1] == '_'))
			k--;
		vb_buf_addn(&b, p, (size_t)(eq + 1 - p));
		const char *v = eq + 1;
		const char *vend = v + strcspn(v, ";& \t\n");
		if (secret_key(k, (size_t)(eq - k)) && vend > v)
			vb_buf_add(&b, "********");
		else
			vb_buf_addn(&b, v, (size_t)(vend - v));
		p = vend;
	}
	vb_buf_free(&a);
	if (!b.data)
		vb_buf_add(&b, "");
	return vb_buf_steal(&b);
}

/* config/config_env.c - `.env` reader for ${VAR} substitution. */
#include "config_env.h"
#include "config_limits.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../backends/vb_util.h"

static void add(struct config_env *e, const char *name, size_t nlen, char *value)
{
	for (int i = 0; i < e->n; i++)
		if (strlen(e->names[i]) == nlen && strncmp(e->names[i], name, nlen) == 0) {
			free(e->values[i]); /* later lines win, as in python-dotenv */
			e->values[i] = value;
			return;
		}
	e->names = vb_xrealloc(e->names, (size_t)(e->n + 1) * sizeof *e->names);
	e->values = vb_xrealloc(e->values, (size_t)(e->n + 1) * sizeof *e->values);
	e->names[e->n] = vb_xstrndup(name, nlen);
	e->values[e->n] = value;
	e->n++;
}

/* Parses the value starting at p; NULL on an unterminated quote. */
static char *parse_value(const char *p)
{
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_add(&b, "");
	if (*p == '\'' || *p == '"') {
		char q = *p++;
		for (; *p && *p != q; p++) {
			if (q == '"' && *p == '\\' && p[1]) {
				p++;
				vb_buf_addc(&b, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
			} else {
				vb_buf_addc(&b, *p);
			}
		}
		if (*p != q) {
			vb_buf_free(&b);
			return NULL;
		}
		return vb_buf_steal(&b);
	}
	const char *end = p + strlen(p);
	for (const char *c = p; *c; c++)
		if (*c == '#' && (c == p || isspace((unsigned char)c[-1]))) {
			end = c;
			break;
		}
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	vb_buf_addn(&b, p, (size_t)(end - p));
	return vb_buf_steal(&b);
}

/* One line (its line break already cut): VB_OK for a blank line, a comment or a NAME=VALUE
 * added to e; the error names path:lineno. */
static int parse_line(struct config_env *e, char *line, const char *path, int lineno, struct vb_error *err)
{
	size_t len = strlen(line);
	while (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	char *p = line;
	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#')
		return VB_OK;
	if (strncmp(p, "export ", 7) == 0) /* a .env written for a shell */
		p += 7;
	while (isspace((unsigned char)*p))
		p++;
	const char *name = p;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == '.' || *p == '-')
		p++;
	size_t nlen = (size_t)(p - name);
	while (*p == ' ' || *p == '\t')
		p++;
	if (nlen == 0 || *p != '=')
		return vb_err_set(err, VB_ERR_INVALID, "%s:%d: expected NAME=VALUE; fix or comment out the line with '#'.",
		                  path, lineno);
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	char *value = parse_value(p);
	if (!value)
		return vb_err_set(err, VB_ERR_INVALID, "%s:%d: the value's closing quote is missing.", path, lineno);
	add(e, name, nlen, value);
	return VB_OK;
}

int config_env_load(struct config_env *e, const char *path, struct vb_error *err)
{
	memset(e, 0, sizeof *e);
	/* bounded: a .env that is a symlink to /dev/zero or a huge file is refused at once */
	char *text;
	size_t tlen;
	int rc = config_read_bounded(path, ".env file", CONFIG_MAX_ENV_BYTES, &text, &tlen, err);
	if (rc == VB_ERR_NOT_FOUND) {
		vb_err_clear(err);
		return VB_OK;
	}
	if (rc != VB_OK)
		return rc;
	if (memchr(text, '\0', tlen)) {
		free(text);
		return vb_err_set(err, VB_ERR_INVALID, "%s: holds a NUL byte; a .env file is text (NAME=VALUE lines)", path);
	}
	e->path = vb_xstrdup(path);
	int lineno = 0;
	for (char *line = text, *next; rc == VB_OK && line < text + tlen; line = next) {
		next = line + strcspn(line, "\n");
		if (*next)
			*next++ = '\0';
		rc = parse_line(e, line, path, ++lineno, err);
	}
	memset(text, 0, tlen); /* .env files hold passwords */
	free(text);
	if (rc != VB_OK)
		config_env_free(e);
	return rc;
}

const char *config_env_get(const struct config_env *e, const char *name)
{
	const char *v = getenv(name);
	if (v || !e)
		return v;
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->names[i], name) == 0)
			return e->values[i];
	return NULL;
}

void config_env_free(struct config_env *e)
{
	for (int i = 0; i < e->n; i++) {
		free(e->names[i]);
		memset(e->values[i], 0, strlen(e->values[i])); /* .env files hold passwords */
		free(e->values[i]);
	}
	free(e->names);
	free(e->values);
	free(e->path);
	memset(e, 0, sizeof *e);
}

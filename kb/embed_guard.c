/* kb/embed_guard.c - datus_db.cfg: read the INI sections, compare, write back whole. */
#include "embed_guard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../backends/vb_util.h"

char *embed_guard_path(const char *home, const char *ns)
{
	return vb_xasprintf("%s/data/datus_db_%s/datus_db.cfg", home, ns);
}

struct ini_line {
	char *section; /* section the line belongs to */
	char *key;     /* NULL for section headers, comments and blanks */
	char *text;    /* the raw line, kept for lines we do not touch */
};

struct ini {
	struct ini_line *lines;
	int n;
};

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

static void ini_add(struct ini *ini, const char *section, const char *key, const char *text)
{
	ini->lines = vb_xrealloc(ini->lines, (size_t)(ini->n + 1) * sizeof *ini->lines);
	ini->lines[ini->n].section = vb_xstrdup(section);
	ini->lines[ini->n].key = vb_xstrdup(key);
	ini->lines[ini->n].text = vb_xstrdup(text);
	ini->n++;
}

static void ini_free(struct ini *ini)
{
	for (int i = 0; i < ini->n; i++) {
		free(ini->lines[i].section);
		free(ini->lines[i].key);
		free(ini->lines[i].text);
	}
	free(ini->lines);
}

static int ini_read(const char *path, struct ini *ini, struct vb_error *err)
{
	memset(ini, 0, sizeof *ini);
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? VB_OK : vb_err_set(err, VB_ERR_IO, "%s: %s", path, strerror(errno));
	char buf[1024], section[256] = "";
	while (fgets(buf, sizeof buf, f)) {
		char raw[1024];
		snprintf(raw, sizeof raw, "%s", buf);
		char *line = trim(buf), *rawt = trim(raw);
		if (line[0] == '[') {
			char *end = strchr(line, ']');
			if (end) {
				*end = '\0';
				snprintf(section, sizeof section, "%s", trim(line + 1));
			}
			ini_add(ini, section, NULL, rawt);
			continue;
		}
		char *eq = strchr(line, '=');
		if (!eq || line[0] == '#' || line[0] == ';') {
			ini_add(ini, section, NULL, rawt);
			continue;
		}
		*eq = '\0';
		ini_add(ini, section, trim(line), trim(eq + 1));
	}
	fclose(f);
	return VB_OK;
}

static const char *ini_get(const struct ini *ini, const char *section, const char *key)
{
	for (int i = 0; i < ini->n; i++)
		if (ini->lines[i].key && strcmp(ini->lines[i].section, section) == 0 && strcmp(ini->lines[i].key, key) == 0)
			return ini->lines[i].text;
	return NULL;
}

static int mkdirs(const char *dir, struct vb_error *err)
{
	char *p = vb_xstrdup(dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			int st = vb_err_set(err, VB_ERR_IO, "cannot create %s: %s", p, strerror(errno));
			free(p);
			return st;
		}
		*s = '/';
	}
	int st = VB_OK;
	if (mkdir(p, 0700) != 0 && errno != EEXIST)
		st = vb_err_set(err, VB_ERR_IO, "cannot create %s: %s", p, strerror(errno));
	free(p);
	return st;
}

/* Rewrites the file with `section` holding exactly m's three keys. */
static int ini_write(const char *path, const struct ini *ini, const char *section, const struct embed_guard_model *m,
                     struct vb_error *err)
{
	char *dir = vb_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	int st = mkdirs(dir, err);
	free(dir);
	if (st != VB_OK)
		return st;
	char *tmp = vb_xasprintf("%s.tmp.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f) {
		st = vb_err_set(err, VB_ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
		free(tmp);
		return st;
	}
	fchmod(fileno(f), 0600);
	int seen = 0;
	for (int i = 0; i < ini->n; i++) {
		const struct ini_line *l = &ini->lines[i];
		if (strcmp(l->section, section) == 0) {
			if (!l->key && l->text[0] == '[' && !seen) {
				fprintf(f, "[%s]\nregistry_name = %s\nmodel_name = %s\ndim_size = %d\n", section, m->registry_name,
				        m->model_name, m->dim_size);
				seen = 1;
			}
			continue;
		}
		if (l->key)
			fprintf(f, "%s = %s\n", l->key, l->text);
		else
			fprintf(f, "%s\n", l->text);
	}
	if (!seen)
		fprintf(f, "[%s]\nregistry_name = %s\nmodel_name = %s\ndim_size = %d\n", section, m->registry_name,
		        m->model_name, m->dim_size);
	int bad = ferror(f);
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) != 0) {
		st = vb_err_set(err, VB_ERR_IO, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return st;
}

int embed_guard_apply(const char *path, const char *section, const char *strategy,
                      const struct embed_guard_model *m, struct vb_error *err)
{
	struct ini ini;
	int st = ini_read(path, &ini, err);
	if (st != VB_OK)
		return st;
	if (strcmp(strategy, "overwrite") != 0) {
		char dim[16];
		snprintf(dim, sizeof dim, "%d", m->dim_size);
		const char *keys[] = {"registry_name", "model_name", "dim_size"};
		const char *want[] = {m->registry_name, m->model_name, dim};
		struct vb_buf diff;
		vb_buf_init(&diff);
		for (int k = 0; k < 3; k++) {
			const char *have = ini_get(&ini, section, keys[k]);
			if (have && strcmp(have, want[k]) != 0)
				vb_buf_printf(&diff, "\n- Value mismatch in section [%s] for key '%s': existing='%s', new='%s'.",
				              section, keys[k], have, want[k]);
		}
		if (diff.len) {
			/* the Datus wording, double period included */
			st = vb_err_set(err, VB_ERR_INVALID,
			                "Embedding model configuration mismatch:%s. If you want to use the new model, "
			                "initialize it first using overwrite mode.",
			                diff.data);
			snprintf(err->hint, sizeof err->hint,
			         "the knowledge base was filled with another embedding model (recorded in %s); re-run with "
			         "--kb_update_strategy overwrite to rebuild it with the configured one",
			         path);
			vb_buf_free(&diff);
			ini_free(&ini);
			return st;
		}
		vb_buf_free(&diff);
		int complete = ini_get(&ini, section, "registry_name") && ini_get(&ini, section, "model_name") &&
		               ini_get(&ini, section, "dim_size");
		if (complete) {
			ini_free(&ini);
			return VB_OK;
		}
	}
	st = ini_write(path, &ini, section, m, err);
	ini_free(&ini);
	return st;
}

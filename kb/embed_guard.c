/* kb/embed_guard.c - the model record (datus_db.cfg format): where it lives, reading a section
 * as Datus reads it, the write rules, and rewriting the file whole. */
#include "embed_guard.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../backends/vb_util.h"

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

/* The section as Python's ConfigParser writes it (Datus's save_storage_configs): keys in
 * to_dict order, " = ", a blank line after the section. */
static void write_section(struct vb_buf *b, const char *section, const struct embed_guard_model *m)
{
	vb_buf_printf(b, "[%s]\nregistry_name = %s\nmodel_name = %s\ndim_size = %d\n\n", section, m->registry_name,
	              m->model_name, m->dim_size);
}

/* Rewrites the file with `section` holding exactly m's three keys: whole or not at all (a 0600
 * temp file beside it, fsync, rename; a symlink at path is replaced, never followed). */
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
	struct vb_buf b;
	vb_buf_init(&b);
	int seen = 0;
	for (int i = 0; i < ini->n; i++) {
		const struct ini_line *l = &ini->lines[i];
		if (strcmp(l->section, section) == 0) {
			if (!l->key && l->text[0] == '[' && !seen) {
				write_section(&b, section, m);
				seen = 1;
			}
			continue;
		}
		if (l->key)
			vb_buf_printf(&b, "%s = %s\n", l->key, l->text);
		else
			vb_buf_printf(&b, "%s\n", l->text);
	}
	if (!seen)
		write_section(&b, section, m);
	if (vb_write_file_private(path, b.data ? b.data : "", b.len) != 0)
		st = vb_err_set(err, VB_ERR_IO, "cannot write %s: %s", path, strerror(errno));
	vb_buf_free(&b);
	return st;
}

/* A name safe as one path component: [A-Za-z0-9_] kept, everything else %XX. */
static void path_part(struct vb_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || c == '_')
			vb_buf_addc(b, (char)c);
		else
			vb_buf_printf(b, "%%%02X", c);
	}
}

char *embed_guard_record_path(const struct embed_store *s)
{
	if (s->datus_owned)
		return vb_xasprintf("%s/data/datus_db_%s/datus_db.cfg", s->home, s->ns);
	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_printf(&b, "%s/", s->data_dir);
	if (s->backend && strcmp(s->backend, "pgvector") == 0) {
		vb_buf_add(&b, "pgvector/");
		path_part(&b, s->database);
		vb_buf_addc(&b, '.');
		path_part(&b, s->schema);
		vb_buf_addc(&b, '.');
	}
	path_part(&b, s->ns);
	vb_buf_add(&b, ".embedding.cfg");
	return vb_buf_steal(&b);
}

static int ini_has_sections(const struct ini *ini)
{
	for (int i = 0; i < ini->n; i++)
		if (!ini->lines[i].key && ini->lines[i].text[0] == '[')
			return 1;
	return 0;
}

static void record_set(struct embed_record *r, const char *key, const char *value)
{
	if (!strcmp(key, "registry_name"))
		snprintf(r->registry_name, sizeof r->registry_name, "%s", value);
	else if (!strcmp(key, "model_name"))
		snprintf(r->model_name, sizeof r->model_name, "%s", value);
	else if (!strcmp(key, "dim_size"))
		snprintf(r->dim_size, sizeof r->dim_size, "%s", value);
	else if (!r->extra_key[0])
		snprintf(r->extra_key, sizeof r->extra_key, "%s", key);
}

/* Datus's _find_config_differences: a missing section of a non-empty file compares as
 * DEFAULT_MODEL_CONFIG, a missing registry_name as sentence-transformers. */
int embed_guard_read(const char *path, const char *section, int datus_file, struct embed_record *r,
                     struct vb_error *err)
{
	memset(r, 0, sizeof *r);
	struct ini ini;
	int st = ini_read(path, &ini, err);
	if (st != VB_OK)
		return st;
	for (int i = 0; i < ini.n; i++) {
		const struct ini_line *l = &ini.lines[i];
		if (l->key && strcmp(l->section, section) == 0) {
			r->present = 1;
			record_set(r, l->key, l->text);
		} else if (!l->key && l->text[0] == '[' && strcmp(l->section, section) == 0) {
			r->present = 1;
		}
	}
	if (datus_file && !r->present && ini_has_sections(&ini)) {
		r->present = r->from_default = 1;
		snprintf(r->model_name, sizeof r->model_name, "%s", EMBED_DATUS_MODEL);
		snprintf(r->dim_size, sizeof r->dim_size, "%d", EMBED_DATUS_DIM);
	}
	if (datus_file && r->present && !r->registry_name[0])
		snprintf(r->registry_name, sizeof r->registry_name, "%s", EMBED_DATUS_REGISTRY);
	ini_free(&ini);
	return VB_OK;
}

int embed_guard_same(const struct embed_record *r, const struct embed_guard_model *m)
{
	char dim[16];
	snprintf(dim, sizeof dim, "%d", m->dim_size);
	return !r->extra_key[0] && !strcmp(r->registry_name, m->registry_name) && !strcmp(r->model_name, m->model_name) &&
	       !strcmp(r->dim_size, dim);
}

/* Datus's mismatch message, differences in the order Datus lists them. */
static int datus_mismatch(const char *path, const char *section, const struct embed_record *r,
                          const struct embed_guard_model *m, struct vb_error *err)
{
	char dim[16];
	snprintf(dim, sizeof dim, "%d", m->dim_size);
	const char *keys[] = {"registry_name", "model_name", "dim_size"};
	const char *have[] = {r->registry_name, r->model_name, r->dim_size};
	const char *want[] = {m->registry_name, m->model_name, dim};
	struct vb_buf diff;
	vb_buf_init(&diff);
	/* Datus lists the existing keys in their order: the file's (to_dict: registry, model, dim),
	 * or DEFAULT_MODEL_CONFIG's (model, dim) with registry_name appended */
	static const int file_order[] = {0, 1, 2}, default_order[] = {1, 2, 0};
	const int *order = r->from_default ? default_order : file_order;
	for (int i = 0; i < 3; i++) {
		int k = order[i];
		if (have[k][0] && strcmp(have[k], want[k]) != 0)
			vb_buf_printf(&diff, "\n- Value mismatch in section [%s] for key '%s': existing='%s', new='%s'.", section,
			              keys[k], have[k], want[k]);
	}
	if (r->extra_key[0])
		vb_buf_printf(&diff, "\n- Missing key '%s' in section [%s].", r->extra_key, section);
	/* the Datus wording, double period included */
	vb_err_set(err, VB_ERR_INVALID,
	           "Embedding model configuration mismatch:%s. If you want to use the new model, initialize it first "
	           "using overwrite mode.",
	           diff.data ? diff.data : "");
	snprintf(err->detail, sizeof err->detail, "recorded in %.480s", path);
	snprintf(err->hint, sizeof err->hint,
	         "the store was filled with %.40s/%.120s (%.8s dimensions) and vbadmin would write %.40s/%.120s: serve "
	         "the recorded model (docs/embeddings.md), or rebuild with --kb_update_strategy overwrite",
	         r->registry_name, r->model_name, r->dim_size, m->registry_name, m->model_name);
	vb_buf_free(&diff);
	return VB_ERR_INVALID;
}

static int needs_confirmation(const char *path, const struct embed_record *r, const struct embed_guard_model *m,
                              struct vb_error *err)
{
	vb_err_set(err, VB_ERR_MISMATCH,
	           "the store was filled with %.40s/%.120s (%.8s dimensions); overwriting it with %.40s/%.120s replaces "
	           "every vector, and Datus, which searches it with the recorded model, will not be able to search what "
	           "vbadmin writes",
	           r->registry_name, r->model_name, r->dim_size, m->registry_name, m->model_name);
	snprintf(err->detail, sizeof err->detail, "recorded in %.480s", path);
	snprintf(err->hint, sizeof err->hint,
	         "to keep Datus working, serve %.120s and configure it (docs/embeddings.md); to replace the model anyway, "
	         "add --replace-model to the overwrite",
	         r->model_name);
	return VB_ERR_MISMATCH;
}

/* The model and registry names are recorded as INI values in Datus's datus_db.cfg: a line break
 * there would write sections of its own (issue 14.8). */
int embed_guard_name_ok(const char *what, const char *name, const char *section, struct vb_error *err)
{
	for (const char *c = name; c && *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return vb_err_set(err, VB_ERR_INVALID, "agent.yml: the embedding %s%s%s%s holds a control character "
			                                       "(a line break?) at byte %zu; model names are one line of text",
			                  what, section ? " of [" : "", section ? section : "", section ? "]" : "",
			                  (size_t)(c - name) + 1);
	return VB_OK;
}

int embed_guard_check(const char *path, const char *section, const char *strategy, int datus_file,
                      const struct embed_guard_model *m, int replace_confirmed, int *write_needed,
                      struct vb_error *err)
{
	*write_needed = 0;
	struct embed_record r;
	int st = embed_guard_name_ok("model_name", m->model_name, NULL, err);
	if (st == VB_OK)
		st = embed_guard_name_ok("registry_name", m->registry_name, NULL, err);
	if (st == VB_OK)
		st = embed_guard_read(path, section, datus_file, &r, err);
	if (st != VB_OK)
		return st;
	/* A section missing from Datus's file is no record here.  Datus compares it with its default
	 * model and refuses check/incremental until an overwrite records one; vbadmin records the
	 * model that produced the vectors instead, which Datus then reads back and compares as usual. */
	int recorded = r.present && !r.from_default;
	int same = recorded && embed_guard_same(&r, m);
	if (recorded && !same) {
		if (strcmp(strategy, "overwrite") != 0)
			return datus_mismatch(path, section, &r, m, err);
		if (!replace_confirmed)
			return needs_confirmation(path, &r, m, err);
	}
	*write_needed = !same; /* an equal record stays byte for byte */
	return VB_OK;
}

int embed_guard_record(const char *path, const char *section, const struct embed_guard_model *m,
                       struct vb_error *err)
{
	struct ini ini;
	int st = ini_read(path, &ini, err);
	if (st != VB_OK)
		return st;
	st = ini_write(path, &ini, section, m, err);
	ini_free(&ini);
	return st;
}


/* ---- save / restore around a load that may roll back ---- */

static char *slurp(const char *path, size_t *len, int *existed)
{
	*len = 0;
	FILE *f = fopen(path, "rb");
	*existed = f != NULL;
	if (!f)
		return NULL;
	struct vb_buf b;
	vb_buf_init(&b);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		vb_buf_addn(&b, buf, n);
	fclose(f);
	*len = b.len;
	vb_buf_add(&b, "");
	return vb_buf_steal(&b);
}

void embed_guard_save(const char *path, struct embed_guard_saved *s)
{
	memset(s, 0, sizeof *s);
	s->bytes = slurp(path, &s->len, &s->existed);
	s->taken = 1;
}

int embed_guard_restore(const char *path, const struct embed_guard_saved *s, struct vb_error *err)
{
	if (!s->taken)
		return VB_OK;
	size_t len;
	int existed;
	char *now = slurp(path, &len, &existed);
	int same = existed == s->existed && (!existed || (len == s->len && memcmp(now, s->bytes, len) == 0));
	free(now);
	if (same)
		return VB_OK;
	if (!s->existed)
		return unlink(path) == 0 || errno == ENOENT ? VB_OK
		                                            : vb_err_set(err, VB_ERR_IO, "cannot remove %s: %s", path,
		                                                         strerror(errno));
	if (vb_write_file_private(path, s->bytes ? s->bytes : "", s->len) != 0) /* as ini_write: no symlink followed */
		return vb_err_set(err, VB_ERR_IO, "cannot write %s: %s", path, strerror(errno));
	return VB_OK;
}

void embed_guard_saved_free(struct embed_guard_saved *s)
{
	free(s->bytes);
	memset(s, 0, sizeof *s);
}

int embed_guard_apply(const char *path, const char *section, const char *strategy, int datus_file,
                      const struct embed_guard_model *m, int replace_confirmed, struct vb_error *err)
{
	int write_needed = 0;
	int st = embed_guard_check(path, section, strategy, datus_file, m, replace_confirmed, &write_needed, err);
	return st == VB_OK && write_needed ? embed_guard_record(path, section, m, err) : st;
}

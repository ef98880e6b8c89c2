/* backends/registry.c - backend lookup by name: built-ins, aliases (aliases.def) and plugins
 * vb_<name>.so loaded with dlopen, checked against the host's ABI before anything is called.
 * Single-threaded by design: the CLI and the console resolve backends from the main thread. */
#include "registry.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embedded/embedded.h"
#include "lancedb/lancedb.h"
#include "vb_util.h"

#ifndef VB_PLUGINDIR
#define VB_PLUGINDIR "/usr/local/lib/vbadmin"
#endif

static const struct {
	const char *alias;
	const char *target;
} aliases[] = {
#define VB_ALIAS(a, t) {a, t},
#include "aliases.def"
#undef VB_ALIAS
};

static const struct vb_ops *const builtins[] = {
	&vb_embedded_ops,
	&vb_lancedb_ops,
};

struct loaded_file {
	char *real;
	void *dl;
};

static struct vb_registry_entry *entries;
static size_t nentries, capentries;
static struct loaded_file *files;
static size_t nfiles;
static struct vb_registry_problem *problems;
static size_t nproblems;
static int initialised;

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static const struct vb_registry_entry *lookup(const char *canonical)
{
	for (size_t i = 0; i < nentries; i++)
		if (strcmp(entries[i].ops->name, canonical) == 0)
			return &entries[i];
	return NULL;
}

/* Every backend, built-in or plugin, passes the same gate: the host must be able to call the
 * mandatory slots through the struct layout it was compiled with. */
static int check_ops(const struct vb_ops *ops, const char *where, struct vb_error *err)
{
	if (!ops)
		return vb_err_set(err, VB_ERR_INVALID, "%s registered a NULL backend", where);
	const char *name = ops->name ? ops->name : "(unnamed)";
	if (ops->abi_version != VB_ABI_VERSION)
		return vb_err_set(err, VB_ERR_ABI,
		                  "backend '%s' in %s was built for vbadmin backend ABI %d, this vbadmin speaks ABI %d",
		                  name, where, ops->abi_version, VB_ABI_VERSION);
	size_t need = offsetof(struct vb_ops, result_free) + sizeof ops->result_free;
	if (ops->ops_size < need)
		return vb_err_set(err, VB_ERR_ABI,
		                  "backend '%s' in %s has an ops table of %zu bytes; ABI %d needs at least %zu",
		                  name, where, ops->ops_size, VB_ABI_VERSION, need);
	char buf[64];
	if (!ops->name || !vb_registry_canonical(ops->name, buf, sizeof buf) || strcmp(buf, ops->name) != 0)
		return vb_err_set(err, VB_ERR_INVALID,
		                  "backend in %s has an invalid name '%s': use lower-case letters, digits, '_' or '-'",
		                  where, name);
	if (!ops->open || !ops->close || !ops->result_free)
		return vb_err_set(err, VB_ERR_INVALID, "backend '%s' in %s lacks a mandatory slot (open, close, result_free)",
		                  name, where);
	const struct vb_registry_entry *dup = lookup(ops->name);
	if (dup)
		return vb_err_set(err, VB_ERR_INVALID, "backend '%s' in %s is already registered by %s", name, where,
		                  dup->path ? dup->path : "vbadmin (built-in)");
	return VB_OK;
}

static void add_entry(const struct vb_ops *ops, const char *path, const char *version)
{
	if (nentries == capentries) {
		capentries = capentries ? capentries * 2 : 8;
		entries = vb_xrealloc(entries, capentries * sizeof *entries);
	}
	entries[nentries++] = (struct vb_registry_entry){ops, vb_xstrdup(path), vb_xstrdup(version)};
}

static void ensure_init(void)
{
	if (initialised)
		return;
	initialised = 1;
	for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++) {
		struct vb_error err;
		if (check_ops(builtins[i], "vbadmin (built-in)", &err) == VB_OK)
			add_entry(builtins[i], NULL, builtins[i]->version ? builtins[i]->version() : NULL);
	}
}

int vb_registry_add(const struct vb_ops *ops)
{
	ensure_init();
	struct vb_error err;
	int rc = check_ops(ops, "vbadmin (built-in)", &err);
	if (rc == VB_OK)
		add_entry(ops, NULL, ops->version ? ops->version() : NULL);
	return rc;
}

const char *vb_registry_canonical(const char *name, char *buf, size_t len)
{
	if (!name || !*name)
		name = "default";
	size_t n = strlen(name);
	if (n + 1 > len)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return NULL;
		buf[i] = c;
	}
	buf[n] = '\0';
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(buf, aliases[i].alias) == 0)
			return aliases[i].target;
	return buf;
}

int vb_registry_aliases(const char *canonical, const char **out, int max)
{
	int n = 0;
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0] && n < max; i++)
		if (strcmp(aliases[i].target, canonical) == 0)
			out[n++] = aliases[i].alias;
	return n;
}

int vb_registry_cap_names(unsigned caps, const char **out, int max)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{VB_CAP_VECTOR, "vector"},     {VB_CAP_TEXT, "text"},     {VB_CAP_HYBRID, "hybrid"},
		{VB_CAP_NAMESPACED, "namespaced"}, {VB_CAP_CREATES, "creates"}, {VB_CAP_SQL, "sql"},
		{VB_CAP_CANCEL, "cancel"},     {VB_CAP_POLLFD, "pollfd"}, {VB_CAP_VECTOR_INDEX, "vector-index"},
	};
	int n = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0] && n < max; i++)
		if (caps & names[i].bit)
			out[n++] = names[i].name;
	return n;
}

/* ---- search path ---- */

struct dirlist {
	char **v;
	size_t n;
};

static void dirs_add(struct dirlist *d, char *dir)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i], dir) == 0) {
			free(dir);
			return;
		}
	d->v = vb_xrealloc(d->v, (d->n + 1) * sizeof *d->v);
	d->v[d->n++] = dir;
}

static void dirs_free(struct dirlist *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i]);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

/* Read at every lookup, not cached: tests and embedders change VBADMIN_PLUGIN_PATH at run time. */
static void search_dirs(struct dirlist *d)
{
	*d = (struct dirlist){0};
	const char *env = getenv("VBADMIN_PLUGIN_PATH");
	while (env && *env) {
		const char *colon = strchr(env, ':');
		size_t len = colon ? (size_t)(colon - env) : strlen(env);
		while (len > 1 && env[len - 1] == '/')
			len--;
		if (len)
			dirs_add(d, vb_xstrndup(env, len));
		env = colon ? colon + 1 : NULL;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			dirs_add(d, vb_xasprintf("%s/backends/pgvector", exe));
			dirs_add(d, vb_xasprintf("%s/plugins", exe));
		}
	}
	dirs_add(d, vb_xstrdup(VB_PLUGINDIR));
}

char *vb_registry_search_path(void)
{
	struct dirlist d;
	search_dirs(&d);
	struct vb_buf b;
	vb_buf_init(&b);
	for (size_t i = 0; i < d.n; i++) {
		if (i)
			vb_buf_addc(&b, ':');
		vb_buf_add(&b, d.v[i]);
	}
	dirs_free(&d);
	return vb_buf_steal(&b);
}

static char *find_plugin_file(const struct dirlist *d, const char *canonical)
{
	for (size_t i = 0; i < d->n; i++) {
		char *p = vb_xasprintf("%s/vb_%s.so", d->v[i], canonical);
		if (access(p, F_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* ---- loading ---- */

struct reg_ctx {
	const char *file;        /* base name, for messages */
	const struct vb_ops **ops;
	size_t nops;
	struct vb_error *err;
	int refused;
};

static int register_cb(void *vctx, const struct vb_ops *ops)
{
	struct reg_ctx *c = vctx;
	if (c->refused)
		return -1;
	int rc = check_ops(ops, c->file, c->err);
	for (size_t i = 0; rc == VB_OK && i < c->nops; i++)
		if (strcmp(c->ops[i]->name, ops->name) == 0)
			rc = vb_err_set(c->err, VB_ERR_INVALID, "plugin %s registered backend '%s' twice", c->file,
			                ops->name);
	if (rc != VB_OK) {
		c->refused = 1;
		return -1;
	}
	c->ops = vb_xrealloc(c->ops, (c->nops + 1) * sizeof *c->ops);
	c->ops[c->nops++] = ops;
	return 0;
}

static int load_fail(void *dl, const char *path, struct vb_error *err)
{
	if (dl)
		dlclose(dl);
	snprintf(err->detail, sizeof err->detail, "file: %s", path);
	return err->status;
}

static void *open_plugin(const char *real, const char *file, const char *path, struct vb_error *err)
{
	dlerror();
	void *dl = dlopen(real, RTLD_NOW | RTLD_LOCAL);
	if (dl)
		return dl;
	const char *why = dlerror();
	vb_err_set(err, VB_ERR_IO, "cannot load plugin %s: %s", file, why ? why : "unknown dlopen error");
	load_fail(NULL, path, err);
	snprintf(err->hint, sizeof err->hint,
	         "The usual cause is a library the plugin needs that is not installed, or a file that is not a "
	         "shared object for this machine. Run 'ldd %s' to see what is missing.", path);
	return NULL;
}

/* The magic is checked before init is called, so a plugin of another ABI is refused before
 * its init could misread vbadmin's structures. */
static const struct vb_plugin_magic *plugin_magic(void *dl, const char *file, const char *path, struct vb_error *err)
{
	const struct vb_plugin_magic *m = dlsym(dl, VB_PLUGIN_MAGIC_SYMBOL);
	if (!m) {
		vb_err_set(err, VB_ERR_ABI, "plugin %s does not export %s: it is not a vbadmin backend plugin", file,
		           VB_PLUGIN_MAGIC_SYMBOL);
		load_fail(dl, path, err);
		snprintf(err->hint, sizeof err->hint,
		         "A plugin exports vb_plugin_magic and vb_plugin_init; see docs/extending.md.");
		return NULL;
	}
	if (m->abi_version != VB_ABI_VERSION) {
		vb_err_set(err, VB_ERR_ABI, "plugin %s was built for vbadmin backend ABI %d, this vbadmin speaks ABI %d",
		           file, m->abi_version, VB_ABI_VERSION);
		load_fail(dl, path, err);
		snprintf(err->hint, sizeof err->hint,
		         "Rebuild the plugin against this vbadmin's backends/vb.h (ABI %d), or remove it from the plugin path.",
		         VB_ABI_VERSION);
		return NULL;
	}
	if (m->size != sizeof *m) {
		vb_err_set(err, VB_ERR_ABI,
		           "plugin %s has a %zu-byte vb_plugin_magic; ABI %d uses %zu bytes: rebuild it against this vbadmin",
		           file, m->size, VB_ABI_VERSION, sizeof *m);
		load_fail(dl, path, err);
		return NULL;
	}
	return m;
}

/* Runs the plugin's init; its backends are registered only when all of them were accepted. */
static int init_plugin(void *dl, const struct vb_plugin_magic *m, const char *file, const char *path,
                       struct vb_error *err)
{
	vb_plugin_init_fn init = (vb_plugin_init_fn)dlsym(dl, VB_PLUGIN_INIT_SYMBOL);
	if (!init) {
		vb_err_set(err, VB_ERR_ABI, "plugin %s exports vb_plugin_magic but not %s", file, VB_PLUGIN_INIT_SYMBOL);
		return load_fail(dl, path, err);
	}
	struct reg_ctx ctx = {.file = file, .err = err};
	char why[256] = "";
	int rc = init(register_cb, &ctx, why, sizeof why);
	if (ctx.refused) {
		free(ctx.ops);
		return load_fail(dl, path, err);
	}
	if (rc != 0 || ctx.nops == 0) {
		free(ctx.ops);
		if (rc != 0)
			vb_err_set(err, VB_ERR_INTERNAL, "plugin %s failed to initialise: %s", file,
			           why[0] ? why : "it gave no reason");
		else
			vb_err_set(err, VB_ERR_INVALID, "plugin %s registered no backend", file);
		return load_fail(dl, path, err);
	}
	for (size_t i = 0; i < ctx.nops; i++)
		add_entry(ctx.ops[i], path, m->plugin_version);
	free(ctx.ops);
	return VB_OK;
}

/* Loads one plugin file and registers what it provides; a file already loaded (same real
 * path) is not loaded again. */
static int load_plugin(const char *path, struct vb_error *err)
{
	const char *file = base_name(path);
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		vb_err_set(err, VB_ERR_NOT_FOUND, "cannot open plugin %s: %s", file, strerror(errno));
		return load_fail(NULL, path, err);
	}
	for (size_t i = 0; i < nfiles; i++)
		if (strcmp(files[i].real, real) == 0)
			return VB_OK;
	void *dl = open_plugin(real, file, path, err);
	if (!dl)
		return err->status;
	const struct vb_plugin_magic *m = plugin_magic(dl, file, path, err);
	if (!m)
		return err->status;
	int rc = init_plugin(dl, m, file, path, err);
	if (rc != VB_OK)
		return rc;
	files = vb_xrealloc(files, (nfiles + 1) * sizeof *files);
	files[nfiles++] = (struct loaded_file){vb_xstrdup(real), dl};
	return VB_OK;
}

/* ---- lookup ---- */

/* Plugin names found on the path, first directory wins: "vb_x.so" -> "x". */
static size_t scan_plugins(const struct dirlist *d, char ***names, char ***paths)
{
	size_t n = 0;
	*names = NULL;
	*paths = NULL;
	for (size_t i = 0; i < d->n; i++) {
		DIR *dir = opendir(d->v[i]);
		if (!dir)
			continue;
		struct dirent *de;
		while ((de = readdir(dir)) != NULL) {
			size_t len = strlen(de->d_name);
			if (len <= 6 || strncmp(de->d_name, "vb_", 3) != 0 || strcmp(de->d_name + len - 3, ".so") != 0)
				continue;
			char *name = vb_xstrndup(de->d_name + 3, len - 6);
			char buf[64];
			const char *canon = vb_registry_canonical(name, buf, sizeof buf);
			int seen = !canon || strcmp(canon, name) != 0; /* aliases are not plugin names */
			for (size_t k = 0; !seen && k < n; k++)
				seen = strcmp((*names)[k], name) == 0;
			if (seen) {
				free(name);
				continue;
			}
			*names = vb_xrealloc(*names, (n + 1) * sizeof **names);
			*paths = vb_xrealloc(*paths, (n + 1) * sizeof **paths);
			(*names)[n] = name;
			(*paths)[n] = vb_xasprintf("%s/%s", d->v[i], de->d_name);
			n++;
		}
		closedir(dir);
	}
	return n;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void unknown_error(const char *name, const char *canonical, const struct dirlist *d, struct vb_error *err)
{
	struct vb_buf avail;
	vb_buf_init(&avail);
	for (size_t i = 0; i < nentries; i++)
		vb_buf_printf(&avail, "%s%s", i ? ", " : "", entries[i].ops->name);
	char **names, **paths;
	size_t n = scan_plugins(d, &names, &paths);
	for (size_t i = 0; i < n; i++)
		if (!lookup(names[i]))
			vb_buf_printf(&avail, "%s%s", avail.len ? ", " : "", names[i]);
	free_strv(names, n);
	free_strv(paths, n);
	vb_err_set(err, VB_ERR_INVALID, "unknown backend '%s'. Available: %s", name, avail.data ? avail.data : "(none)");
	vb_buf_free(&avail);

	struct vb_buf b;
	vb_buf_init(&b);
	vb_buf_printf(&b, "searched for vb_%s.so in: ", canonical);
	for (size_t i = 0; i < d->n; i++)
		vb_buf_printf(&b, "%s%s", i ? ", " : "", d->v[i]);
	snprintf(err->detail, sizeof err->detail, "%s", b.data);
	vb_buf_reset(&b);
	vb_buf_add(&b, "Use one of the available names");
	const char *last = NULL;
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
		if (!last || strcmp(last, aliases[i].target) != 0)
			vb_buf_printf(&b, "%s %s", last ? ";" : " (aliases:", aliases[i].target);
		vb_buf_printf(&b, " %s %s", last && strcmp(last, aliases[i].target) == 0 ? "/" : "=", aliases[i].alias);
		last = aliases[i].target;
	}
	vb_buf_printf(&b, "%s, or put vb_%s.so in a directory on VBADMIN_PLUGIN_PATH.", last ? ")" : "", canonical);
	snprintf(err->hint, sizeof err->hint, "%s", b.data);
	vb_buf_free(&b);
}

const struct vb_ops *vb_registry_find(const char *name, struct vb_error *err)
{
	struct vb_error local;
	if (!err)
		err = &local;
	vb_err_clear(err);
	ensure_init();
	char buf[64];
	const char *canonical = vb_registry_canonical(name, buf, sizeof buf);
	if (!canonical) {
		vb_err_set(err, VB_ERR_INVALID, "backend name '%.100s' is not valid: use letters, digits, '_' or '-'",
		           name);
		return NULL;
	}
	const struct vb_registry_entry *e = lookup(canonical);
	if (e)
		return e->ops;

	struct dirlist d;
	search_dirs(&d);
	char *path = find_plugin_file(&d, canonical);
	if (path) {
		int rc = load_plugin(path, err);
		e = rc == VB_OK ? lookup(canonical) : NULL;
		if (rc == VB_OK && !e)
			vb_err_set(err, VB_ERR_INVALID, "plugin %s loaded but provides no backend named '%s'", base_name(path),
			           canonical);
		free(path);
	} else {
		unknown_error(name && *name ? name : "default", canonical, &d, err);
	}
	dirs_free(&d);
	return e ? e->ops : NULL;
}

int vb_registry_open(const struct vb_config *cfg, const struct vb_ops **ops, struct vb_handle **h,
                     struct vb_error *err)
{
	struct vb_error local;
	if (!err)
		err = &local;
	*ops = NULL;
	*h = NULL;
	const struct vb_ops *o = vb_registry_find(cfg ? cfg->backend : NULL, err);
	if (!o)
		return err->status;
	struct vb_config c = cfg ? *cfg : (struct vb_config){0};
	c.backend = o->name;
	int rc = o->open(&c, h, err);
	if (rc != VB_OK) {
		if (*h)
			o->close(h);
		*h = NULL;
		if (err->status == VB_OK)
			vb_err_set(err, rc, "backend '%s' failed to open", o->name);
		return rc;
	}
	*ops = o;
	return VB_OK;
}

static void add_problem(const char *path, const char *message)
{
	problems = vb_xrealloc(problems, (nproblems + 1) * sizeof *problems);
	problems[nproblems++] = (struct vb_registry_problem){vb_xstrdup(path), vb_xstrdup(message)};
}

const struct vb_registry_entry *vb_registry_list(size_t *n)
{
	ensure_init();
	for (size_t i = 0; i < nproblems; i++) {
		free((char *)problems[i].path);
		free((char *)problems[i].message);
	}
	nproblems = 0;
	struct dirlist d;
	search_dirs(&d);
	char **names, **paths;
	size_t np = scan_plugins(&d, &names, &paths);
	for (size_t i = 0; i < np; i++) {
		const struct vb_registry_entry *e = lookup(names[i]);
		if (e && !e->path) {
			char *msg = vb_xasprintf("not loaded: the built-in backend '%s' has that name", names[i]);
			add_problem(paths[i], msg);
			free(msg);
			continue;
		}
		if (e)
			continue;
		struct vb_error err;
		vb_err_clear(&err);
		if (load_plugin(paths[i], &err) != VB_OK)
			add_problem(paths[i], err.message);
	}
	free_strv(names, np);
	free_strv(paths, np);
	dirs_free(&d);
	*n = nentries;
	return entries;
}

const struct vb_registry_problem *vb_registry_problems(size_t *n)
{
	*n = nproblems;
	return problems;
}

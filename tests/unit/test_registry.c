/* tests/unit/test_registry.c - backend registry and plugin loader: aliases, unknown names listing
 * what exists, the plugin search order, ABI refusal with both versions named (magic and ops),
 * dlopen failures with file and ldd hint, init failures, one load per real path, list and open.
 * Test plugins are compiled here with cc into a temp dir; the sample plugin and the pgvector
 * plugin come from the build dir this binary sits in ($B/tests/test_registry). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "../backends/registry.h"
#include "../backends/vb_util.h"

static char tmp[PATH_MAX];
static char build[PATH_MAX]; /* $B */
static char root[PATH_MAX];  /* repo root, for -I */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* A test plugin: MAGIC_ABI / OPS_ABI / OPS_SIZE / NO_INIT / INIT_FAILS / NAME select the fault. */
static const char plugin_src[] =
	"#include <stdio.h>\n"
	"#include \"vb.h\"\n"
	"#ifndef MAGIC_ABI\n#define MAGIC_ABI VB_ABI_VERSION\n#endif\n"
	"#ifndef OPS_ABI\n#define OPS_ABI VB_ABI_VERSION\n#endif\n"
	"#ifndef OPS_SIZE\n#define OPS_SIZE sizeof(struct vb_ops)\n#endif\n"
	"static int o(const struct vb_config *c, struct vb_handle **h, struct vb_error *e)\n"
	"{ (void)c; (void)e; *h = (struct vb_handle *)1; return 0; }\n"
	"static void cl(struct vb_handle **h) { *h = NULL; }\n"
	"static void rf(struct vb_handle *h, struct vb_result **r) { (void)h; *r = NULL; }\n"
	"static const char *ver(void) { return \"t 0.1\"; }\n"
	"static const struct vb_ops ops = { .abi_version = OPS_ABI, .ops_size = OPS_SIZE, .name = NAME,\n"
	"  .version = ver, .open = o, .close = cl, .result_free = rf };\n"
	"const struct vb_plugin_magic vb_plugin_magic = { sizeof(struct vb_plugin_magic), MAGIC_ABI, NAME, \"t 0.1\" };\n"
	"#ifndef NO_INIT\n"
	"int vb_plugin_init(vb_register_fn reg, void *ctx, char *errbuf, size_t errlen);\n"
	"int vb_plugin_init(vb_register_fn reg, void *ctx, char *errbuf, size_t errlen)\n"
	"{\n"
	"#ifdef INIT_FAILS\n"
	"  (void)reg; (void)ctx; snprintf(errbuf, errlen, \"no licence file\"); return 1;\n"
	"#else\n"
	"  (void)errbuf; (void)errlen; return reg(ctx, &ops);\n"
	"#endif\n"
	"}\n"
	"#endif\n";

static void build_plugin(const char *dir, const char *name, const char *defines)
{
	char *cmd = vb_xasprintf("cc -std=c11 -shared -fPIC -I'%s/backends' -DNAME='\"%s\"' %s -o '%s/vb_%s.so' '%s/plugin.c'",
	                         root, name, defines, dir, name, tmp);
	int rc = system(cmd);
	if (rc != 0) {
		printf("# could not build test plugin: %s\n", cmd);
		exit(1);
	}
	free(cmd);
}

static void setup_paths(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	*strrchr(exe, '/') = '\0'; /* $B/tests */
	*strrchr(exe, '/') = '\0'; /* $B */
	snprintf(build, sizeof build, "%s", exe);
	/* __FILE__ is "tests/unit/test_registry.c" relative to the root the makefile runs in */
	const char *file = __FILE__;
	const char *suffix = strstr(file, "tests/unit/test_registry.c");
	if (suffix && suffix != file)
		snprintf(root, sizeof root, "%.*s", (int)(suffix - file - 1), file);
	else if (!getcwd(root, sizeof root))
		exit(1);
	snprintf(tmp, sizeof tmp, "/tmp/vbreg.XXXXXX");
	if (!mkdtemp(tmp))
		exit(1);
}

static void test_aliases(void)
{
	char buf[64];
	is_str(vb_registry_canonical("pgvector", buf, sizeof buf), "pgvector", "pgvector is canonical");
	is_str(vb_registry_canonical("PostgreSQL", buf, sizeof buf), "pgvector", "PostgreSQL -> pgvector (case-insensitive)");
	is_str(vb_registry_canonical("postgres", buf, sizeof buf), "pgvector", "postgres -> pgvector");
	is_str(vb_registry_canonical("pg", buf, sizeof buf), "pgvector", "pg -> pgvector");
	is_str(vb_registry_canonical("lancedb", buf, sizeof buf), "lancedb", "lancedb is its own backend (Datus's LanceDB)");
	is_str(vb_registry_canonical("lance", buf, sizeof buf), "lancedb", "lance -> lancedb");
	is_str(vb_registry_canonical("SQLite", buf, sizeof buf), "embedded", "SQLite -> embedded");
	is_str(vb_registry_canonical("default", buf, sizeof buf), "embedded", "default -> embedded");
	is_str(vb_registry_canonical("", buf, sizeof buf), "embedded", "empty name -> embedded");
	is_str(vb_registry_canonical("My_Store-2", buf, sizeof buf), "my_store-2", "other names are lower-cased as is");
	ok(vb_registry_canonical("../etc/x", buf, sizeof buf) == NULL, "a name with '/' or '.' is refused (no path tricks)");

	const char *al[8];
	int n = vb_registry_aliases("pgvector", al, 8);
	is_int(n, 3, "pgvector has 3 aliases");
	ok(n == 3 && !strcmp(al[0], "postgresql") && !strcmp(al[1], "postgres") && !strcmp(al[2], "pg"),
	   "pgvector aliases: postgresql, postgres, pg");
	is_int(vb_registry_aliases("embedded", al, 8), 2, "embedded has 2 aliases (sqlite, default)");
	n = vb_registry_aliases("lancedb", al, 8);
	ok(n == 1 && !strcmp(al[0], "lance"), "lancedb has the alias lance");

	const char *caps[16];
	n = vb_registry_cap_names(VB_CAP_VECTOR | VB_CAP_HYBRID | VB_CAP_SQL, caps, 16);
	ok(n == 3 && !strcmp(caps[0], "vector") && !strcmp(caps[1], "hybrid") && !strcmp(caps[2], "sql"),
	   "capability names of vector|hybrid|sql");
}

static void test_builtin(void)
{
	struct vb_error err;
	const struct vb_ops *o = vb_registry_find("sqlite", &err);
	ok(o && !strcmp(o->name, "embedded"), "sqlite finds the built-in embedded backend");
	ok(vb_registry_find("SQLITE", &err) == o, "SQLITE finds the same built-in");
	const struct vb_ops *l = vb_registry_find("LANCE", &err);
	ok(l && !strcmp(l->name, "lancedb") && l != o, "LANCE finds the built-in lancedb backend, not embedded");
	ok(vb_registry_find(NULL, &err) == o, "no name finds the embedded default");
}

static void test_plugins_and_unknown(void)
{
	char *path = vb_xasprintf("%s/tests/plugins:%s/backends/pgvector", build, build);
	setenv("VBADMIN_PLUGIN_PATH", path, 1);
	free(path);
	struct vb_error err;
	const struct vb_ops *s = vb_registry_find("sample", &err);
	ok(s && !strcmp(s->name, "sample"), "sample found as vb_sample.so on VBADMIN_PLUGIN_PATH");
	if (!s)
		printf("# %s / %s\n", err.message, err.detail);
	const struct vb_ops *p = vb_registry_find("Postgres", &err);
	ok(p && !strcmp(p->name, "pgvector"), "Postgres resolves to the pgvector plugin vb_pgvector.so");
	if (!p)
		printf("# %s / %s\n", err.message, err.detail);

	const struct vb_ops *u = vb_registry_find("nosuch", &err);
	ok(u == NULL, "unknown name: NULL, no silent fallback");
	is_int(err.status, VB_ERR_INVALID, "unknown name: VB_ERR_INVALID");
	has_str(err.message, "unknown backend 'nosuch'. Available: ", "unknown name: message");
	has_str(err.message, "embedded", "unknown name lists the built-in");
	has_str(err.message, "sample", "unknown name lists the loaded plugin");
	has_str(err.message, "pgvector", "unknown name lists pgvector");
	has_str(err.detail, "searched for vb_nosuch.so in: ", "unknown name: detail names the file looked for");
	has_str(err.detail, "/tests/plugins", "unknown name: detail names the directories");
	has_str(err.hint, "postgresql / postgres / pg", "unknown name: hint lists the aliases");
	has_str(err.hint, "VBADMIN_PLUGIN_PATH", "unknown name: hint names VBADMIN_PLUGIN_PATH");

	u = vb_registry_find("bad/name", &err);
	ok(u == NULL && err.status == VB_ERR_INVALID, "a name with '/' is refused");
	has_str(err.message, "is not valid", "... saying why");
}

/* Two plugin directories: d1 with plugins broken every way a file can be (another ABI, a small
 * ops table, no init, a failing init, not a shared object), d2 with a good one and a symlink. */
static void fault_fixtures(const char *d1, const char *d2)
{
	char *plug = vb_xasprintf("%s/plugin.c", tmp);
	write_file(plug, plugin_src);
	free(plug);
	mkdir(d1, 0755);
	mkdir(d2, 0755);
	char abi_def[64];
	snprintf(abi_def, sizeof abi_def, "-DMAGIC_ABI=%d", VB_ABI_VERSION + 1);
	build_plugin(d1, "abi2", abi_def);
	snprintf(abi_def, sizeof abi_def, "-DOPS_ABI=%d", VB_ABI_VERSION + 1);
	build_plugin(d1, "opsabi", abi_def);
	build_plugin(d1, "small", "-DOPS_SIZE=16");
	build_plugin(d1, "noinit", "-DNO_INIT");
	build_plugin(d1, "initfail", "-DINIT_FAILS");
	build_plugin(d1, "good", "");
	build_plugin(d2, "good2", "");
	char *p = vb_xasprintf("%s/vb_notso.so", d1);
	write_file(p, "This is a text file named like a plugin. It is long enough for the dynamic loader to read a\n"
	              "whole ELF header from it, so dlopen fails on the header rather than on the length.\n");
	free(p);
	/* the same name in both: the first directory wins */
	p = vb_xasprintf("%s/vb_order.so", d1);
	write_file(p, "first\n");
	free(p);
	p = vb_xasprintf("%s/vb_order.so", d2);
	write_file(p, "second\n");
	free(p);
	/* a second name for the sample plugin's file: loaded once by real path */
	char *target = vb_xasprintf("%s/tests/plugins/vb_sample.so", build), *link = vb_xasprintf("%s/vb_twin.so", d2);
	if (symlink(target, link) != 0)
		perror("symlink");
	free(target);
	free(link);

}

static void fault_search_order(const char *d1, const char *d2)
{
	/* no build dir on the path: the sample plugin is found beside this binary ($B/tests/plugins) */
	char *env = vb_xasprintf("%s::%s/", d1, d2);
	setenv("VBADMIN_PLUGIN_PATH", env, 1);
	free(env);
	char *sp = vb_registry_search_path();
	char *want = vb_xasprintf("%s:%s:%s/tests/backends/pgvector:%s/tests/plugins:", d1, d2, build, build);
	ok(strncmp(sp, want, strlen(want)) == 0,
	   "search order: VBADMIN_PLUGIN_PATH (empty parts and trailing '/' dropped), then beside the executable");
	if (strncmp(sp, want, strlen(want)) != 0)
		printf("# got  %s\n# want %s...\n", sp, want);
	size_t len = strlen(sp), lp = strlen(VB_PLUGINDIR);
	ok(len > lp && strcmp(sp + len - lp, VB_PLUGINDIR) == 0, "search order ends with VB_PLUGINDIR (%s)", VB_PLUGINDIR);
	free(sp);
	free(want);

}

static void fault_refusals(void)
{
	struct vb_error err;
	char expect[256];
	ok(vb_registry_find("abi2", &err) == NULL, "plugin built for another ABI: refused");
	is_int(err.status, VB_ERR_ABI, "... with VB_ERR_ABI");
	snprintf(expect, sizeof expect, "plugin vb_abi2.so was built for vbadmin backend ABI %d, this vbadmin speaks ABI %d",
	         VB_ABI_VERSION + 1, VB_ABI_VERSION);
	is_str(err.message, expect, "ABI mismatch message names both versions");
	has_str(err.detail, "/d1/vb_abi2.so", "ABI mismatch detail names the file");
	has_str(err.hint, "Rebuild the plugin", "ABI mismatch hint says what to do");

	ok(vb_registry_find("opsabi", &err) == NULL, "backend ops with another ABI: refused");
	snprintf(expect, sizeof expect,
	         "backend 'opsabi' in vb_opsabi.so was built for vbadmin backend ABI %d, this vbadmin speaks ABI %d",
	         VB_ABI_VERSION + 1, VB_ABI_VERSION);
	is_str(err.message, expect, "ops ABI mismatch message names both versions");
	ok(vb_registry_find("small", &err) == NULL && err.status == VB_ERR_ABI, "ops table smaller than ABI 1 needs: refused");
	has_str(err.message, "has an ops table of 16 bytes", "... naming the size");

	ok(vb_registry_find("notso", &err) == NULL, "a file that is not a shared object: refused");
	is_int(err.status, VB_ERR_IO, "... with VB_ERR_IO");
	has_str(err.message, "cannot load plugin vb_notso.so: ", "dlopen failure message names the file");
	has_str(err.message, "vb_notso.so: invalid ELF header", "... and carries dlerror()");
	has_str(err.hint, "ldd ", "dlopen failure hint suggests ldd");
	has_str(err.hint, "/d1/vb_notso.so", "... on the file");

	ok(vb_registry_find("order", &err) == NULL, "vb_order.so (garbage in both directories) fails");
	has_str(err.detail, "/d1/vb_order.so", "the first directory on the path wins");

	ok(vb_registry_find("noinit", &err) == NULL, "plugin without vb_plugin_init: refused");
	has_str(err.message, "exports vb_plugin_magic but not vb_plugin_init", "... saying so");
	ok(vb_registry_find("initfail", &err) == NULL, "plugin whose init fails: refused");
	is_str(err.message, "plugin vb_initfail.so failed to initialise: no licence file", "... with the plugin's reason");

}

static void fault_loads(void)
{
	struct vb_error err;
	const struct vb_ops *g = vb_registry_find("good", &err);
	ok(g && !strcmp(g->name, "good"), "a well-formed test plugin loads");
	ok(vb_registry_find("good2", &err) != NULL, "a plugin in the second directory loads");

	ok(vb_registry_find("sample", &err) != NULL, "sample is still found");
	ok(vb_registry_find("twin", &err) == NULL, "vb_twin.so (a symlink to vb_sample.so) provides no 'twin'");
	is_str(err.message, "plugin vb_twin.so loaded but provides no backend named 'twin'",
	       "the same real file is not loaded (nor registered) twice");

}

/* vb_registry_list and vb_registry_problems after the loads above: the broken files are
 * problems with their reason, the good ones entries. */
static void fault_list(void)
{
	size_t n, np;
	const struct vb_registry_entry *e = vb_registry_list(&n);
	int have_emb = 0, have_sample = 0, have_good = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(e[i].ops->name, "embedded"))
			have_emb = e[i].path == NULL;
		if (!strcmp(e[i].ops->name, "sample"))
			have_sample = e[i].path && strstr(e[i].path, "vb_sample.so") && e[i].plugin_version &&
			              !strcmp(e[i].plugin_version, "sample 1.0 (in-memory)");
		if (!strcmp(e[i].ops->name, "good"))
			have_good = 1;
	}
	ok(have_emb, "list: embedded is built in (no path)");
	ok(have_sample, "list: sample with its file and plugin version");
	ok(have_good, "list: the good test plugin");
	const struct vb_registry_problem *pr = vb_registry_problems(&np);
	int seen_abi = 0, seen_notso = 0;
	for (size_t i = 0; i < np; i++) {
		if (strstr(pr[i].path, "vb_abi2.so") && strstr(pr[i].message, "ABI"))
			seen_abi = 1;
		if (strstr(pr[i].path, "vb_notso.so") && strstr(pr[i].message, "cannot load plugin"))
			seen_notso = 1;
	}
	ok(seen_abi && seen_notso, "list: broken plugins are reported as problems with the reason (%zu problems)", np);

}

static void fault_open(void)
{
	struct vb_error err;
	const struct vb_ops *o = NULL;
	struct vb_handle *h = NULL;
	struct vb_config cfg = {.backend = "sample", .namespace = "unit"};
	int rc = vb_registry_open(&cfg, &o, &h, &err);
	ok(rc == VB_OK && o && !strcmp(o->name, "sample") && h, "vb_registry_open opens the sample plugin");
	if (o && h)
		o->close(&h);
	ok(h == NULL, "close clears the handle");
	cfg.backend = "nosuch";
	rc = vb_registry_open(&cfg, &o, &h, &err);
	ok(rc == VB_ERR_INVALID && o == NULL && h == NULL, "vb_registry_open on an unknown name fails with NULL outputs");

}

static void test_faults(void)
{
	char *d1 = vb_xasprintf("%s/d1", tmp), *d2 = vb_xasprintf("%s/d2", tmp);
	fault_fixtures(d1, d2);
	fault_search_order(d1, d2);
	fault_refusals();
	fault_loads();
	fault_list();
	fault_open();
	free(d1);
	free(d2);
}

static void test_add(void)
{
	struct vb_ops bad = {.abi_version = VB_ABI_VERSION + 7, .ops_size = sizeof(struct vb_ops), .name = "x"};
	is_int(vb_registry_add(&bad), VB_ERR_ABI, "vb_registry_add refuses another ABI");
	struct vb_error err;
	const struct vb_ops *emb = vb_registry_find("embedded", &err);
	is_int(vb_registry_add(emb), VB_ERR_INVALID, "vb_registry_add refuses a duplicate name");
}

int main(void)
{
	setup_paths();
	unsetenv("VBADMIN_PLUGIN_PATH");
	test_aliases();
	test_builtin();
	test_add();
	test_plugins_and_unknown();
	test_faults();
	char *cmd = vb_xasprintf("rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	free(cmd);
	return tap_done();
}

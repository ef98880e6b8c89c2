/* cli/cli_backends.c - `vbadmin backends [--json]`: every backend vbadmin can use, built in or
 * found as a plugin on the search path, with aliases, version and capabilities; plugin files
 * that could not be loaded are listed with the reason (exit 1 then).
 * JSON shape (stable; docs/backends.md):
 *   {"search_path": [str], "backends": [{"name", "kind": "built-in"|"plugin", "path": str|null,
 *    "version": str|null, "plugin_version": str|null, "description": str|null,
 *    "abi_version": int, "aliases": [str], "capabilities": [str]}],
 *    "problems": [{"path", "message"}]} */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_json.h"
#include "../backends/registry.h"

#define MAXN 16

static json_t *json_strs(const char *const *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, cli_json_str(v[i]));
	return a;
}

static json_t *backend_json(const struct vb_registry_entry *e)
{
	const struct vb_ops *o = e->ops;
	const char *aliases[MAXN], *caps[MAXN];
	int na = vb_registry_aliases(o->name, aliases, MAXN);
	int nc = vb_registry_cap_names(o->caps, caps, MAXN);
	json_t *j = json_object();
	json_object_set_new(j, "name", cli_json_str(o->name));
	json_object_set_new(j, "kind", json_string(e->path ? "plugin" : "built-in"));
	json_object_set_new(j, "path", cli_json_str(e->path));
	json_object_set_new(j, "version", cli_json_str(o->version ? o->version() : NULL));
	json_object_set_new(j, "plugin_version", cli_json_str(e->path ? e->plugin_version : NULL));
	json_object_set_new(j, "description", cli_json_str(o->description));
	json_object_set_new(j, "abi_version", json_integer(o->abi_version));
	json_object_set_new(j, "aliases", json_strs(aliases, na));
	json_object_set_new(j, "capabilities", json_strs(caps, nc));
	return j;
}

static void print_json(struct cli_ctx *ctx, const struct vb_registry_entry *e, size_t n,
                       const struct vb_registry_problem *p, size_t np, const char *const *dirs, int ndirs)
{
	json_t *list = json_array(), *problems = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, backend_json(&e[i]));
	for (size_t i = 0; i < np; i++)
		json_array_append_new(problems, json_pack("{s:o, s:o}", "path", cli_json_str(p[i].path), "message",
		                                          cli_json_str(p[i].message)));
	cli_json_emit(ctx->out, json_pack("{s:o, s:o, s:o}", "search_path", json_strs(dirs, ndirs), "backends", list,
	                                  "problems", problems));
}

/* The ':'-joined search path split in place; returns the count. */
static int split_path(char *path, const char **out, int max)
{
	int n = 0;
	for (char *s = path; s && *s && n < max;) {
		char *colon = strchr(s, ':');
		if (colon)
			*colon = '\0';
		out[n++] = s;
		s = colon ? colon + 1 : NULL;
	}
	return n;
}

int cli_backends(struct cli_ctx *ctx, int argc, char **argv)
{
	int json = 0;
	int rc = cli_parse_json_flag(ctx, "backends", argc, argv, &json);
	if (rc)
		return rc;
	size_t n, np;
	const struct vb_registry_entry *e = vb_registry_list(&n);
	const struct vb_registry_problem *p = vb_registry_problems(&np);
	char *path = vb_registry_search_path();
	const char *dirs[64];
	int ndirs = split_path(path, dirs, 64);

	if (json) {
		print_json(ctx, e, n, p, np, dirs, ndirs);
		free(path);
		return VB_EXIT_OK;
	}
	struct vb_buf b;
	vb_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		const struct vb_ops *o = e[i].ops;
		const char *aliases[MAXN], *caps[MAXN];
		int na = vb_registry_aliases(o->name, aliases, MAXN);
		int nc = vb_registry_cap_names(o->caps, caps, MAXN);
		const char *version = o->version ? o->version() : NULL;
		vb_buf_printf(&b, "%-10s %s%s%s\n", o->name, e[i].path ? "plugin " : "built-in",
		              e[i].path ? e[i].path : "", "");
		vb_buf_printf(&b, "           version:      %s\n", version ? version : "-");
		if (o->description)
			vb_buf_printf(&b, "           description:  %s\n", o->description);
		vb_buf_add(&b, "           aliases:      ");
		for (int k = 0; k < na; k++)
			vb_buf_printf(&b, "%s%s", k ? ", " : "", aliases[k]);
		vb_buf_add(&b, na ? "\n" : "-\n");
		vb_buf_add(&b, "           capabilities: ");
		for (int k = 0; k < nc; k++)
			vb_buf_printf(&b, "%s%s", k ? ", " : "", caps[k]);
		vb_buf_add(&b, nc ? "\n" : "-\n");
	}
	{
		vb_buf_add(&b, "\nplugin search path (first match wins; set VBADMIN_PLUGIN_PATH to add directories):\n");
		for (int k = 0; k < ndirs; k++)
			vb_buf_printf(&b, "  %s\n", dirs[k]);
		for (size_t i = 0; i < np; i++)
			vb_buf_printf(&b, "%sproblem: %s: %s\n", i ? "" : "\n", p[i].path, p[i].message);
	}
	fputs(b.data, ctx->out);
	vb_buf_free(&b);
	free(path);
	return np ? VB_EXIT_FIXABLE : VB_EXIT_OK;
}

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
#include "../backends/registry.h"

#define MAXN 16

static void json_strs(struct vb_buf *b, const char *const *v, int n)
{
	vb_buf_addc(b, '[');
	for (int i = 0; i < n; i++) {
		if (i)
			vb_buf_add(b, ", ");
		vb_buf_json_str(b, v[i]);
	}
	vb_buf_addc(b, ']');
}

static void json_str_or_null(struct vb_buf *b, const char *s)
{
	if (s)
		vb_buf_json_str(b, s);
	else
		vb_buf_add(b, "null");
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
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			return cli_usage_error(ctx, "backends", "backends: unknown argument '%s'", argv[i]);
	}
	size_t n, np;
	const struct vb_registry_entry *e = vb_registry_list(&n);
	const struct vb_registry_problem *p = vb_registry_problems(&np);
	char *path = vb_registry_search_path();
	const char *dirs[64];
	int ndirs = split_path(path, dirs, 64);

	struct vb_buf b;
	vb_buf_init(&b);
	if (json) {
		vb_buf_add(&b, "{\"search_path\": ");
		json_strs(&b, dirs, ndirs);
		vb_buf_add(&b, ", \"backends\": [");
	}
	for (size_t i = 0; i < n; i++) {
		const struct vb_ops *o = e[i].ops;
		const char *aliases[MAXN], *caps[MAXN];
		int na = vb_registry_aliases(o->name, aliases, MAXN);
		int nc = vb_registry_cap_names(o->caps, caps, MAXN);
		const char *version = o->version ? o->version() : NULL;
		if (json) {
			vb_buf_add(&b, i ? ", {\"name\": " : "{\"name\": ");
			vb_buf_json_str(&b, o->name);
			vb_buf_printf(&b, ", \"kind\": \"%s\", \"path\": ", e[i].path ? "plugin" : "built-in");
			json_str_or_null(&b, e[i].path);
			vb_buf_add(&b, ", \"version\": ");
			json_str_or_null(&b, version);
			vb_buf_add(&b, ", \"plugin_version\": ");
			json_str_or_null(&b, e[i].path ? e[i].plugin_version : NULL);
			vb_buf_add(&b, ", \"description\": ");
			json_str_or_null(&b, o->description);
			vb_buf_printf(&b, ", \"abi_version\": %d, \"aliases\": ", o->abi_version);
			json_strs(&b, aliases, na);
			vb_buf_add(&b, ", \"capabilities\": ");
			json_strs(&b, caps, nc);
			vb_buf_addc(&b, '}');
			continue;
		}
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
	if (json) {
		vb_buf_add(&b, "], \"problems\": [");
		for (size_t i = 0; i < np; i++) {
			vb_buf_add(&b, i ? ", {\"path\": " : "{\"path\": ");
			vb_buf_json_str(&b, p[i].path);
			vb_buf_add(&b, ", \"message\": ");
			vb_buf_json_str(&b, p[i].message);
			vb_buf_addc(&b, '}');
		}
		vb_buf_add(&b, "]}\n");
	} else {
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

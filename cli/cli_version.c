/* cli/cli_version.c - `vbadmin --version`: what a bug report needs: vbadmin's version, the
 * plugin ABI it loads, and every backend it finds with its version and where it came from. */
#include "../backends/registry.h"
#include "cli.h"

int cli_version(struct cli_ctx *ctx)
{
	fprintf(ctx->out, "vbadmin %s\nplugin ABI %d\n", VBADMIN_VERSION, VB_ABI_VERSION);
	size_t n;
	const struct vb_registry_entry *e = vb_registry_list(&n);
	for (size_t i = 0; i < n; i++) {
		const struct vb_ops *o = e[i].ops;
		if (e[i].path)
			fprintf(ctx->out, "backend %-10s %s (plugin %s, %s)\n", o->name, o->version ? o->version() : "-",
			        e[i].plugin_version ? e[i].plugin_version : "-", e[i].path);
		else
			fprintf(ctx->out, "backend %-10s %s (built-in)\n", o->name, o->version ? o->version() : "-");
	}
	size_t np;
	const struct vb_registry_problem *p = vb_registry_problems(&np);
	for (size_t i = 0; i < np; i++)
		fprintf(ctx->out, "plugin not loaded: %s: %s\n", p[i].path, p[i].message);
	return VB_EXIT_OK;
}

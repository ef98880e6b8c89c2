/* engine/config.c - placeholder: no file support yet, embedded default only. */
#include "config.h"

#include <stdlib.h>

#include "../backends/vb_util.h"

int config_load(const char *explicit_path, struct config **out, struct vb_error *err)
{
	(void)explicit_path;
	(void)err;
	struct config *c = vb_xcalloc(1, sizeof *c);
	c->dim = 384;
	*out = c;
	return VB_OK;
}

void config_free(struct config **cfg)
{
	if (!cfg || !*cfg)
		return;
	free(*cfg);
	*cfg = NULL;
}

int config_resolve(const struct config *cfg, const char *ns, const char *backend_override,
                   struct vb_config *out, struct vb_error *err)
{
	(void)err;
	*out = (struct vb_config){0};
	out->backend = backend_override ? backend_override : "embedded";
	out->namespace = ns ? ns : "default";
	out->dim = cfg->dim;
	return VB_OK;
}

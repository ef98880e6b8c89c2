/* tests/fuzz/fuzz_config.c - libFuzzer target: the agent.yml loader (config_load on a scratch
 * file) and the resolver on what it loaded.  The input is the file.  Invariants: failure gives
 * VB_ERR_INVALID with a message naming the file and no config; success gives a config whose
 * every namespace and entry resolves or fails with a message. */
#include "fuzz_common.h"

#include "../../backends/vb_util.h"
#include "../../config/config.h"

static void fuzz_cfg_resolve(const struct config *c, const char *ns, const char *backend)
{
	struct vb_config vc;
	struct vb_error err;
	memset(&vc, 0, sizeof vc);
	vb_err_clear(&err);
	int rc = config_resolve(c, ns, backend, &vc, &err);
	if (rc == VB_OK) {
		FUZZ_CHECK(vc.backend && *vc.backend, "resolved without a backend");
		FUZZ_CHECK(vc.namespace && *vc.namespace, "resolved without a namespace");
		FUZZ_CHECK(vc.dim > 0, "resolved dim %d", vc.dim);
	} else {
		FUZZ_CHECK(err.message[0], "resolve failed (%d) without a message", rc);
	}
	(void)config_connection_db(c, ns);
	FUZZ_CHECK(config_backend_source(c, backend) != NULL, "no backend source");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int env_set;
	if (!env_set) { /* for ${VAR} substitution: one set, the unset ones are an error */
		setenv("VBFUZZ_HOST", "db.example", 1);
		setenv("VBFUZZ_PORT", "6543", 1);
		env_set = 1;
	}
	if (size > 65536)
		return 0;
	const char *path = fuzz_write_tmp(data, size);
	struct config *c = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	int rc = config_load(path, &c, &err);
	if (rc != VB_OK) {
		FUZZ_CHECK(c == NULL, "config returned on failure");
		FUZZ_CHECK(rc == VB_ERR_INVALID && err.status == rc, "status %d/%d", rc, err.status);
		FUZZ_CHECK(strstr(err.message, path) != NULL, "message does not name the file: %s", err.message);
		return 0;
	}
	FUZZ_CHECK(c != NULL && c->path && strcmp(c->path, path) == 0, "loaded config lacks its path");
	for (int i = 0; i < CONFIG_EMB_N; i++)
		FUZZ_CHECK(c->embeddings[i].dim_size > 0 && c->embeddings[i].batch_size > 0, "store %d: dim %d batch %d", i,
		           c->embeddings[i].dim_size, c->embeddings[i].batch_size);
	FUZZ_CHECK(c->dim > 0, "dim %d", c->dim);
	for (int i = 0; i < c->nwarnings; i++)
		FUZZ_CHECK(c->warnings[i] && c->warnings[i][0], "empty warning %d", i);
	fuzz_cfg_resolve(c, NULL, NULL);
	fuzz_cfg_resolve(c, NULL, "embedded");
	fuzz_cfg_resolve(c, "no-such-namespace", NULL);
	for (int i = 0; i < c->nnamespaces; i++) {
		const struct config_namespace *ns = &c->namespaces[i];
		FUZZ_CHECK(ns->name != NULL, "namespace %d without a name", i);
		FUZZ_CHECK(config_find_namespace(c, ns->name) != NULL, "namespace %s not found by name", ns->name);
		fuzz_cfg_resolve(c, ns->name, NULL);
		fuzz_cfg_resolve(c, ns->name, "pgvector");
		for (int j = 0; j < ns->ndbs; j++) {
			const struct config_db *db = &ns->dbs[j];
			FUZZ_CHECK(db->logic_name && db->type, "entry %s[%d] without name or type", ns->name, j);
			FUZZ_CHECK(config_find_db(ns, db->logic_name) != NULL, "entry %s not found", db->logic_name);
			(void)config_db_is_postgres(db);
		}
	}
	config_free(&c);
	FUZZ_CHECK(c == NULL, "config_free left the pointer");
	return 0;
}

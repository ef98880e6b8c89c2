/* tests/fuzz/fuzz_merge.c - libFuzzer target: agent.yml anchors, aliases and `<<:` merge keys
 * (issue 14.4: a 99-byte self-referencing merge list spun forever, a merge bomb grew
 * exponentially).  The input is appended to a fixed block of anchors, so every mutation can
 * alias and merge them.  Invariants: config_load ends within 2 s whatever the input, and a
 * failure is VB_ERR_INVALID naming the file; a success resolves every namespace. */
#include "fuzz_common.h"

#include <time.h>

#include "../../backends/vb_util.h"
#include "../../config/config.h"

static const char anchors[] =
	"x0: &a {type: postgresql, host: h, port: 5432}\n"
	"x1: &b {<<: *a, database: d}\n"
	"x2: &c {<<: [*a, *b], username: u}\n";

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	uint8_t *text = malloc(sizeof anchors - 1 + size + 1);
	memcpy(text, anchors, sizeof anchors - 1);
	memcpy(text + sizeof anchors - 1, data, size);
	const char *path = fuzz_write_tmp(text, sizeof anchors - 1 + size);
	free(text);
	struct config *c = NULL;
	struct vb_error err;
	vb_err_clear(&err);
	double t0 = now_s();
	int rc = config_load(path, &c, &err);
	for (int i = 0; rc == VB_OK && i < c->nnamespaces; i++) {
		struct vb_config vc;
		struct vb_error rerr;
		config_resolve(c, c->namespaces[i].name, NULL, &vc, &rerr);
	}
	double dt = now_s() - t0;
	FUZZ_CHECK(dt < 2.0, "loading and resolving took %.2f s", dt);
	if (rc != VB_OK) {
		FUZZ_CHECK(c == NULL, "config returned on failure");
		FUZZ_CHECK(rc == VB_ERR_INVALID && err.status == rc, "status %d/%d", rc, err.status);
		FUZZ_CHECK(strstr(err.message, path) != NULL, "message does not name the file: %s", err.message);
	}
	config_free(&c);
	return 0;
}

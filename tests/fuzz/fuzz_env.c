/* tests/fuzz/fuzz_env.c - libFuzzer target: the ./.env reader (python-dotenv's format) that
 * fills ${VAR} for agent.yml.  Invariants: it ends within 2 s, a failure is VB_ERR_INVALID
 * naming the file, and a success gives names made of NAME characters with values that are C
 * strings of at most the input's length. */
#include "fuzz_common.h"

#include <ctype.h>
#include <time.h>

#include "../../backends/vb_util.h"
#include "../../config/config_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	const char *path = fuzz_write_tmp(data, size);
	struct config_env e;
	struct vb_error err;
	vb_err_clear(&err);
	clock_t t0 = clock();
	int rc = config_env_load(&e, path, &err);
	double dt = (double)(clock() - t0) / CLOCKS_PER_SEC;
	FUZZ_CHECK(dt < 2.0, "reading took %.2f s", dt);
	if (rc != VB_OK) {
		FUZZ_CHECK(rc == VB_ERR_INVALID && err.status == rc, "status %d/%d", rc, err.status);
		FUZZ_CHECK(strstr(err.message, path) != NULL, "message does not name the file: %s", err.message);
		return 0;
	}
	for (int i = 0; i < e.n; i++) {
		FUZZ_CHECK(e.names[i][0], "empty name %d", i);
		for (const char *c = e.names[i]; *c; c++)
			FUZZ_CHECK(isalnum((unsigned char)*c) || *c == '_' || *c == '.' || *c == '-', "name %s", e.names[i]);
		FUZZ_CHECK(strlen(e.values[i]) <= size, "value longer than the input");
	}
	config_env_free(&e);
	return 0;
}

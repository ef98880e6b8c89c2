/* tests/unit/test_migrate_state.c - migrate's resume record (engine/migrate_state.c): what a killed
 * run wrote is what its re-run reads back, per table, with the full 64-bit hashes and a store
 * without table versions; a line an older vbadmin wrote (batches instead of rows) matches nothing,
 * so it can never make a re-run skip rows; a missing file means "nothing committed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../engine/migrate.h"
#include "../tap.h"

static int same(const struct migrate_mark *a, const struct migrate_mark *b)
{
	return a->keys == b->keys && a->key_hash == b->key_hash && !strcmp(a->version, b->version) &&
	       a->rows == b->rows && a->walk_hash == b->walk_hash;
}

int main(void)
{
	char dir[] = "/tmp/vb_migrate_state.XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char path[256];
	snprintf(path, sizeof path, "%s/migrate-ns-lancedb-pgvector.state", dir);
	struct migrate_mark got, a = {300, 0xfedcba9876543210ull, "12", 140, 0x8000000000000001ull};
	struct migrate_mark b = {7, 1, "", 7, 2}; /* a store without versions */

	ok(!migrate_state_get(path, "semantic_model", &got), "no state file: no table has committed rows");
	migrate_state_put(path, "semantic_model", &a);
	migrate_state_put(path, "metrics", &b);
	ok(migrate_state_get(path, "semantic_model", &got) && same(&got, &a),
	   "a table's record reads back whole (64-bit hashes, version, rows)");
	ok(migrate_state_get(path, "metrics", &got) && same(&got, &b), "... beside another table's, with no version");
	a.rows = 160;
	migrate_state_put(path, "semantic_model", &a);
	ok(migrate_state_get(path, "semantic_model", &got) && got.rows == 160, "a later batch replaces the table's record");
	ok(migrate_state_get(path, "metrics", &got) && same(&got, &b), "... and keeps the other table's");
	ok(access(path, F_OK) == 0 && !migrate_state_get(path, "document", &got), "a table never recorded has no record");

	FILE *f = fopen(path, "w"); /* an older vbadmin's line: "<table> <keys> <key hash> <batches done>" */
	fprintf(f, "semantic_model 300 18364758544493064720 31\n");
	fclose(f);
	ok(!migrate_state_get(path, "semantic_model", &got), "an older vbadmin's record (batches, no walk hash) matches nothing");

	uint64_t h = migrate_fnv(MIGRATE_FNV_START, "a");
	ok(h != migrate_fnv(MIGRATE_FNV_START, "b") && migrate_fnv(h, "bc") != migrate_fnv(migrate_fnv(h, "b"), "c"),
	   "the walk hash tells keys apart, and where one key ends and the next begins");

	migrate_state_clear(path);
	ok(access(path, F_OK) != 0, "clear removes the file");
	rmdir(dir);
	return tap_done();
}

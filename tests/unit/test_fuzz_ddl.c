/* tests/unit/test_fuzz_ddl.c - replays tests/fuzz/corpus/ddl/ through the ddl fuzz target under
 * the sanitizers of the unit build (see docs/fuzzing.md). */
#include "../fuzz/fuzz_ddl.c"
#include "../fuzz/replay.h"

int main(int argc, char **argv)
{
	return fuzz_replay_main("ddl", argc, argv);
}

/* tests/unit/test_fuzz_merge.c - replays tests/fuzz/corpus/merge/ through the merge fuzz target under
 * the sanitizers of the unit build (see docs/fuzzing.md). */
#include "../fuzz/fuzz_merge.c"
#include "../fuzz/replay.h"

int main(int argc, char **argv)
{
	return fuzz_replay_main("merge", argc, argv);
}

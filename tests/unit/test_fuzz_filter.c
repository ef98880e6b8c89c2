/* tests/unit/test_fuzz_filter.c - replays tests/fuzz/corpus/filter/ through the filter fuzz target under
 * the sanitizers of the unit build (see docs/fuzzing.md). */
#include "../fuzz/fuzz_filter.c"
#include "../fuzz/replay.h"

int main(int argc, char **argv)
{
	return fuzz_replay_main("filter", argc, argv);
}

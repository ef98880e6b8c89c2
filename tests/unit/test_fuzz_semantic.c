/* tests/unit/test_fuzz_semantic.c - replays tests/fuzz/corpus/semantic/ through the semantic fuzz target under
 * the sanitizers of the unit build (see docs/fuzzing.md). */
#include "../fuzz/fuzz_semantic.c"
#include "../fuzz/replay.h"

int main(int argc, char **argv)
{
	return fuzz_replay_main("semantic", argc, argv);
}

/* tests/unit/test_fuzz_env.c - replays tests/fuzz/corpus/env/ through the env fuzz target under
 * the sanitizers of the unit build (see docs/fuzzing.md). */
#include "../fuzz/fuzz_env.c"
#include "../fuzz/replay.h"

int main(int argc, char **argv)
{
	return fuzz_replay_main("env", argc, argv);
}

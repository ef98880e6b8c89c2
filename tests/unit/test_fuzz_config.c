/* tests/unit/test_fuzz_config.c - replays tests/fuzz/corpus/config/ through the config fuzz target under
 * the sanitizers of the unit build (see docs/fuzzing.md). */
#include "../fuzz/fuzz_config.c"
#include "../fuzz/replay.h"

int main(int argc, char **argv)
{
	return fuzz_replay_main("config", argc, argv);
}

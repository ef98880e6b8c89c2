/* tests/unit/test_fuzz_embed_json.c - replays tests/fuzz/corpus/embed_json/ through the reader's fuzz
 * target under the sanitizers of the unit build (see docs/fuzzing.md). */
#include "../fuzz/fuzz_embed_json.c"
#include "../fuzz/replay.h"

int main(int argc, char **argv)
{
	return fuzz_replay_main("embed_json", argc, argv);
}

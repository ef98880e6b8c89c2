/* engine/exitcode.h - the process exit codes of the design's table, as an enum the engine's
 * verdicts and both front ends share (the list itself lives in engine/exitcodes.def). */
#ifndef ENGINE_EXITCODE_H
#define ENGINE_EXITCODE_H

enum vb_exit {
#define EXIT_CODE(sym, val, text) sym = val,
#include "exitcodes.def"
#undef EXIT_CODE
};

#endif

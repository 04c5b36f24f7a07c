/*
 * The table of vector sets of one program, in the order gen and verify walk
 * it. Compiled into each program (never into the library) with the
 * vectors_sets.def that CMake writes from the program's SETS list
 * (tt_vectors_program in vectors/CMakeLists.txt): one VEC_SET(vec_set_NAME)
 * line per set, the Core Frame first.
 */
#include "vectors.h"

#define VEC_SET(sym) extern const vec_set sym;
#include "vectors_sets.def"
#undef VEC_SET

const vec_set *const vec_sets[] = {
#define VEC_SET(sym) &(sym),
#include "vectors_sets.def"
#undef VEC_SET
};

const size_t vec_nsets = sizeof vec_sets / sizeof vec_sets[0];

/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c): the libFuzzer entry point
 * and a check that names the broken invariant before it aborts, so that
 * libFuzzer keeps the input as a crash. */
#ifndef CTRACK_FUZZ_H
#define CTRACK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

#endif

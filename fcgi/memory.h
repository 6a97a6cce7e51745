/* memory: the memory limits of a worker (Server.WorkerMemoryMB, a hard
 * ceiling the kernel enforces) and of one request (Server.RequestMemoryMB,
 * a budget the request pipeline checks, so that a request that needs more
 * is rolled back and answered 503 while the worker carries on). */
#ifndef CTRACK_MEMORY_H
#define CTRACK_MEMORY_H

#include <stdbool.h>
#include <stddef.h>

/* Sets the calling process's data-segment limit (RLIMIT_DATA: the heap and
 * every private writable mapping) to mb MiB; 0 sets none. Beyond it an
 * allocation fails, and xmalloc then aborts the worker (the supervisor
 * starts another). A no-op in a sanitizer build, whose shadow memory would
 * not fit. Returns 0, or -1 (errno set) when the kernel refuses. */
int memory_set_worker_limit(size_t mb);

/* Bytes of heap in use now (malloc's view: every block not yet freed,
 * whoever allocated it: our buffers, ClearSilver, the database client). */
size_t memory_in_use(void);

/* Starts counting one request's memory from what is in use now. */
void memory_request_begin(void);

/* Bytes the request holds beyond what was in use when it began (0 if less);
 * also raises the request's recorded peak. */
size_t memory_request_used(void);

/* The highest memory_request_used() seen since memory_request_begin(). */
size_t memory_request_peak(void);

/* True when the request holds more than limit_mb MiB (0: no limit). */
bool memory_request_over(size_t limit_mb);

/* After a request: gives freed heap back to the system when the request
 * used more than a few MiB, so that one big request does not leave the
 * worker's resident size high. */
void memory_request_end(void);

#endif

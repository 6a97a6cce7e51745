/* memory: a worker's hard memory ceiling and a request's memory budget. */
#include "memory.h"

#include <malloc.h>
#include <sys/resource.h>

#if defined(__SANITIZE_ADDRESS__)
#define CT_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CT_ASAN 1
#endif
#endif

#ifdef CT_ASAN
/* The sanitizer runtime's count of bytes allocated and not freed (its
 * allocator replaces malloc, so mallinfo2 would see nothing); declared here
 * because gcc does not install <sanitizer/allocator_interface.h>. */
size_t __sanitizer_get_current_allocated_bytes(void);
#endif

/* A request that used more than this is followed by malloc_trim. */
#define TRIM_AFTER_BYTES ((size_t)4 << 20)

static size_t base, peak;

int memory_set_worker_limit(size_t mb)
{
#ifdef CT_ASAN
    (void)mb;
    return 0;
#else
    if (mb == 0)
        return 0;
    struct rlimit rl = {(rlim_t)mb << 20, (rlim_t)mb << 20};
    return setrlimit(RLIMIT_DATA, &rl);
#endif
}

size_t memory_in_use(void)
{
#ifdef CT_ASAN
    return __sanitizer_get_current_allocated_bytes();
#else
    /* uordblks: in use from the heap's arenas; hblkhd: blocks big enough
     * to get an mmap of their own. */
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
#endif
}

void memory_request_begin(void)
{
    base = memory_in_use();
    peak = 0;
}

size_t memory_request_used(void)
{
    size_t now = memory_in_use();
    size_t used = now > base ? now - base : 0;
    if (used > peak)
        peak = used;
    return used;
}

size_t memory_request_peak(void)
{
    return peak;
}

bool memory_request_over(size_t limit_mb)
{
    return limit_mb && memory_request_used() > (limit_mb << 20);
}

void memory_request_end(void)
{
    if (peak > TRIM_AFTER_BYTES) {
#ifndef CT_ASAN
        malloc_trim(0);
#endif
    }
}

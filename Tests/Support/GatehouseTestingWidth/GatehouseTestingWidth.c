// How many tests run at once.
//
// Swift Testing starts every test of the run at once. A synchronous test runs on the concurrency
// pool's threads (one per core) until it ends, so on a two-core machine the hundreds of pure tests
// queued at the start hold both threads for ten to twenty seconds while every networked test's
// continuations wait behind them: its emulator answers, but the test hears it only when its
// deadline has passed. The suite then failed on such machines even though every test passes on its
// own. Bounding the width (four tests per core) keeps each test's waits close to the time it
// measures and makes the whole run faster, not slower.
//
// Swift Testing reads the bound from this environment variable when its entry point starts, which
// is after this constructor runs. A value set by whoever runs the tests is kept.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void gatehouse_bound_test_width(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1) cores = 1;
    char width[24];
    snprintf(width, sizeof width, "%ld", cores * 4);
    setenv("SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH", width, 0);
}

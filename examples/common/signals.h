/* SIGINT and SIGTERM as a request to stop, the same in both example
 * programs: the step in progress finishes, a checkpoint is written and the
 * program exits with 128 + the signal's number, so that --resume continues
 * the run bit-identically. */
#ifndef RFNAS_EXAMPLES_SIGNALS_H
#define RFNAS_EXAMPLES_SIGNALS_H

#include <stdint.h>

/* From now on SIGINT and SIGTERM only record themselves (see stop_requested). */
void catch_stop_signals(void);

/* The number of the last stop signal received, or 0. */
int stop_requested(void);

/* Says on stderr that the run stopped on signal @p sig after @p steps_total
 * steps and how to continue it; returns the exit status, 128 + sig. */
int report_stopped(int sig, int64_t steps_total, const char *dir);

#endif

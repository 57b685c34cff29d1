#include "signals.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int stop_requested(void)
{
    return stop_signal;
}

int report_stopped(int sig, int64_t steps_total, const char *dir)
{
    fprintf(stderr,
            "%s: stopped by signal %d after step %lld; checkpoint written; continue with "
            "--resume %s\n",
            PROGRAM, sig, (long long)steps_total, dir);
    return 128 + sig;
}

/*
 * The exec floor under churn's concurrency, for docs/performance.md: C threads each
 * posix_spawn a program and wait for it, N times in all (as the churn harness spawns a plugin:
 * stdin from a file, stdout to /dev/null), and print calls/s, p50/p99 of spawn -> exit, and the
 * CPU the children took per call (getrusage RUSAGE_CHILDREN: user + system).
 *
 *   spawn-floor N C STDIN PROGRAM [ARGS...]     the environment is passed through as it is
 *   spawn-floor noop                             a no-op program (build it -static for the floor)
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static int total, next;
static char **prog;
static const char *in;
static double *lat;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void *worker(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&mu);
        int i = next++;
        pthread_mutex_unlock(&mu);
        if (i >= total) return NULL;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        double t0 = now_ms();
        pid_t pid;
        int err = posix_spawn(&pid, prog[0], &fa, NULL, prog, environ);
        if (err) {
            fprintf(stderr, "spawn-floor: %s: %s\n", prog[0], strerror(err));
            exit(1);
        }
        int st;
        while (waitpid(pid, &st, 0) < 0) {}
        lat[i] = now_ms() - t0;
        posix_spawn_file_actions_destroy(&fa);
    }
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc == 2 && !strcmp(argv[1], "noop")) return 0;
    if (argc < 5) {
        fprintf(stderr, "usage: spawn-floor N C STDIN PROGRAM [ARGS...] | spawn-floor noop\n");
        return 2;
    }
    total = atoi(argv[1]);
    int c = atoi(argv[2]);
    in = argv[3];
    prog = argv + 4;
    if (total < 1 || c < 1 || c > 1024) return 2;
    lat = calloc(total, sizeof *lat);
    pthread_t *t = calloc(c, sizeof *t);
    double t0 = now_ms();
    for (int i = 0; i < c; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (int i = 0; i < c; i++) pthread_join(t[i], NULL);
    double secs = (now_ms() - t0) / 1e3;
    qsort(lat, total, sizeof *lat, cmp);
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    double cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    char label[256];
    snprintf(label, sizeof label, "%s%s%s", basename(prog[0]), prog[1] ? " " : "", prog[1] ? prog[1] : "");
    printf("%-24s N=%d C=%-3d %7.0f calls/s  p50 %7.2f ms  p99 %7.2f ms  child CPU %.2f ms/call\n", label, total, c,
           total / secs, lat[total / 2], lat[(total * 99) / 100], cpu / total);
    return 0;
}

/*
 * Runs many CNI calls through one executable, fast, for the fuzz test: a Java test spawning a
 * process per case pays more for the spawn than the shim and podnetd pay for the call.
 *
 *   fuzz-runner EXECUTABLE CASES RESULTS
 *
 * CASES holds, per case: u32 n_env, { u32 len, "K=V" } * n_env, u32 len, stdin (native order).
 * RESULTS gets, per case: u32 status, u32 len, stdout; status is the exit code, 1000 + the
 * signal if it died of one, 2000 if it ran past 30 s (then killed). When an ADD exits 0 the
 * same call is repeated with CNI_COMMAND=DEL and its result follows (the test checks both).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int read_u32(FILE *f, uint32_t *v) { return fread(v, 4, 1, f) == 1 ? 0 : -1; }

static char *read_bytes(FILE *f, uint32_t n) {
    char *p = malloc(n + 1);
    if (!p || (n && fread(p, 1, n, f) != n)) exit(3);
    p[n] = 0;
    return p;
}

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

/* One call: writes stdin, reads stdout (stderr is dropped), waits; returns the status. */
static uint32_t run(const char *exe, char **env, const char *in, uint32_t in_len, char **out, uint32_t *out_len) {
    int pin[2], pout[2];
    if (pipe(pin) < 0 || pipe(pout) < 0) exit(3);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pin[0], 0);
        dup2(pout[1], 1);
        int devnull = open("/dev/null", 1);
        dup2(devnull, 2);
        close(pin[1]);
        close(pout[0]);
        char *argv[] = {(char *)exe, NULL};
        execve(exe, argv, env);
        _exit(126);
    }
    close(pin[0]);
    close(pout[1]);
    size_t cap = 4096, len = 0, sent = 0;
    char *buf = malloc(cap);
    int in_open = 1;
    long deadline = now_ms() + 30000;
    if (in_len == 0) {
        close(pin[1]);
        in_open = 0;
    }
    for (;;) {
        struct pollfd fds[2] = {{pout[0], POLLIN, 0}, {in_open ? pin[1] : -1, POLLOUT, 0}};
        long left = deadline - now_ms();
        if (left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            close(pout[0]);
            if (in_open) close(pin[1]);
            *out = buf;
            *out_len = (uint32_t)len;
            return 2000;
        }
        if (poll(fds, 2, (int)left) < 0 && errno != EINTR) exit(3);
        if (in_open && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = write(pin[1], in + sent, in_len - sent);
            if (w > 0) sent += (size_t)w;
            if (w < 0 || sent == in_len) {
                close(pin[1]);
                in_open = 0;
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (len == cap) buf = realloc(buf, cap *= 2);
            ssize_t r = read(pout[0], buf + len, cap - len);
            if (r <= 0) break;
            len += (size_t)r;
        }
    }
    close(pout[0]);
    if (in_open) close(pin[1]);
    int st;
    waitpid(pid, &st, 0);
    *out = buf;
    *out_len = (uint32_t)len;
    return WIFSIGNALED(st) ? 1000u + (uint32_t)WTERMSIG(st) : (uint32_t)WEXITSTATUS(st);
}

static void emit(FILE *res, uint32_t status, const char *out, uint32_t len) {
    fwrite(&status, 4, 1, res);
    fwrite(&len, 4, 1, res);
    fwrite(out, 1, len, res);
}

int main(int argc, char **argv) {
    if (argc != 4) return 2;
    signal(SIGPIPE, SIG_IGN);
    FILE *cases = fopen(argv[2], "rb"), *res = fopen(argv[3], "wb");
    if (!cases || !res) return 2;
    uint32_t n_env;
    while (read_u32(cases, &n_env) == 0) {
        char **env = calloc(n_env + 1, sizeof *env);
        int add = 0, cmd = -1;
        for (uint32_t i = 0; i < n_env; i++) {
            uint32_t n;
            if (read_u32(cases, &n) < 0) return 3;
            env[i] = read_bytes(cases, n);
            if (strncmp(env[i], "CNI_COMMAND=", 12) == 0) {
                cmd = (int)i;
                add = strcmp(env[i] + 12, "ADD") == 0;
            }
        }
        uint32_t in_len;
        if (read_u32(cases, &in_len) < 0) return 3;
        char *in = read_bytes(cases, in_len), *out;
        uint32_t out_len, status = run(argv[1], env, in, in_len, &out, &out_len);
        emit(res, status, out, out_len);
        free(out);
        if (add && status == 0) {
            env[cmd] = "CNI_COMMAND=DEL";
            status = run(argv[1], env, in, in_len, &out, &out_len);
            emit(res, status, out, out_len);
            free(out);
        }
        free(in);
        fflush(res);
    }
    fclose(res);
    return 0;
}

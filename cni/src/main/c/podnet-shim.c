/*
 * podnet's CNI exec shim: the executables `bridge`, `host-local` and `loopback`.
 *
 * A CNI plugin is exec'd for every pod operation; a JVM per call costs ~100 ms. This shim
 * forwards the call (plugin name, environment, stdin) to the warm podnetd over a Unix socket
 * and relays its stdout and exit code. podnetd joins the caller's network and mount namespaces
 * through a pidfd of this process while we wait, so the plugin acts where the runtime called it.
 *
 * If podnetd is not listening, the shim starts one (see "Auto-start" below) and forwards the
 * call to it. With auto-start off, or when the daemon cannot be started, it execs the one-shot
 * JVM path instead (<dir of this executable>/podnet-oneshot <plugin>) with stdin untouched:
 * same results, slower. PODNET_SHIM_NO_FALLBACK=1 forbids that (tests of the daemon path): the
 * shim then answers code 11. If podnetd dies mid-call the shim answers CNI error 11 (try again
 * later). Whatever happens, stdout carries one valid CNI JSON document and the exit code matches it.
 *
 * Auto-start: under an exclusive flock on <socket dir>/podnetd.lock (so racing first calls
 * make one daemon), the shim looks again, then double-forks <dir of this executable>/podnetd
 * in its own session, cwd /, stdin /dev/null, stdout and stderr appended to
 * <socket dir>/podnetd.log, signals reset, a clean environment. The daemon reports readiness
 * by writing a byte to the pipe named by PODNET_READY_FD once it listens; EOF instead means it
 * gave up (another podnetd holds the socket, say), and the shim looks once more before falling
 * back. The daemon exits by itself after --idle-exit seconds without calls.
 * Settings (environment first, then <dir of this executable>/podnet-shim.conf lines key=value):
 *   PODNET_AUTOSTART / autostart   0, off, no or false: never start a daemon (one-shot path)
 *   PODNET_IDLE_EXIT / idle-exit   seconds a started daemon stays without calls (default 600)
 *   PODNET_WARMUP / warm-up        off: the started daemon does not warm up (it serves at once either
 *                                  way, and otherwise warms up beside the calls)
 *
 * Wire format (native byte order, same machine):
 *   request:  "PNC1" u32 n_env { u32 len, bytes "K=V" }*n_env  u32 len, plugin  u32 len, stdin
 *   response: u32 exit_code  u32 len, stdout
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_SOCKET "/run/podnet/podnetd.sock"
/* The same bounds as podnet.cni.spec.Limits: checked here too, before anything is sent. */
#define MAX_STDIN (1 << 20)
#define MAX_ENV_BYTES (1 << 20)
#define MAX_ENV_VARS 4096
#define CODE_DECODE 6
#define CODE_TRY_AGAIN 11
#define DEFAULT_IDLE_EXIT "600"
#define READY_TIMEOUT_MS 30000 /* a cold JVM on a busy node; EOF ends the wait earlier */
#define LOG_ROTATE_BYTES (1 << 20)

struct buf {
    char *data;
    size_t len, cap;
};

/* ---- buffers ------------------------------------------------------------------------- */

static int put(struct buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) return -1;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static int put_u32(struct buf *b, uint32_t v) { return put(b, &v, 4); }

static int put_str(struct buf *b, const char *s, size_t n) {
    return put_u32(b, (uint32_t)n) < 0 ? -1 : put(b, s, n);
}

/* ---- answering with CNI error JSON --------------------------------------------------- */

/* Writes s as a JSON string body: quotes, backslashes and control characters escaped. */
static void json_escaped(FILE *out, const char *s) {
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            fputc('\\', out);
            fputc(*c, out);
        } else if (*c < 0x20) {
            fprintf(out, "\\u%04x", *c);
        } else {
            fputc(*c, out);
        }
    }
}

/* The request's cniVersion when it looks like one, so that our error speaks the caller's version. */
static void request_version(const struct buf *in, char *out, size_t outlen) {
    snprintf(out, outlen, "1.1.0");
    const char *key = "\"cniVersion\"";
    size_t klen = strlen(key);
    if (!in->data || in->len < klen) return;
    for (size_t i = 0; i + klen <= in->len; i++) {
        if (memcmp(in->data + i, key, klen) != 0) continue;
        size_t j = i + klen;
        while (j < in->len && (in->data[j] == ' ' || in->data[j] == ':' || in->data[j] == '\t' ||
                               in->data[j] == '\n' || in->data[j] == '\r')) j++;
        if (j >= in->len || in->data[j] != '"') return;
        size_t start = ++j, n = 0;
        while (j < in->len && in->data[j] != '"') {
            char c = in->data[j];
            if (!((c >= '0' && c <= '9') || c == '.')) return; /* not a version: keep 1.1.0 */
            j++;
            n++;
        }
        if (j < in->len && n > 0 && n < outlen) {
            memcpy(out, in->data + start, n);
            out[n] = 0;
        }
        return;
    }
}

static int answer_error(const struct buf *in, int code, const char *msg, const char *details) {
    char version[32];
    request_version(in, version, sizeof version);
    printf("{\"cniVersion\":\"");
    json_escaped(stdout, version);
    printf("\",\"code\":%d,\"msg\":\"", code);
    json_escaped(stdout, msg);
    printf("\"");
    if (details && *details) {
        printf(",\"details\":\"");
        json_escaped(stdout, details);
        printf("\"");
    }
    printf("}\n");
    fflush(stdout);
    return 1;
}

static int try_again(const struct buf *in, const char *why) {
    char details[512];
    snprintf(details, sizeof details, "%s; the call may be retried", why);
    return answer_error(in, CODE_TRY_AGAIN, "podnetd went away during the call", details);
}

/* ---- input bounds -------------------------------------------------------------------- */

/* Reads stdin into in; -1 (and nothing more read) once it exceeds MAX_STDIN, -2 out of memory. */
static int read_stdin_bounded(struct buf *in) {
    char chunk[65536];
    for (;;) {
        ssize_t r = read(0, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return 0;
        if (in->len + (size_t)r > MAX_STDIN) return -1;
        if (put(in, chunk, (size_t)r) < 0) return -2;
    }
}

static int env_within_bounds(void) {
    size_t n = 0, bytes = 0;
    for (char **e = environ; *e; e++) {
        n++;
        bytes += strlen(*e);
    }
    return n <= MAX_ENV_VARS && bytes <= MAX_ENV_BYTES;
}

/* ---- podnetd ------------------------------------------------------------------------- */

/* With SIGPIPE ignored (main), a daemon that died mid-call makes this EPIPE, not our death. */
static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads exactly n bytes; returns 0, or -1 on EOF/error (podnetd went away). */
static int read_all(int fd, void *p, size_t n) {
    char *c = p;
    while (n > 0) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

static int build_request(struct buf *req, const char *plugin, const struct buf *in) {
    uint32_t n_env = 0;
    for (char **e = environ; *e; e++) n_env++;
    if (put(req, "PNC1", 4) < 0 || put_u32(req, n_env) < 0) return -1;
    for (char **e = environ; *e; e++)
        if (put_str(req, *e, strlen(*e)) < 0) return -1;
    if (put_str(req, plugin, strlen(plugin)) < 0) return -1;
    return put_str(req, in->data ? in->data : "", in->len);
}

/* Sends the call and relays the answer; every outcome ends in one JSON document on stdout. */
static int call_daemon(int fd, const char *plugin, const struct buf *in) {
    struct buf req = {0};
    if (build_request(&req, plugin, in) < 0) return try_again(in, "the shim ran out of memory");
    /* Even if the send fails, podnetd may have answered (it refuses a bad request early). */
    int sent = write_all(fd, req.data, req.len);
    shutdown(fd, SHUT_WR);
    uint32_t code, len;
    if (read_all(fd, &code, 4) < 0 || read_all(fd, &len, 4) < 0)
        return try_again(in, sent < 0 ? "could not send the request" : "no reply");
    if (len > (64u << 20)) return try_again(in, "reply too large");
    char *out = malloc(len ? len : 1);
    if (!out) return try_again(in, "the shim ran out of memory");
    if (read_all(fd, out, len) < 0) return try_again(in, "reply cut short");
    if (write_all(1, out, len) < 0) return 1;
    return (int)code;
}

/* ---- the one-shot path --------------------------------------------------------------- */

static int fallback_forbidden(void) {
    const char *v = getenv("PODNET_SHIM_NO_FALLBACK");
    return v && strcmp(v, "1") == 0;
}

static void exec_oneshot(const char *self, const char *plugin) {
    char path[PATH_MAX], dir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
    if (n <= 0) {
        snprintf(dir, sizeof dir, "%s", self);
    } else {
        dir[n] = 0;
    }
    snprintf(path, sizeof path, "%s/podnet-oneshot", dirname(dir));
    char *argv[] = {path, (char *)plugin, NULL};
    execv(path, argv);
    fprintf(stderr, "podnet-shim: podnetd is not running and %s cannot be run: %s\n", path, strerror(errno));
    struct buf none = {0};
    char details[PATH_MAX + 64];
    snprintf(details, sizeof details, "podnetd is not running and the one-shot path %s failed", path);
    answer_error(&none, CODE_TRY_AGAIN, "podnet is not available", details);
    exit(1);
}

/* ---- auto-start --------------------------------------------------------------------- */

/* Connects to the socket; -1 with errno set when nobody listens there. */
static int connect_to(const char *sockpath) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(sockpath) >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(addr.sun_path, sockpath, strlen(sockpath) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

/* The directory this executable lives in: podnetd, podnet-oneshot and podnet-shim.conf are there. */
static void self_dir(char *out, size_t outlen) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    snprintf(out, outlen, "%s", n > 0 ? dirname(exe) : ".");
}

/* A setting: the environment variable env, else "key=value" in <dir>/podnet-shim.conf, else dflt. */
static void setting(const char *dir, const char *env, const char *key, const char *dflt, char *out, size_t outlen) {
    const char *v = getenv(env);
    if (v && *v) {
        snprintf(out, outlen, "%s", v);
        return;
    }
    snprintf(out, outlen, "%s", dflt);
    char path[PATH_MAX], line[256];
    snprintf(path, sizeof path, "%s/podnet-shim.conf", dir);
    FILE *f = fopen(path, "re");
    if (!f) return;
    size_t klen = strlen(key);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
            snprintf(out, outlen, "%s", line + klen + 1);
        }
    }
    fclose(f);
}

static int is_off(const char *v) {
    return !strcmp(v, "0") || !strcasecmp(v, "off") || !strcasecmp(v, "no") || !strcasecmp(v, "false");
}

/* Moves fd to `to` without close-on-exec, whatever number it had. */
static int place_fd(int fd, int to) {
    if (fd == to) return fcntl(fd, F_SETFD, 0);
    return dup2(fd, to) < 0 ? -1 : 0;
}

/* In the grandchild: detach from the caller's stdio, signals and environment, and exec podnetd. */
static void exec_daemon(const char *launcher, const char *sockpath, const char *logpath, const char *idle, int warm,
                        int ready) {
    /* Above 2 first: the caller may have left 0-2 closed, and pipe2/open then returned those. */
    int null = fcntl(open("/dev/null", O_RDWR | O_CLOEXEC), F_DUPFD_CLOEXEC, 10);
    int log = fcntl(open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600), F_DUPFD_CLOEXEC, 10);
    int rdy = fcntl(ready, F_DUPFD_CLOEXEC, 10);
    if (null < 0 || log < 0 || rdy < 0) _exit(127);
    if (place_fd(null, 0) < 0 || place_fd(log, 1) < 0 || place_fd(log, 2) < 0 || place_fd(rdy, 3) < 0) _exit(127);
    /* The raw syscall: musl has no close_range wrapper. */
    if (syscall(SYS_close_range, 4, ~0U, 0) < 0) { /* a kernel before 5.9 */
        for (int fd = 4; fd < 4096; fd++) close(fd);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++) signal(sig, SIG_DFL); /* a runtime may ignore SIGTERM for us */
    umask(022);
    if (chdir("/") < 0) _exit(127);
    char *envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "PODNET_READY_FD=3", NULL};
    char *argv[] = {(char *)launcher, "--socket", (char *)sockpath, "--idle-exit", (char *)idle,
                    warm ? NULL : "--no-warm-up", NULL};
    execve(launcher, argv, envp);
    dprintf(2, "podnet-shim: cannot start %s: %s\n", launcher, strerror(errno));
    _exit(127);
}

/* Starts podnetd detached from us; returns the read end of its readiness pipe, or -1. */
static int spawn_daemon(const char *launcher, const char *sockpath, const char *statedir, const char *idle, int warm) {
    char logpath[PATH_MAX], old[PATH_MAX + 2];
    snprintf(logpath, sizeof logpath, "%s/podnetd.log", statedir);
    struct stat st;
    if (stat(logpath, &st) == 0 && st.st_size > LOG_ROTATE_BYTES) {
        snprintf(old, sizeof old, "%s.1", logpath);
        rename(logpath, old);
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return -1;
    pid_t child = fork();
    if (child < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (child == 0) {
        /* A new session, then the daemon as its child: orphaned at once, never the caller's child. */
        close(p[0]);
        if (setsid() < 0) _exit(1);
        pid_t d = fork();
        if (d != 0) _exit(d < 0 ? 1 : 0);
        exec_daemon(launcher, sockpath, logpath, idle, warm, p[1]);
    }
    close(p[1]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        close(p[0]);
        return -1;
    }
    return p[0];
}

/* True once podnetd wrote its ready byte; false on EOF (it exited) or after READY_TIMEOUT_MS. */
static int wait_ready(int ready) {
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = READY_TIMEOUT_MS - ((now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000);
        if (left <= 0) return 0;
        struct pollfd pfd = {.fd = ready, .events = POLLIN};
        int n = poll(&pfd, 1, (int)left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 0;
        char c;
        ssize_t r = read(ready, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        return r == 1;
    }
}

/*
 * A connection to podnetd, starting one when none listens and auto-start is on; -1 means: take
 * the one-shot path. Only root starts one (podnetd serves root callers only), and only when the
 * socket is missing or refused (anything else, EACCES say, a daemon would not cure).
 */
static int connect_daemon(const char *sockpath) {
    int fd = connect_to(sockpath);
    if (fd >= 0 || (errno != ENOENT && errno != ECONNREFUSED) || geteuid() != 0) return fd;
    char dir[PATH_MAX], launcher[PATH_MAX + 16], value[32];
    self_dir(dir, sizeof dir);
    setting(dir, "PODNET_AUTOSTART", "autostart", "on", value, sizeof value);
    snprintf(launcher, sizeof launcher, "%s/podnetd", dir);
    if (is_off(value) || access(launcher, X_OK) < 0) return -1;

    char sockcopy[PATH_MAX], lockpath[PATH_MAX + 16];
    snprintf(sockcopy, sizeof sockcopy, "%s", sockpath);
    const char *statedir = dirname(sockcopy);
    if (mkdir(statedir, 0755) < 0 && errno != EEXIST) return -1;
    snprintf(lockpath, sizeof lockpath, "%s/podnetd.lock", statedir);
    int lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0) return -1;
    while (flock(lock, LOCK_EX) < 0) {
        if (errno != EINTR) {
            close(lock);
            return -1;
        }
    }
    fd = connect_to(sockpath); /* the call we raced with may have started it meanwhile */
    if (fd < 0) {
        char warm[16];
        setting(dir, "PODNET_WARMUP", "warm-up", "on", warm, sizeof warm);
        setting(dir, "PODNET_IDLE_EXIT", "idle-exit", DEFAULT_IDLE_EXIT, value, sizeof value);
        int ready = spawn_daemon(launcher, sockpath, statedir, value, !is_off(warm));
        if (ready >= 0) {
            if (!wait_ready(ready)) {
                fprintf(stderr, "podnet-shim: the podnetd started for %s did not come up (see %s/podnetd.log)\n",
                        sockpath, statedir);
            }
            close(ready);
            fd = connect_to(sockpath);
        }
    }
    close(lock);
    return fd;
}

int main(int argc, char **argv) {
    (void)argc;
    signal(SIGPIPE, SIG_IGN);
    char self[PATH_MAX];
    snprintf(self, sizeof self, "%s", argv[0]);
    const char *plugin = basename(self);
    const char *sockpath = getenv("PODNET_SOCKET");
    if (!sockpath || !*sockpath) sockpath = DEFAULT_SOCKET;

    int fd = connect_daemon(sockpath);
    struct buf in = {0};
    if (fd < 0) {
        if (fallback_forbidden()) {
            read_stdin_bounded(&in); /* for the caller's cniVersion */
            return answer_error(&in, CODE_TRY_AGAIN, "podnetd is not running",
                                "PODNET_SHIM_NO_FALLBACK=1 forbids the one-shot path");
        }
        exec_oneshot(argv[0], plugin); /* stdin is still unread */
    }
    if (!env_within_bounds())
        return answer_error(&in, CODE_DECODE, "the environment is too large",
                            "more than 4096 variables or 1048576 bytes");
    int r = read_stdin_bounded(&in);
    if (r == -1) return answer_error(&in, CODE_DECODE, "stdin is too large: more than 1048576 bytes", NULL);
    if (r == -2) return try_again(&in, "the shim ran out of memory");
    return call_daemon(fd, plugin, &in);
}

/*
 * podnet's CNI exec shim: the executables `bridge`, `host-local` and `loopback`.
 *
 * A CNI plugin is exec'd for every pod operation; a JVM per call costs ~100 ms. This shim
 * forwards the call (plugin name, environment, stdin) to the warm podnetd over a Unix socket
 * and relays its stdout and exit code. podnetd joins the caller's network and mount namespaces
 * through a pidfd of this process while we wait, so the plugin acts where the runtime called it.
 *
 * If podnetd is not listening, the shim execs the one-shot JVM path instead
 * (<dir of this executable>/podnet-oneshot <plugin>) with stdin untouched: same results,
 * slower. PODNET_SHIM_NO_FALLBACK=1 forbids that (tests of the daemon path): the shim then
 * answers code 11. If podnetd dies mid-call the shim answers CNI error 11 (try again later).
 * Whatever happens, stdout carries one valid CNI JSON document and the exit code matches it.
 *
 * Wire format (native byte order, same machine):
 *   request:  "PNC1" u32 n_env { u32 len, bytes "K=V" }*n_env  u32 len, plugin  u32 len, stdin
 *   response: u32 exit_code  u32 len, stdout
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_SOCKET "/run/podnet/podnetd.sock"
/* The same bounds as podnet.cni.spec.Limits: checked here too, before anything is sent. */
#define MAX_STDIN (1 << 20)
#define MAX_ENV_BYTES (1 << 20)
#define MAX_ENV_VARS 4096
#define CODE_DECODE 6
#define CODE_TRY_AGAIN 11

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

/* A connected socket to podnetd, or -1 if none listens there. */
static int connect_daemon(const char *sockpath) {
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(sockpath) >= sizeof addr.sun_path) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    memcpy(addr.sun_path, sockpath, strlen(sockpath) + 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        close(fd);
        return -1;
    }
    return fd;
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

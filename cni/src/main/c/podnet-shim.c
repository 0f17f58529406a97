/*
 * podnet's CNI exec shim: the executables `bridge`, `host-local` and `loopback`.
 *
 * A CNI plugin is exec'd for every pod operation; a JVM per call costs ~100 ms. This shim
 * forwards the call (plugin name, environment, stdin) to the warm podnetd over a Unix socket
 * and relays its stdout and exit code. podnetd reads the caller's network and mount namespaces
 * from /proc/<our pid>/ns while we wait, so the plugin acts where the runtime called it.
 *
 * If podnetd is not listening, the shim execs the one-shot JVM path instead
 * (<dir of this executable>/podnet-oneshot <plugin>) with stdin untouched: same results,
 * slower. If podnetd dies mid-call the shim answers CNI error 11 (try again later).
 *
 * Wire format (native byte order, same machine):
 *   request:  "PNC1" u32 n_env { u32 len, bytes "K=V" }*n_env  u32 len, plugin  u32 len, stdin
 *   response: u32 exit_code  u32 len, stdout
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_SOCKET "/run/podnet/podnetd.sock"

struct buf {
    char *data;
    size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) { perror("podnet-shim: out of memory"); exit(1); }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put_u32(struct buf *b, uint32_t v) { put(b, &v, 4); }

static void put_str(struct buf *b, const char *s, size_t n) {
    put_u32(b, (uint32_t)n);
    put(b, s, n);
}

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

/* The request's cniVersion, so that our own error result speaks the caller's version. */
static void cni_version(const struct buf *in, char *out, size_t outlen) {
    snprintf(out, outlen, "1.1.0");
    const char *key = "\"cniVersion\"";
    char *tmp = malloc(in->len + 1);
    if (!tmp) return;
    memcpy(tmp, in->data ? in->data : "", in->len);
    tmp[in->len] = 0;
    char *k = strstr(tmp, key);
    if (k) {
        char *q = strchr(k + strlen(key), '"');
        char *e = q ? strchr(q + 1, '"') : NULL;
        if (q && e && (size_t)(e - q - 1) < outlen && e - q - 1 > 0) {
            memcpy(out, q + 1, (size_t)(e - q - 1));
            out[e - q - 1] = 0;
        }
    }
    free(tmp);
}

static int try_again(const struct buf *in, const char *why) {
    char version[32];
    cni_version(in, version, sizeof version);
    printf("{\"cniVersion\":\"%s\",\"code\":11,\"msg\":\"podnetd went away during the call\","
           "\"details\":\"%s; the call may be retried\"}\n", version, why);
    fflush(stdout);
    return 1;
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
    printf("{\"cniVersion\":\"1.1.0\",\"code\":11,\"msg\":\"podnet is not available\","
           "\"details\":\"podnetd is not running and the one-shot path %s failed\"}\n", path);
    exit(1);
}

int main(int argc, char **argv) {
    (void)argc;
    char self[PATH_MAX];
    snprintf(self, sizeof self, "%s", argv[0]);
    const char *plugin = basename(self);
    const char *sockpath = getenv("PODNET_SOCKET");
    if (!sockpath || !*sockpath) sockpath = DEFAULT_SOCKET;

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (fd < 0 || strlen(sockpath) >= sizeof addr.sun_path) exec_oneshot(argv[0], plugin);
    memcpy(addr.sun_path, sockpath, strlen(sockpath) + 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        close(fd);
        exec_oneshot(argv[0], plugin); /* stdin is still unread */
    }

    struct buf in = {0}, req = {0};
    char chunk[65536];
    for (;;) {
        ssize_t r = read(0, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        put(&in, chunk, (size_t)r);
    }

    put(&req, "PNC1", 4);
    uint32_t n_env = 0;
    for (char **e = environ; *e; e++) n_env++;
    put_u32(&req, n_env);
    for (char **e = environ; *e; e++) put_str(&req, *e, strlen(*e));
    put_str(&req, plugin, strlen(plugin));
    put_str(&req, in.data ? in.data : "", in.len);
    if (write_all(fd, req.data, req.len) < 0) return try_again(&in, "could not send the request");
    shutdown(fd, SHUT_WR);

    uint32_t code, len;
    if (read_all(fd, &code, 4) < 0 || read_all(fd, &len, 4) < 0) return try_again(&in, "no reply");
    char *out = malloc(len ? len : 1);
    if (!out || read_all(fd, out, len) < 0) return try_again(&in, "reply cut short");
    if (write_all(1, out, len) < 0) return 1;
    return (int)code;
}

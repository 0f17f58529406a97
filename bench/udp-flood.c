/*
 * A UDP flood for bench/capture-bench.sh: iperf3 tops out near 50k small datagrams/s on this
 * machine, too few to tell a capturer's cost per frame from its fixed costs.
 *
 *   udp-flood send ADDR PORT PAYLOAD RATE SECONDS   RATE datagrams/s, 0 = as fast as it goes
 *   udp-flood hole PORT                              a bound UDP socket that never reads
 *   udp-flood tcp-send ADDR PORT SECONDS             one TCP stream, 128 KiB writes, as fast as it goes
 *   udp-flood tcp-sink PORT                          accepts streams and reads them to the end
 *
 * send: sendmmsg(2) in batches of 64 on a connected socket, paced to RATE against the
 * monotonic clock (it sleeps when ahead, sends back to back when behind); prints the
 * datagrams sent and the rate reached on stdout.
 * hole: a receiver so the far end answers no ICMP port-unreachable (its queue fills and the
 * kernel drops the rest quietly); runs until SIGTERM/SIGINT.
 * tcp-send/tcp-sink: full-size TCP (what iperf3's default test does), so the bench needs no iperf3.
 * Built by the bench with cc; runs inside the bench's throwaway namespaces only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int usage(void) {
    fprintf(stderr, "usage: udp-flood send ADDR PORT PAYLOAD RATE SECONDS | udp-flood hole PORT\n");
    return 2;
}

static int flood(const char *addr, int port, int payload, double rate, double secs) {
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, addr, &to.sin_addr) != 1 || payload < 0 || payload > 1472 || rate < 0 || secs <= 0) {
        return usage();
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *) &to, sizeof to) < 0) {
        perror("udp-flood: socket");
        return 1;
    }
    int big = 4 << 20;
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    static char buf[1472];
    memset(buf, 'x', sizeof buf);
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = buf;
        iov[i].iov_len = payload;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    double start = now(), end = start + secs;
    unsigned long long sent = 0;
    for (double t = start; t < end; t = now()) {
        if (rate > 0) {
            double due = start + (sent + BATCH) / rate; // when this batch is due
            if (due > t) {
                double wait = due - t;
                struct timespec ts = {(time_t) wait, (long) ((wait - (time_t) wait) * 1e9)};
                nanosleep(&ts, NULL);
                continue;
            }
        }
        int n = sendmmsg(s, msgs, BATCH, 0);
        if (n < 0) {
            if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN || errno == ECONNREFUSED) {
                continue;
            }
            perror("udp-flood: sendmmsg");
            return 1;
        }
        sent += n;
    }
    double took = now() - start;
    printf("sent %llu datagrams in %.3f s: %.0f/s\n", sent, took, sent / took);
    return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
    (void) sig;
    stop = 1;
}

static int hole(int port) {
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *) &at, sizeof at) < 0) {
        perror("udp-flood: bind");
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    while (!stop) {
        pause();
    }
    return 0;
}

static int tcp_send(const char *addr, int port, double secs) {
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (inet_pton(AF_INET, addr, &to.sin_addr) != 1 || secs <= 0) {
        return usage();
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *) &to, sizeof to) < 0) {
        perror("udp-flood: connect");
        return 1;
    }
    static char buf[128 << 10];
    memset(buf, 'x', sizeof buf);
    double start = now(), end = start + secs;
    unsigned long long bytes = 0;
    while (now() < end) {
        ssize_t n = write(s, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            perror("udp-flood: write");
            return 1;
        }
        bytes += n;
    }
    close(s);
    double took = now() - start;
    printf("sent %llu bytes in %.3f s: %.1f Mbit/s\n", bytes, took, bytes * 8 / took / 1e6);
    return 0;
}

static int tcp_sink(int port) {
    struct sockaddr_in at = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    int one = 1;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0
            || bind(s, (struct sockaddr *) &at, sizeof at) < 0 || listen(s, 4) < 0) {
        perror("udp-flood: listen");
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    static char buf[256 << 10];
    while (!stop) {
        int c = accept(s, NULL, NULL);
        if (c < 0) {
            continue;
        }
        while (!stop && read(c, buf, sizeof buf) > 0) {
        }
        close(c);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 7 && strcmp(argv[1], "send") == 0) {
        return flood(argv[2], atoi(argv[3]), atoi(argv[4]), atof(argv[5]), atof(argv[6]));
    }
    if (argc == 3 && strcmp(argv[1], "hole") == 0) {
        return hole(atoi(argv[2]));
    }
    if (argc == 5 && strcmp(argv[1], "tcp-send") == 0) {
        return tcp_send(argv[2], atoi(argv[3]), atof(argv[4]));
    }
    if (argc == 3 && strcmp(argv[1], "tcp-sink") == 0) {
        return tcp_sink(atoi(argv[2]));
    }
    return usage();
}

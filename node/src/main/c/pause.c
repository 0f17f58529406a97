/*
 * podnet's pause: the process that holds a pod sandbox's namespaces (PID 1 of the sandbox).
 * It does nothing but wait: SIGTERM or SIGINT end it (exit 0), SIGCHLD reaps whatever child
 * was re-parented to it, so a pod sharing its PID namespace never collects zombies.
 * Built static, so the image needs nothing but this file.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) {
    (void) sig;
    _exit(0);
}

static void reap(int sig) {
    (void) sig;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    errno = saved;
}

static int on(int sig, void (*handler)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "-v") == 0) {
        puts("podnet pause 0.1.0");
        return 0;
    }
    if (on(SIGINT, stop) || on(SIGTERM, stop) || on(SIGCHLD, reap)) {
        perror("pause: sigaction");
        return 1;
    }
    if (getpid() != 1) {
        fputs("pause: not PID 1; running anyway\n", stderr);
    }
    for (;;) {
        pause();
    }
}

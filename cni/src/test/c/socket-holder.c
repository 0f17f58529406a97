/*
 * A stand-in for systemd's socket unit, for the fault tests: binds a Unix socket (mode 0600),
 * keeps it open for as long as it runs, and (re)starts the given command with the socket as
 * fd 3 the way systemd does (LISTEN_FDS=1, LISTEN_PID=<the child>), again whenever it exits,
 * until STOPFILE exists. The child's pid is written to PIDFILE. Calls made while no daemon
 * runs wait in the socket's backlog, as they do under systemd.
 *
 *   socket-holder SOCKET PIDFILE STOPFILE COMMAND [ARGS...]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s SOCKET PIDFILE STOPFILE COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (fd < 0 || strlen(argv[1]) >= sizeof addr.sun_path) return 2;
    strcpy(addr.sun_path, argv[1]);
    unlink(argv[1]);
    fchmod(fd, 0600);
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 128) < 0) {
        perror("socket-holder: bind/listen");
        return 2;
    }
    signal(SIGTERM, SIG_IGN); /* a test's SIGTERM is for the daemon, not for us */
    for (;;) {
        if (access(argv[3], F_OK) == 0) break;
        pid_t pid = fork();
        if (pid == 0) {
            char pidbuf[32];
            if (fd != 3) {
                dup2(fd, 3);
                close(fd);
            }
            snprintf(pidbuf, sizeof pidbuf, "%d", (int)getpid());
            setenv("LISTEN_FDS", "1", 1);
            setenv("LISTEN_PID", pidbuf, 1);
            signal(SIGTERM, SIG_DFL);
            execvp(argv[4], argv + 4);
            perror("socket-holder: exec");
            _exit(127);
        }
        FILE *f = fopen(argv[2], "w");
        if (f) {
            fprintf(f, "%d\n", (int)pid);
            fclose(f);
        }
        int status;
        waitpid(pid, &status, 0);
        usleep(50 * 1000);
    }
    unlink(argv[1]);
    return 0;
}

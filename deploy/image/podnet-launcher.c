/*
 * /opt/podnet/bin/podnet in the FROM-scratch image: there is no shell there to run ./podnet's
 * script, so this static program does its job — exec the image's jlink'd runtime on the jars
 * with the same JVM flags (bounded heap for the daemon, C1 only for short commands).
 * Layout, relative to this executable's directory (bin/): ../runtime (the Java runtime),
 * ../lib (the jars and the static exec shim).
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_FLAGS 32

int main(int argc, char **argv) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        perror("podnet: cannot find its own executable (/proc/self/exe)");
        return 1;
    }
    exe[n] = 0;
    /* exe is HOME/bin/podnet: cut two components */
    char home[PATH_MAX], java[PATH_MAX + 32], cp[PATH_MAX + 32], homeprop[PATH_MAX + 32];
    snprintf(home, sizeof home, "%s", dirname(dirname(exe)));
    snprintf(java, sizeof java, "%s/runtime/bin/java", home);
    snprintf(cp, sizeof cp, "%s/lib/*", home);
    snprintf(homeprop, sizeof homeprop, "-Dpodnet.home=%s", home);

    int daemon = argc > 1 && strcmp(argv[1], "daemon") == 0, longrun = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "observe") == 0 || strcmp(argv[i], "ui") == 0) longrun = 1;
    }
    char **args = calloc((size_t)argc + MAX_FLAGS, sizeof *args);
    if (!args) return 1;
    int k = 0;
    args[k++] = java;
    args[k++] = "--enable-native-access=ALL-UNNAMED";
    args[k++] = "--sun-misc-unsafe-memory-access=allow";
    args[k++] = "-XX:+UseSerialGC";
    args[k++] = "-XX:-UsePerfData"; /* no /tmp/hsperfdata files in a container */
    if (!longrun) args[k++] = "-XX:TieredStopAtLevel=1";
    if (daemon) {
        /* ./podnet's daemon settings: ~60-70 MiB RSS */
        args[k++] = "-Xms8m";
        args[k++] = "-Xmx64m";
        args[k++] = "-Xss256k";
        args[k++] = "-XX:ReservedCodeCacheSize=32m";
        args[k++] = "-XX:MaxMetaspaceSize=96m";
        setenv("MALLOC_ARENA_MAX", "2", 1);
    }
    args[k++] = "-Xlog:disable";
    args[k++] = "-Xlog:all=warning:stderr";
    args[k++] = homeprop;
    args[k++] = "-cp";
    args[k++] = cp;
    args[k++] = "podnet.cli.Main";
    for (int i = 1; i < argc; i++) args[k++] = argv[i];
    args[k] = NULL;
    execv(java, args);
    fprintf(stderr, "podnet: cannot run %s: ", java);
    perror(NULL);
    return 127;
}

/* Faults for the tests, put in front of libc with LD_PRELOAD (tests/support/stalls.py):
 *   STALL_FSYNC_UNDER=DIR  STALL_FSYNC_MS=N  every fsync/fdatasync of a file under DIR waits N ms
 *                                            (a USB or network home, a disk waking up);
 *   HANG_LOOKUP_OF=HOST    HANG_LOOKUP_MS=N  a name look-up of HOST waits N ms, then fails
 *                                            (a DNS server that never answers).
 * Nothing else changes: the program under test runs unmodified. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void wait_ms(const char *variable) {
    const char *value = getenv(variable);
    long ms = value ? atol(value) : 0;
    if (ms > 0) {
        struct timespec wait = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&wait, &wait) != 0) {
        }
    }
}

static int under_stalled_dir(int fd) {
    const char *prefix = getenv("STALL_FSYNC_UNDER");
    char link[64], path[PATH_MAX];
    ssize_t length;
    if (prefix == NULL || *prefix == '\0') return 0;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    length = readlink(link, path, sizeof path - 1);
    if (length < 0) return 0;
    path[length] = '\0';
    return strncmp(path, prefix, strlen(prefix)) == 0;
}

int fsync(int fd) {
    static int (*real)(int);
    if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    if (under_stalled_dir(fd)) wait_ms("STALL_FSYNC_MS");
    return real(fd);
}

int fdatasync(int fd) {
    static int (*real)(int);
    if (real == NULL) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    if (under_stalled_dir(fd)) wait_ms("STALL_FSYNC_MS");
    return real(fd);
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
                struct addrinfo **result) {
    static int (*real)(const char *, const char *, const struct addrinfo *, struct addrinfo **);
    const char *hang = getenv("HANG_LOOKUP_OF");
    if (real == NULL)
        real = (int (*)(const char *, const char *, const struct addrinfo *,
                        struct addrinfo **))dlsym(RTLD_NEXT, "getaddrinfo");
    if (hang != NULL && node != NULL && strcmp(node, hang) == 0) {
        wait_ms("HANG_LOOKUP_MS");
        return EAI_AGAIN;
    }
    return real(node, service, hints, result);
}

/*
 * powerloss.so: an LD_PRELOAD library that simulates a machine losing power. Writes to the
 * files it tracks are held in the process's memory and reach the file only when the program
 * calls fsync or fdatasync on that descriptor; whatever was written and not synced when the
 * process dies (SIGKILL) never reaches the file, as a kernel page cache would lose it when
 * the power goes. sync_file_range is not a durability point (it does not flush the disk's
 * cache or the file's metadata) and does not release held writes either.
 *
 * Which files: those whose path contains $POWERLOSS_DIR and ends with one of the suffixes in
 * $POWERLOSS_SUFFIXES (comma-separated, default ".log": RocksDB's write-ahead logs, the
 * only files an acknowledged write depends on before a flush; SST files, MANIFEST and
 * CURRENT are synced by RocksDB before it relies on them). Reads of a tracked file are not
 * redirected: RocksDB reads a WAL only when it opens the DB, which the test does without
 * this library. Appends (write, writev, pwrite at the end) are held; a pwrite into the held
 * range overwrites it; anything else on a tracked file aborts the process, so a library
 * that quietly stopped simulating cannot pass for one that works.
 *
 * Counters for the test: at each fsync/fdatasync of a tracked file, and at exit, nothing is
 * printed; `POWERLOSS_LOG=path` appends one line per sync ("sync FD BYTES") so a test can
 * show the library was active.
 *
 * Build: cc -shared -fPIC -O2 -o powerloss.so powerloss.c -ldl -lpthread
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FD 4096

struct held {
    int tracked;
    off_t base;   /* bytes of the file that are durable (synced) or were there at open */
    char *buf;    /* bytes written after base, not yet synced */
    size_t len, cap;
};

static struct held files[MAX_FD];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_close)(int);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off_t);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_openat64)(int, const char *, int, ...);

static void init(void) {
    if (real_write)
        return;
    real_write = dlsym(RTLD_NEXT, "write");
    real_pwrite = dlsym(RTLD_NEXT, "pwrite");
    real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
    real_writev = dlsym(RTLD_NEXT, "writev");
    real_fsync = dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
    real_close = dlsym(RTLD_NEXT, "close");
    real_ftruncate = dlsym(RTLD_NEXT, "ftruncate");
    real_ftruncate64 = dlsym(RTLD_NEXT, "ftruncate64");
    real_open = dlsym(RTLD_NEXT, "open");
    real_open64 = dlsym(RTLD_NEXT, "open64");
    real_openat = dlsym(RTLD_NEXT, "openat");
    real_openat64 = dlsym(RTLD_NEXT, "openat64");
}

static void die(const char *what, int fd) {
    char msg[160];
    int n = snprintf(msg, sizeof msg, "powerloss.so: unsupported %s on tracked fd %d\n", what, fd);
    init();
    real_write(2, msg, n > 0 ? (size_t)n : 0);
    abort();
}

static int wanted(const char *path) {
    const char *dir = getenv("POWERLOSS_DIR");
    if (!path || !dir || !*dir || !strstr(path, dir))
        return 0;
    const char *sfx = getenv("POWERLOSS_SUFFIXES");
    if (!sfx || !*sfx)
        sfx = ".log";
    size_t plen = strlen(path);
    const char *p = sfx;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        if (n > 0 && plen >= n && strncmp(path + plen - n, p, n) == 0)
            return 1;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

static void track(int fd, const char *path, int flags) {
    if (fd < 0 || fd >= MAX_FD || !wanted(path) || !(flags & (O_WRONLY | O_RDWR)))
        return;
    struct stat st;
    off_t size = fstat(fd, &st) == 0 ? st.st_size : 0;
    pthread_mutex_lock(&lock);
    struct held *h = &files[fd];
    free(h->buf);
    h->tracked = 1;
    h->base = (flags & O_TRUNC) ? 0 : size;
    h->buf = NULL;
    h->len = h->cap = 0;
    pthread_mutex_unlock(&lock);
}

static int is_tracked(int fd) { return fd >= 0 && fd < MAX_FD && files[fd].tracked; }

/* Holds n bytes at file offset off (the end of the held range, or inside it). */
static void hold(struct held *h, int fd, const void *data, size_t n, off_t off) {
    off_t end = h->base + (off_t)h->len;
    if (off < h->base || off > end)
        die("positioned write outside the held range", fd);
    size_t at = (size_t)(off - h->base);
    if (at + n > h->cap) {
        size_t cap = h->cap ? h->cap : 65536;
        while (cap < at + n)
            cap *= 2;
        char *b = realloc(h->buf, cap);
        if (!b)
            die("allocation", fd);
        h->buf = b;
        h->cap = cap;
    }
    memcpy(h->buf + at, data, n);
    if (at + n > h->len)
        h->len = at + n;
}

ssize_t write(int fd, const void *buf, size_t n) {
    init();
    if (!is_tracked(fd))
        return real_write(fd, buf, n);
    pthread_mutex_lock(&lock);
    struct held *h = &files[fd];
    hold(h, fd, buf, n, h->base + (off_t)h->len);
    pthread_mutex_unlock(&lock);
    return (ssize_t)n;
}

ssize_t writev(int fd, const struct iovec *iov, int cnt) {
    init();
    if (!is_tracked(fd))
        return real_writev(fd, iov, cnt);
    ssize_t total = 0;
    pthread_mutex_lock(&lock);
    struct held *h = &files[fd];
    for (int i = 0; i < cnt; i++) {
        hold(h, fd, iov[i].iov_base, iov[i].iov_len, h->base + (off_t)h->len);
        total += (ssize_t)iov[i].iov_len;
    }
    pthread_mutex_unlock(&lock);
    return total;
}

static ssize_t held_pwrite(int fd, const void *buf, size_t n, off_t off) {
    pthread_mutex_lock(&lock);
    hold(&files[fd], fd, buf, n, off);
    pthread_mutex_unlock(&lock);
    return (ssize_t)n;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
    init();
    return is_tracked(fd) ? held_pwrite(fd, buf, n, off) : real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) {
    init();
    return is_tracked(fd) ? held_pwrite(fd, buf, n, off) : real_pwrite64(fd, buf, n, off);
}

/* Makes the held bytes durable: written at their offsets, then the real sync. */
static int release(int fd, int (*sync)(int)) {
    if (is_tracked(fd)) {
        pthread_mutex_lock(&lock);
        struct held *h = &files[fd];
        size_t done = 0;
        while (done < h->len) {
            ssize_t w = real_pwrite(fd, h->buf + done, h->len - done, h->base + (off_t)done);
            if (w < 0) {
                if (errno == EINTR)
                    continue;
                pthread_mutex_unlock(&lock);
                return -1;
            }
            done += (size_t)w;
        }
        const char *log = getenv("POWERLOSS_LOG");
        if (log && *log) {
            int lfd = real_open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (lfd >= 0) {
                char line[64];
                int n = snprintf(line, sizeof line, "sync %d %zu\n", fd, h->len);
                real_write(lfd, line, n > 0 ? (size_t)n : 0);
                real_close(lfd);
            }
        }
        h->base += (off_t)h->len;
        h->len = 0;
        pthread_mutex_unlock(&lock);
    }
    return sync(fd);
}

int fsync(int fd) {
    init();
    return release(fd, real_fsync);
}

int fdatasync(int fd) {
    init();
    return release(fd, real_fdatasync);
}

/* Truncating within the held range shortens it; beyond it, the held range grows with zeros
 * (RocksDB trims a preallocated WAL to its length when it closes it). Below the durable
 * length the file itself is truncated. */
static int held_truncate(int fd, off_t len, int (*real)(int, off_t)) {
    pthread_mutex_lock(&lock);
    struct held *h = &files[fd];
    int rc = 0;
    if (len < h->base) {
        rc = real(fd, len);
        if (rc == 0) {
            h->base = len;
            h->len = 0;
        }
    } else if ((size_t)(len - h->base) <= h->len) {
        h->len = (size_t)(len - h->base);
    } else {
        size_t want = (size_t)(len - h->base);
        char zero[4096] = {0};
        while (h->len < want) {
            size_t n = want - h->len < sizeof zero ? want - h->len : sizeof zero;
            hold(h, fd, zero, n, h->base + (off_t)h->len);
        }
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

int ftruncate(int fd, off_t len) {
    init();
    return is_tracked(fd) ? held_truncate(fd, len, real_ftruncate) : real_ftruncate(fd, len);
}

int ftruncate64(int fd, off_t len) {
    init();
    return is_tracked(fd) ? held_truncate(fd, len, real_ftruncate64) : real_ftruncate64(fd, len);
}

/* Closing does not make anything durable: what was not synced is dropped, as the power cut
 * that comes later would drop it from the page cache. */
int close(int fd) {
    init();
    if (is_tracked(fd)) {
        pthread_mutex_lock(&lock);
        struct held *h = &files[fd];
        free(h->buf);
        memset(h, 0, sizeof *h);
        pthread_mutex_unlock(&lock);
    }
    return real_close(fd);
}

#define OPEN_MODE(flags, mode)                                                                  \
    mode_t mode = 0;                                                                            \
    if ((flags) & (O_CREAT | O_TMPFILE)) {                                                     \
        va_list ap;                                                                             \
        va_start(ap, flags);                                                                    \
        mode = (mode_t)va_arg(ap, int);                                                         \
        va_end(ap);                                                                             \
    }

int open(const char *path, int flags, ...) {
    init();
    OPEN_MODE(flags, mode);
    int fd = real_open(path, flags, mode);
    track(fd, path, flags);
    return fd;
}

int open64(const char *path, int flags, ...) {
    init();
    OPEN_MODE(flags, mode);
    int fd = real_open64(path, flags, mode);
    track(fd, path, flags);
    return fd;
}

int openat(int dirfd, const char *path, int flags, ...) {
    init();
    OPEN_MODE(flags, mode);
    int fd = real_openat(dirfd, path, flags, mode);
    track(fd, path, flags);
    return fd;
}

int openat64(int dirfd, const char *path, int flags, ...) {
    init();
    OPEN_MODE(flags, mode);
    int fd = real_openat64(dirfd, path, flags, mode);
    track(fd, path, flags);
    return fd;
}

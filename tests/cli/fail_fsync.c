/* LD_PRELOAD shim for tests/cli/output-safety.sh: fsync() fails with EIO, as
 * on a disk that fails, or a network file system whose server refuses the
 * data only when it is committed. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <unistd.h>

int fsync(int fd)
{
    (void)fd;
    errno = EIO;
    return -1;
}

/*
 * Small file-system helpers shared by the parts that write files for good
 * (backups, documents): making folders and making their entries durable.
 */
#ifndef UTIL_FSUTIL_H
#define UTIL_FSUTIL_H

#include <stdbool.h>

/*
 * fsync of a folder, so a file created or renamed in it survives a crash.
 * 0, or -1 with errno.
 */
int fs_sync_dir(const char *dir);
/* mkdir -p with mode 0700; true when path is a folder afterwards. */
bool fs_mkdirs(const char *path);

#endif

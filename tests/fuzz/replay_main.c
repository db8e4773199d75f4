/* A main() for fuzz targets in ordinary builds: runs the target once on each
 * file named on the command line (or each file in a named directory), so the
 * committed corpus is replayed by every test run, sanitizers included. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path, int *count) {
    uint8_t *data;
    size_t len;
    Diag diag;
    if (os_read_file(path, &data, &len, &diag) != OK) {
        fprintf(stderr, "replay: %s\n", diag.msg);
        return 1;
    }
    LLVMFuzzerTestOneInput(data, len);
    mem_free(data);
    (*count)++;
    return 0;
}

static int replay_path(const char *path, int *count) {
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return replay_file(path, count);
    DIR *dir = opendir(path);
    if (!dir)
        return 1;
    int status = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, entry->d_name);
        status |= replay_path(child, count);
    }
    closedir(dir);
    return status;
}

int main(int argc, char **argv) {
    int count = 0, status = 0;
    for (int i = 1; i < argc; i++)
        status |= replay_path(argv[i], &count);
    printf("replayed %d inputs\n", count);
    return status;
}

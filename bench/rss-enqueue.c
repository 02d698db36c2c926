/* rss-enqueue: journals every certificate under a directory through the
 * capture path, as `iotregctl import DIR` would, so that bench/rss-100k.sh
 * can queue 100,000 entries in one process instead of 100,000 runs of
 * iotreg-publish. The script builds it with the build tree's libtool when
 * iotregctl has no import command. Not installed. */
#include "autoconf.h"

#include <stdio.h>
#include <string.h>

#include "app/runtime.h"
#include "capture/capture.h"
#include "capture/import.h"
#include "core/log.h"

static void on_refused(void *ctx, const char *what, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "rss-enqueue: refused %s: %s\n", what, msg);
}

static ir_rc import_dir(ir_runtime *rt, const char *dir, ir_import_stats *stats, ir_err *err)
{
    ir_import imp = {0};
    ir_pathlist list = {0};
    ir_rc rc;

    rc = ir_capture_ctx_new(rt->cfg, rt->journal, IR_SOURCE_IMPORT, &imp.capture, err);
    if (rc != IR_OK)
        return rc;
    imp.on_refused = on_refused;
    rc = ir_import_collect(dir, &list, err);
    if (rc == IR_OK)
        rc = ir_import_files(&imp, &list, err);
    *stats = imp.stats;
    ir_pathlist_free(&list);
    ir_capture_ctx_free(imp.capture);
    return rc;
}

int main(int argc, char **argv)
{
    ir_runtime rt;
    ir_import_stats stats = {0};
    ir_err err = {0};
    ir_rc rc;

    if (argc != 4 || strcmp(argv[1], "-c") != 0) {
        fprintf(stderr, "usage: rss-enqueue -c CONFIG DIR\n");
        return 2;
    }
    ir_log_set_prefix("rss-enqueue");
    rc = ir_runtime_open(argv[2], IR_RT_JOURNAL, &rt, &err);
    if (rc != IR_OK) {
        fprintf(stderr, "rss-enqueue: %s\n", err.msg);
        return 1;
    }
    rc = import_dir(&rt, argv[3], &stats, &err);
    ir_runtime_close(&rt);
    if (rc != IR_OK) {
        fprintf(stderr, "rss-enqueue: %s\n", err.msg);
        return 1;
    }
    printf("%ld journaled, %ld already known, %ld unattributed, %ld refused\n", stats.imported,
           stats.known, stats.unattributed, stats.refused);
    return stats.refused > 0 ? 1 : 0;
}

/* The XML configuration: parsed, validated against the XSD and built into
 * an ir_config. The loader reads a path, so each input is written to a file
 * in the process's own directory, which is also the working directory (a
 * relative file name in the input points there, not into the tree). */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/load.h"
#include "fuzz.h"

static char path[4096];

static void ignore(void *ctx, const char *file, long line, const char *msg)
{
    (void)ctx;
    (void)file;
    (void)line;
    (void)msg;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_path(path, sizeof(path), "iotreg.xml");
    if (chdir(fuzz_dir()) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ir_config *cfg = NULL;
    ir_err err = {0};
    ir_rc rc;
    size_t i;

    fuzz_write_file(path, data, size);
    rc = ir_config_load_diag(path, &cfg, ignore, NULL, &err);
    /* A refusal always says why: every problem in the message names the file. */
    FUZZ_CHECK(rc == IR_OK ? cfg != NULL : cfg == NULL && strstr(err.msg, "iotreg.xml:") != NULL);
    for (i = 0; cfg != NULL && i < cfg->n_customers; i++)
        FUZZ_CHECK(ir_config_customer(cfg, cfg->customers[i].id) != NULL);
    ir_config_free(cfg);
    return 0;
}

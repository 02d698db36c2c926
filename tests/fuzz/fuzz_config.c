/* The XML configuration: parsed, validated against the XSD and built into
 * an ir_config, from memory against the XSD compiled once for the process
 * (compiling it was most of the cost of a load). The process's own
 * directory is the working directory: a relative file name in the input
 * points there, not into the tree. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/load.h"
#include "fuzz.h"

static ir_config_schema *schema;

static void ignore(void *ctx, const char *file, long line, const char *msg)
{
    (void)ctx;
    (void)file;
    (void)line;
    (void)msg;
}

static void teardown(void)
{
    ir_config_schema_free(schema);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ir_err err = {0};

    (void)argc;
    (void)argv;
    if (chdir(fuzz_dir()) != 0)
        abort();
    if (ir_config_schema_new(&schema, &err) != IR_OK) {
        fprintf(stderr, "fuzz_config: %s\n", err.msg);
        abort();
    }
    atexit(teardown);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ir_config *cfg = NULL;
    ir_err err = {0};
    ir_rc rc;
    size_t i;

    rc = ir_config_load_mem(schema, data, size, "iotreg.xml", &cfg, ignore, NULL, &err);
    /* A refusal always says why: every problem in the message names the file. */
    FUZZ_CHECK(rc == IR_OK ? cfg != NULL : cfg == NULL && strstr(err.msg, "iotreg.xml:") != NULL);
    for (i = 0; cfg != NULL && i < cfg->n_customers; i++)
        FUZZ_CHECK(ir_config_customer(cfg, cfg->customers[i].id) != NULL);
    ir_config_free(cfg);
    return 0;
}

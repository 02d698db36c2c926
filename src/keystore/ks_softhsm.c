/* SoftHSM2's token directory and configuration for `keystore init`. */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keystore/subca.h"

static ir_rc make_dir(const char *path, bool *created, ir_err *err)
{
    if (mkdir(path, 0700) == 0) {
        *created = true;
        return IR_OK;
    }
    if (errno == EEXIST)
        return IR_OK;
    return ir_err_set(err, IR_ERR_IO, "cannot create directory %s: %s", path, strerror(errno));
}

static ir_rc write_conf(const char *path, const char *tokens, bool *created, ir_err *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f;

    if (fd < 0 && errno == EEXIST)
        return IR_OK;
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        return ir_err_set(err, IR_ERR_IO, "cannot create %s: %s", path, strerror(errno));
    }
    fprintf(f,
            "# SoftHSM2 configuration written by `iotregctl keystore init`.\n"
            "directories.tokendir = %s\n"
            "objectstore.backend = file\n"
            "log.level = ERROR\n"
            "slots.removable = false\n",
            tokens);
    *created = true;
    if (fclose(f) != 0)
        return ir_err_set(err, IR_ERR_IO, "cannot write %s: %s", path, strerror(errno));
    return IR_OK;
}

ir_rc ir_ks_softhsm_prepare(const char *dir, bool *created, ir_err *err)
{
    char tokens[4096], conf[4096];
    ir_rc rc;

    *created = false;
    if (dir == NULL)
        return IR_OK;
    if ((size_t)snprintf(tokens, sizeof(tokens), "%s/tokens", dir) >= sizeof(tokens) ||
        (size_t)snprintf(conf, sizeof(conf), "%s/softhsm2.conf", dir) >= sizeof(conf))
        return ir_err_set(err, IR_ERR_INVALID_ARG, "softhsm-dir %s is too long", dir);
    rc = make_dir(dir, created, err);
    if (rc == IR_OK)
        rc = make_dir(tokens, created, err);
    if (rc == IR_OK)
        rc = write_conf(conf, tokens, created, err);
    if (rc == IR_OK)
        ir_ks_softhsm_env(dir);
    return rc;
}

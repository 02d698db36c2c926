/* The provider's settings: the keystore section of the iotreg configuration
 * named by $IOTREG_CONF or by `iotreg-config` in openssl.cnf. */
#include "config.h"

#include <stdlib.h>

#include "config/config.h"
#include "provider/debug.h"
#include "provider/provider.h"

static const char *config_path(const ir_prov_ctx *ctx)
{
    const char *env = getenv("IOTREG_CONF");

    if (env != NULL && env[0] != '\0')
        return env;
    if (ctx->config_param != NULL)
        return ctx->config_param;
    return ir_config_resolve_path(NULL);
}

ir_rc ir_prov_keystore_opts(const ir_prov_ctx *ctx, ir_keystore_opts *opts,
                            struct ir_config **cfg_out, ir_err *err)
{
    const char *path = config_path(ctx);
    ir_config *cfg = NULL;
    ir_rc rc = ir_config_load(path, &cfg, err);

    *cfg_out = NULL;
    if (rc != IR_OK)
        return ir_err_prefix(err, "iotreg provider configuration (iotreg-config / IOTREG_CONF): ");
    ir_prov_debug("configuration %s: module %s, token '%s'", path, cfg->keystore.module,
                  cfg->keystore.token_label);
    opts->module = cfg->keystore.module;
    opts->token_label = cfg->keystore.token_label;
    opts->pin_file = cfg->keystore.pin_file;
    opts->softhsm_dir = cfg->keystore.softhsm_dir;
    opts->config_path = cfg->path != NULL ? cfg->path : path;
    *cfg_out = cfg;
    return IR_OK;
}

/* The provider's settings: the keystore section of the iotreg configuration
 * named by $IOTREG_CONF or by `iotreg-config` in openssl.cnf. */
#include "autoconf.h"

#include <stdlib.h>

#include "app/settings.h"
#include "config/config.h"
#include "config/load.h"
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

ir_rc ir_prov_keystore_opts(ir_prov_ctx *ctx, ir_keystore_opts *opts, ir_err *err)
{
    const char *path = config_path(ctx);
    ir_rc rc;

    if (ctx->cfg == NULL) {
        rc = ir_config_load(path, &ctx->cfg, err);
        if (rc != IR_OK)
            return ir_err_prefix(err,
                                 "iotreg provider configuration (iotreg-config / IOTREG_CONF): ");
        ir_prov_debug("configuration %s: module %s, token '%s'", path, ctx->cfg->keystore.module,
                      ctx->cfg->keystore.token_label);
    }
    ir_ks_opts_from_config(ctx->cfg, opts);
    if (opts->config_path == NULL)
        opts->config_path = path;
    return IR_OK;
}

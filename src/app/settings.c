/* The keystore's settings from the configuration. */
#include "autoconf.h"

#include "app/settings.h"

#include <string.h>

void ir_ks_opts_from_config(const ir_config *cfg, ir_keystore_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->module = cfg->keystore.module;
    opts->token_label = cfg->keystore.token_label;
    opts->pin_file = cfg->keystore.pin_file;
    opts->softhsm_dir = cfg->keystore.softhsm_dir;
    opts->config_path = cfg->path;
}

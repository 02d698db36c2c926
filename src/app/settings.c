/* The keystore's and the journal's settings from the configuration. */
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

void ir_journal_opts_from_config(const ir_config *cfg, ir_journal_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    switch (cfg->journal.backend) {
    case IR_JOURNAL_SQLITE:
        opts->kind = IR_JOURNAL_KIND_SQLITE;
        break;
    case IR_JOURNAL_POSTGRES:
        opts->kind = IR_JOURNAL_KIND_POSTGRES;
        break;
    }
    opts->path =
        cfg->journal.backend == IR_JOURNAL_POSTGRES ? cfg->journal.spool : cfg->journal.path;
    opts->conninfo = cfg->journal.conninfo;
    opts->password_file = cfg->journal.password_file;
    opts->sslmode = cfg->journal.sslmode;
    opts->ca_file = cfg->journal.ca_file;
    opts->mode = cfg->journal.mode;
}

/* The settings of the layers that do not read the configuration themselves
 * (the keystore, the journal), built from a loaded configuration. The
 * strings stay cfg's. */
#ifndef IOTREG_APP_SETTINGS_H
#define IOTREG_APP_SETTINGS_H

#include "config/config.h"
#include "journal/journal.h"
#include "keystore/keystore.h"

/* The keystore's options: <keystore> of cfg, and cfg's path (for the
 * provider a library context of the caller's own loads). */
void ir_ks_opts_from_config(const ir_config *cfg, ir_keystore_opts *opts);

/* The journal's settings: <journal> of cfg. */
void ir_journal_opts_from_config(const ir_config *cfg, ir_journal_opts *opts);

#endif

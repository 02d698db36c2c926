# src/cli: iotregctl, one file of commands per concern.
bin_PROGRAMS += src/cli/iotregctl
src_cli_iotregctl_SOURCES = src/cli/iotregctl.c src/cli/cli.h \
	src/cli/cli_opts.c src/cli/cli_util.c \
	src/cli/cli_keystore_login.c src/cli/cli_keystore_login.h \
	src/cli/cmd_keystore.c \
	src/cli/cmd_subca.c \
	src/cli/cmd_ca.c \
	src/cli/cmd_config.c \
	src/cli/cmd_journal_view.c \
	src/cli/cmd_journal_migrate.c \
	src/cli/cmd_journal_copy.c \
	src/cli/cmd_entry_actions.c \
	src/cli/cmd_import.c \
	src/cli/cmd_revoke.c \
	src/cli/cmd_customer.c
src_cli_iotregctl_CFLAGS = $(AM_CFLAGS) $(DEP_CFLAGS)
src_cli_iotregctl_LDADD = src/libiotreg.la $(DEP_LIBS)

# Bash completion (Debian's bash-completion conventions: one file named after
# the command in its completionsdir); tests/cli/completion.test keeps its
# command list and options in sync with iotregctl --help.
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = conf/bash-completion/iotregctl
TESTS += tests/cli/completion.test
EXTRA_DIST += tests/cli/completion.test

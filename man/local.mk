# man: the man pages, mdoc written by hand (no generator at build time),
# installed into share/man/man{3,5,7,8} by their suffix. tests/man checks
# them: mandoc -Tlint, the options each --help lists, hooks/iotreg_hook.h,
# and conf/iotreg.xsd against iotreg.xml(5).
dist_man_MANS = man/iotregctl.8 man/iotregd.8 man/iotreg-publish.8 \
	man/iotreg.xml.5 man/iotreg_hook.3 man/iotreg-provider.7

TESTS += tests/man/lint.test tests/man/options.test tests/man/xsd.test
EXTRA_DIST += tests/man/lint.test tests/man/options.test tests/man/xsd.test \
	tests/man/mancheck.py

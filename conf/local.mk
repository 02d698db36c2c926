# conf: the configuration's XSD and a commented sample, installed side by
# side in $(pkgdatadir); the sample is never installed over /etc/iotreg.
dist_pkgdata_DATA = conf/iotreg.xsd conf/iotreg.xml
